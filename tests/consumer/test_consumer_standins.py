"""The reference consumer against the GitHub and Gitee stand-ins: failover timings and the cache."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from wxreg.consumer import Marketplace, RegistrySource
from wxsandbox.gitee import GiteeStandIn
from wxsandbox.github import GitHubStandIn

REPO = "wxauto/registry"
REGISTRY = b'{"last_updated": "2026-02-01T00:00:00Z", "plugins": [{"plugin_id": "alpha", "name": "A"}]}\n'
TIMEOUT = 1.0


@pytest.fixture
def hosts(tmp_path: Path) -> Iterator[tuple[GitHubStandIn, GiteeStandIn, Marketplace]]:
    tree = tmp_path / "tree" / "registry"
    tree.mkdir(parents=True)
    (tree / "registry.json").write_bytes(REGISTRY)
    with GitHubStandIn(tmp_path / "github") as github, GiteeStandIn(tmp_path / "gitee") as gitee:
        github.add_user("wxauto")
        github.create_repo("wxauto", "registry")
        github.push_directory(REPO, tree.parent)
        gitee.create_repo("wxauto", "registry", default_branch="main")
        gitee.push_directory(REPO, tree.parent)
        sources = [
            RegistrySource("GitHub", f"{github.raw_url}/{REPO}/main/registry/registry.json", 1),
            RegistrySource("Gitee", gitee.raw_file_url(REPO, "main", "registry/registry.json"), 2),
        ]
        yield github, gitee, Marketplace(sources, tmp_path / "cache", timeout=TIMEOUT)
        gitee.restore()


def test_github_refusing_connections_fails_over_to_gitee_fast(
    hosts: tuple[GitHubStandIn, GiteeStandIn, Marketplace],
) -> None:
    github, _, market = hosts
    assert market.refresh_registry().source == "GitHub"
    github.stop()

    started = time.monotonic()
    result = market.refresh_registry()

    assert result.source == "Gitee" and result.plugin_count == 1
    assert time.monotonic() - started < 2.0


def test_github_hanging_fails_over_within_the_timeout(hosts: tuple[GitHubStandIn, GiteeStandIn, Marketplace]) -> None:
    github, _, market = hosts
    github.faults.latency("GET", r".*registry\.json", seconds=10, times=5, server="raw")

    started = time.monotonic()
    result = market.refresh_registry()

    assert result.source == "Gitee"
    assert time.monotonic() - started < TIMEOUT + 1.0


def test_both_down_serves_the_cache_and_says_how_old(hosts: tuple[GitHubStandIn, GiteeStandIn, Marketplace]) -> None:
    github, gitee, market = hosts
    market.refresh_registry()
    github.stop()
    gitee.refuse()

    result = market.refresh_registry()

    assert result.from_cache and result.plugin_count == 1
    assert result.cache_age_seconds is not None and result.cache_age_seconds < 60
    assert "cache" in result.describe()


def test_unchanged_refresh_moves_no_body_bytes(hosts: tuple[GitHubStandIn, GiteeStandIn, Marketplace]) -> None:
    _, _, market = hosts
    first = market.refresh_registry()
    second = market.refresh_registry()
    assert not first.not_modified and second.not_modified and second.source == "GitHub"
