"""Mirroring the registry from the GitHub stand-in to the Gitee stand-in over real git smart HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from wxreg.mirror import MirrorError, MirrorTarget, compare_raw, list_refs, mirror_registry
from wxsandbox.gitee import GiteeStandIn
from wxsandbox.github import GitHubStandIn
from wxsandbox.github.testing import pygithub

REPO = "wxauto/registry"


@pytest.fixture
def hosts(tmp_path: Path) -> Iterator[tuple[GitHubStandIn, GiteeStandIn, str]]:
    with GitHubStandIn(tmp_path / "github") as github, GiteeStandIn(tmp_path / "gitee") as gitee:
        github.add_user("wxauto")
        maria = github.add_user("maria")
        github.create_repo("wxauto", "registry")
        github.set_role(REPO, "maria", "maintain")
        tree = tmp_path / "tree"
        (tree / "registry").mkdir(parents=True)
        (tree / "registry" / "registry.json").write_text('{"plugins": []}\n', encoding="utf-8")
        main = github.push_directory(REPO, tree, tag="v1")
        client = pygithub(github, maria)
        client.get_repo(REPO).create_git_ref("refs/heads/feature", main)
        (tree / "feature.txt").write_text("feature\n", encoding="utf-8")
        github.push_directory(REPO, tree, branch="feature")
        # An open PR makes GitHub keep refs/pull/1/head, which Gitee would refuse.
        client.get_repo(REPO).create_pull(title="t", body="b", head="feature", base="main")
        gitee.add_user("wxbot", token="0123456789abcdef0123456789abcdef")
        gitee.create_repo("wxauto", "registry", default_branch="main")
        gitee.set_role(REPO, "wxbot", "write")
        yield github, gitee, "0123456789abcdef0123456789abcdef"


def raw_urls(github: GitHubStandIn, gitee: GiteeStandIn) -> tuple[str, str]:
    return (
        f"{github.raw_url}/{REPO}/main/registry/registry.json",
        gitee.raw_file_url(REPO, "main", "registry/registry.json"),
    )


def test_mirror_copies_heads_and_tags_but_not_pull_refs(hosts: tuple[GitHubStandIn, GiteeStandIn, str]) -> None:
    github, gitee, token = hosts
    assert any(ref.startswith("refs/pull/") for ref in _all_refs(github.git_url(REPO)))

    report = mirror_registry(
        github.git_url(REPO),
        MirrorTarget(gitee.git_url(REPO), "wxbot", token),
        *raw_urls(github, gitee),
        sleep=lambda _: None,
    )

    mirrored = list_refs(gitee.git_url(REPO))
    assert mirrored == report.source_refs
    assert set(mirrored) == {"refs/heads/main", "refs/heads/feature", "refs/tags/v1"}
    assert not any(ref.startswith("refs/pull/") for ref in _all_refs(gitee.git_url(REPO)))
    assert report.raw_bytes == len('{"plugins": []}\n')
    assert "refs/tags/v1" in report.summary_markdown()


def test_wrong_token_fails_loudly_without_printing_it(hosts: tuple[GitHubStandIn, GiteeStandIn, str]) -> None:
    github, gitee, _ = hosts
    wrong = "ffffffffffffffffffffffffffffffff"
    sleeps: list[float] = []

    with pytest.raises(MirrorError) as failure:
        mirror_registry(
            github.git_url(REPO),
            MirrorTarget(gitee.git_url(REPO), "wxbot", wrong),
            *raw_urls(github, gitee),
            push_attempts=3,
            backoff_seconds=0.5,
            sleep=sleeps.append,
        )

    message = str(failure.value)
    assert "authentication failed" in message and "not retried" in message and "认证失败" in message
    assert wrong not in message
    assert sleeps == []  # a refused token is not tried again: it cannot start working, and logins count
    assert list_refs(gitee.git_url(REPO)) == {}


def test_an_unreachable_mirror_is_retried_with_a_doubling_backoff(
    hosts: tuple[GitHubStandIn, GiteeStandIn, str],
) -> None:
    github, gitee, token = hosts
    sleeps: list[float] = []
    with pytest.raises(MirrorError) as failure:
        mirror_registry(
            github.git_url(REPO),
            MirrorTarget("http://127.0.0.1:9/wxauto/registry.git", "wxbot", token),
            *raw_urls(github, gitee),
            push_attempts=3,
            backoff_seconds=0.5,
            sleep=sleeps.append,
        )
    message = str(failure.value)
    assert "3" in message and "failed" in message and token not in message
    assert sleeps == [0.5, 1.0]  # backoff doubles between tries


def test_raw_comparison_waits_for_a_lagging_mirror(hosts: tuple[GitHubStandIn, GiteeStandIn, str]) -> None:
    github, gitee, token = hosts
    target = MirrorTarget(gitee.git_url(REPO), "wxbot", token)
    primary, mirror = raw_urls(github, gitee)
    waits: list[float] = []

    def push_while_waiting(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:  # the mirror catches up after two checks
            mirror_registry(github.git_url(REPO), target, primary, mirror, sleep=lambda _: None)

    checks, _ = compare_raw(primary, mirror, attempts=5, delay_seconds=0.1, sleep=push_while_waiting)
    assert checks == 3

    with pytest.raises(MirrorError, match="differs between the hosts"):
        compare_raw(primary, f"{gitee.url}/wxauto/missing/raw/main/x", attempts=2, sleep=lambda _: None)


def _all_refs(url: str) -> list[str]:
    import subprocess

    out = subprocess.run(["git", "ls-remote", url], check=True, capture_output=True, text=True).stdout
    return [line.split("\t")[1] for line in out.splitlines()]
