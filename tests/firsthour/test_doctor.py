"""``wxreg doctor`` against the sandbox's GitHub and Gitee, as a fork operator runs it (a subprocess with a token)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from tests.support.firsthour import ROOT, WXREG, assert_no_traceback, run

from wxreg.approval.texts import STATUS_CONTEXT
from wxreg.config import RegistryConfig
from wxreg.doctor import ISSUE_CONFIG_PATH, LABELS, render_issue_config
from wxsandbox.demo import point_registry_at
from wxsandbox.world import World


@pytest.fixture(scope="module")
def fork(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    # A fork as its operator finds it: main unprotected. Workflows are not needed, but the runner holds the
    # repository's secrets and variables (GITEE_TOKEN, GITEE_USERNAME) as the fork checklist sets them.
    with World(tmp_path_factory.mktemp("doctor"), prepare_seed=point_registry_at, protect_main=False) as world:
        yield world


def doctor(world: World, *args: str, gitee_token: str | None = None) -> tuple[int, str]:
    env = {"GITHUB_TOKEN": world.token("wxauto"), "GITHUB_API_URL": world.github.api_url,
           "GITEE_TOKEN": gitee_token if gitee_token is not None else world.users["maria"].gitee_token}
    done = run([WXREG, "doctor", "--no-throttle", "--root", str(world.root / "seed"), *args], cwd=world.root,
               env=env)
    assert_no_traceback(done)
    return done.returncode, done.stdout + done.stderr


def test_the_committed_issue_config_is_generated_from_registry_config() -> None:
    committed = (ROOT / ISSUE_CONFIG_PATH).read_text(encoding="utf-8")
    assert committed == render_issue_config(RegistryConfig.load()), "run: wxreg doctor --write-issue-config"
    links = yaml.safe_load(committed)["contact_links"]
    config = RegistryConfig.load()
    assert links[0]["url"].startswith(f"{config.github.web_url}/{config.github.owner}/{config.github.repo}/")


def test_doctor_finds_each_problem_with_its_fix_and_fixes_the_labels(fork: World) -> None:
    status, out = doctor(fork)
    assert status == 1
    for label in LABELS:
        assert f"缺少标签 / missing label: {label}" in out
    assert set(LABELS) >= {"plugin-submission", "approved", "release-watcher", "advisory", "needs-maintainer"}
    assert "without it the review never runs" in out and "wxreg doctor --fix" in out
    assert "GitHub Pages is not enabled" in out and "Source: GitHub Actions" in out
    assert "branch is not protected: main" in out and STATUS_CONTEXT in out
    assert "missing deployment environment: registry-signing" in out and "TUF_ONLINE_KEY" in out
    # The seed still has upstream's template config: its links point at another repository.
    assert f"{ISSUE_CONFIG_PATH} 与 registry/config.json 不一致" in out and "--write-issue-config" in out
    assert "✓ Actions secret GITEE_TOKEN" in out and "✓ Actions variable GITEE_USERNAME" in out
    assert "✓ Gitee 仓库 / Gitee repository wxauto/registry" in out
    assert "✓ Gitee 令牌属于 GITEE_USERNAME / the Gitee token is GITEE_USERNAME's (maria)" in out

    status, out = doctor(fork, "--fix")
    assert all(f"标签已创建 / label created: {label}" in out for label in LABELS)
    names = {label.name for label in fork.client("wxauto").get_repo(fork.registry).get_labels()}
    assert set(LABELS) <= names

    # Half right: Pages from a branch (pages.yml cannot deploy there), protection without "up to date", the
    # environment without its key.
    fork.github.enable_pages(fork.registry, branch="main", folder="/")
    fork.github.protect_branch(fork.registry, "main", [STATUS_CONTEXT], strict=False)
    assert fork.actions is not None
    fork.actions.set_environment_secrets(fork.registry, "registry-signing", {"OTHER": "x"})
    written = run([WXREG, "doctor", "--root", str(fork.root / "seed"), "--write-issue-config"], cwd=fork.root)
    assert written.returncode == 0
    status, out = doctor(fork)
    problems = [line for line in out.splitlines() if line.startswith("✗")]
    assert problems == [
        "✗ 环境 registry-signing 缺少 secret / environment registry-signing is missing the secret TUF_ONLINE_KEY",
        "✗ GitHub Pages 的来源不是 GitHub Actions：pages.yml 无法部署 / GitHub Pages is not set to Source: GitHub "
        "Actions, so pages.yml cannot deploy it",
        "✗ 分支保护未要求分支为最新 / branch protection on main does not require branches to be up to date"
        "（过期的注册表 PR 可能干净地合并却是错的 / a stale registry PR could merge cleanly and be wrong）",
    ], out
    assert "Require branches to be up to date before merging" in out

    # Set up as the checklist says: all set.
    fork.github.enable_pages(fork.registry, branch="main", folder="/", build_type="workflow")
    fork.github.protect_branch(fork.registry, "main", [STATUS_CONTEXT], strict=True)
    fork.actions.set_environment_secrets(fork.registry, "registry-signing", {"TUF_ONLINE_KEY": "ed25519:00"})
    status, out = doctor(fork)
    assert status == 0 and "一切就绪 / all set" in out, out
    assert not [line for line in out.splitlines() if line.startswith("✗")]


def test_a_gitee_token_of_another_login_than_gitee_username_is_named(fork: World) -> None:
    _, out = doctor(fork, gitee_token=fork.users["alice"].gitee_token)
    assert ("✗ Actions variable GITEE_USERNAME 是 maria，但令牌属于 alice：镜像推送会被拒绝 / GITEE_USERNAME is maria "
            "but the token belongs to alice: the mirror's push would be refused") in out
    assert "set GITEE_USERNAME to alice, or use maria's token" in out


def test_a_wrong_required_check_is_named(fork: World) -> None:
    fork.github.protect_branch(fork.registry, "main", ["ci/other"], strict=True)
    try:
        _, out = doctor(fork)
    finally:
        fork.github.protect_branch(fork.registry, "main", [STATUS_CONTEXT], strict=True)
    assert f"✗ 分支保护未要求 / branch protection on main does not require {STATUS_CONTEXT}" in out


def test_doctor_names_a_refused_gitee_token_and_an_unknown_repository(fork: World, tmp_path: Path) -> None:
    _, out = doctor(fork, gitee_token="wrong")
    assert "Gitee 拒绝了令牌 / Gitee refused the token" in out
    status, out = doctor(fork, "--repo", "alice/nothing")
    assert status == 2 and "no repository alice/nothing" in out


def test_the_fork_checklist_names_everything_doctor_checks() -> None:
    from wxreg import doctor as doctor_module

    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    checklist = " ".join(text.split("### Fork 清单 / Fork checklist", 1)[1].split("\n### ", 1)[0].split())
    needed = [*LABELS, *doctor_module.SECRETS, *doctor_module.VARIABLES, doctor_module.SIGNING_ENVIRONMENT,
              doctor_module.SIGNING_SECRET, "Source: GitHub Actions", STATUS_CONTEXT,
              "Require branches to be up to date before merging", "pages_url", "--write-issue-config",
              "wxreg doctor --fix"]
    assert [name for name in needed if name not in checklist] == []
    assert "Deploy from a branch*, `main`" not in text  # Pages is deployed by pages.yml, not from a branch


def test_a_private_registry_is_named_with_its_fix(tmp_path: Path) -> None:
    # The sandbox's repositories are all public: a private one through the in-memory forge, checks in order.
    from wxreg.doctor import diagnose
    from wxreg.forge.fake import FakeForge
    from wxreg.forge.interface import PagesSite

    fake = FakeForge(labels=dict(LABELS), secrets={"GITEE_TOKEN"},
                     environment_secrets={"registry-signing": {"TUF_ONLINE_KEY"}},
                     variable_values={"GITEE_USERNAME": "maria"}, private=True,
                     pages_site=PagesSite("workflow", "https://wxauto.github.io/registry/"),
                     protection={"main": [STATUS_CONTEXT]}, protection_strict={"main"})
    checks = diagnose(RegistryConfig.load(), ROOT, fake, gitee_token=None, required_check=STATUS_CONTEXT, fix=False)
    problems = [check for check in checks if not check.ok]
    assert [check.what.split(" / ")[1].split(":")[0] for check in problems] == [
        "the registry repository is not public", "no Gitee token given"]
    assert "Change visibility → Public" in problems[0].render() and "approve.yml" in problems[0].render()
