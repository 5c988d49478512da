"""Fixtures for the review tests: the sandbox's OSV stand-in, tool config, and plugin repositories."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.support.corpus import fast_checks
from tests.support.plugins import make_repo
from tests.support.review import ReviewFn

from wxreg.review.context import ToolConfig
from wxreg.review.engine import ReviewOptions, ReviewRequest, ReviewResult, review
from wxreg.review.policy import load_policy
from wxsandbox import githttp, http
from wxsandbox.osv import Advisory, OsvStandIn


@pytest.fixture(scope="session")
def osv() -> Iterator[OsvStandIn]:
    known = Advisory("GHSA-test-0001", "urllib3", "0", "1.26.5", "urllib3 is vulnerable")
    with OsvStandIn([known]) as stand_in:
        yield stand_in


@pytest.fixture
def options(osv: OsvStandIn, tmp_path: Path, request: pytest.FixtureRequest) -> ReviewOptions:
    """Every check but the scanners (``fast_checks``: no bandit, GuardDog or pip-audit subprocess) unless the
    test is marked ``scanners`` (every check) or ``scanners("dependencies", ...)`` (those scanner checks too):
    a finding of our own checks, a comment or a label needs no scanner."""
    registry = tmp_path / "registry"
    (registry / "plugins").mkdir(parents=True)
    marker = request.node.get_closest_marker("scanners")
    checks = fast_checks() if marker is None else fast_checks(*marker.args) if marker.args else None
    return ReviewOptions(policy=load_policy(), tools=ToolConfig(osv_url=osv.query_url), registry_dir=registry,
                         checks=checks)


@pytest.fixture
def git_http(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real git smart-HTTP server on loopback (the sandbox's http-backend), serving ``root/<owner>/<repo>.git``."""
    root = tmp_path / "forge"

    def app(request: object) -> object:
        route = githttp.match_git_route(request)
        if route is None:
            return http.Response.text("not found", status=404)
        bare = root / route.owner / f"{route.repo}.git"
        if not bare.exists():
            return http.Response.text("not found", status=404)
        return githttp.git_http_backend(request, bare, route, None, allow_push=False)

    with http.HttpServer(app) as server:
        yield server.url, root


@pytest.fixture
def review_plugin(tmp_path: Path, options: ReviewOptions) -> ReviewFn:
    """Build a plugin repository (the good plugin plus changes) and review it at its tag."""
    counter = {"n": 0}

    def run(
        files: dict[str, Any] | None = None,
        *,
        tag: str = "v1.0.0",
        review_tag: str | None = None,
        remove: tuple[str, ...] = (),
        opts: ReviewOptions | None = None,
        **request: Any,
    ) -> ReviewResult:
        counter["n"] += 1
        repo = make_repo(tmp_path / f"plugin{counter['n']}", files, tag=tag, remove=remove)
        return review(ReviewRequest(str(repo), review_tag or tag, **request), opts or options)

    return run
