"""``wxreg doctor`` against the sandbox's GitHub and Gitee, as a fork operator runs it (a subprocess with a token)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from tests.support.firsthour import ROOT, WXREG, assert_no_traceback, run

from wxreg.config import RegistryConfig
from wxreg.doctor import ISSUE_CONFIG_PATH, LABELS, render_issue_config
from wxsandbox.demo import point_registry_at
from wxsandbox.world import World


@pytest.fixture(scope="module")
def fork(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    # Workflows are not needed, but the runner holds the repository's secrets and variables.
    with World(tmp_path_factory.mktemp("doctor"), prepare_seed=point_registry_at) as world:
        yield world


def doctor(world: World, *args: str, gitee_token: str | None = None) -> tuple[int, str]:
    env = {"GITHUB_TOKEN": world.token("wxauto"), "GITHUB_API_URL": world.github.api_url,
           "GITEE_TOKEN": gitee_token if gitee_token is not None else world.users["maria"].gitee_token}
    done = run([WXREG, "doctor", "--root", str(world.root / "seed"), *args], cwd=world.root, env=env)
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
    assert "without it the review never runs" in out and "wxreg doctor --fix" in out
    assert "GitHub Pages is not enabled" in out and "Deploy from a branch" in out
    assert "branch is not protected: main" in out and "wxreg/registry" in out
    # The seed still has upstream's template config: its links point at another repository.
    assert f"{ISSUE_CONFIG_PATH} 与 registry/config.json 不一致" in out and "--write-issue-config" in out
    assert "✓ Actions secret GITEE_TOKEN" in out and "✓ Actions variable GITEE_USERNAME" in out
    assert "✓ Gitee 仓库 / Gitee repository wxauto/registry" in out

    status, out = doctor(fork, "--fix")
    assert all(f"标签已创建 / label created: {label}" in out for label in LABELS)
    names = {label.name for label in fork.client("wxauto").get_repo(fork.registry).get_labels()}
    assert set(LABELS) <= names

    fork.github.enable_pages(fork.registry, branch="main", folder="/")
    written = run([WXREG, "doctor", "--root", str(fork.root / "seed"), "--write-issue-config"], cwd=fork.root)
    assert written.returncode == 0
    status, out = doctor(fork)
    problems = [line for line in out.splitlines() if line.startswith("✗")]
    assert problems == ["✗ 分支未保护 / branch is not protected: main"], out
    assert "1 个问题 / problem(s)" in out


def test_doctor_names_a_refused_gitee_token_and_an_unknown_repository(fork: World, tmp_path: Path) -> None:
    _, out = doctor(fork, gitee_token="wrong")
    assert "Gitee 拒绝了令牌 / Gitee refused the token" in out
    fork.github.enable_pages(fork.registry, branch="main", folder="/")
    status, out = doctor(fork, "--repo", "alice/nothing")
    assert status == 2 and "no repository alice/nothing" in out
