"""Fault injection: 5xx, secondary rate limits, latency and dropped connections, per route, N times."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import github
import pytest
import requests

from wxsandbox.github import GitHubStandIn
from wxsandbox.github.testing import pygithub

REPO_ROUTE = r"^/api/v3/repos/alice/plugin$"


@pytest.fixture
def gh(tmp_path: Path) -> Iterator[GitHubStandIn]:
    with GitHubStandIn(tmp_path / "gh") as stand_in:
        stand_in.add_user("alice")
        stand_in.create_repo("alice", "plugin")
        yield stand_in


def test_pygithub_with_retries_recovers_from_two_502s(gh: GitHubStandIn) -> None:
    fault = gh.faults.fail("GET", REPO_ROUTE, status=502, times=2)
    client = pygithub(gh, gh.token_for("alice"), retry=github.GithubRetry(total=3, backoff_factor=0.01))
    assert client.get_repo("alice/plugin").full_name == "alice/plugin"
    assert fault.hits == 2
    statuses = [status for method, path, status, _ in gh.request_log if path == "/api/v3/repos/alice/plugin"]
    assert statuses == [502, 502, 200]


def test_pygithub_without_retries_raises_on_502(gh: GitHubStandIn) -> None:
    gh.faults.fail("GET", REPO_ROUTE, status=502, times=2)
    client = pygithub(gh, gh.token_for("alice"))
    with pytest.raises(github.GithubException) as failed:
        client.get_repo("alice/plugin")
    assert failed.value.status == 502
    # The fault counts down: the second call fails too, the third succeeds.
    with pytest.raises(github.GithubException):
        client.get_repo("alice/plugin")
    assert client.get_repo("alice/plugin").name == "plugin"


def test_secondary_rate_limit_answers_403_with_retry_after(gh: GitHubStandIn) -> None:
    gh.faults.secondary_rate_limit("POST", r"/issues$", retry_after=1)
    url = f"{gh.api_url}/repos/alice/plugin/issues"
    auth = {"Authorization": f"token {gh.token_for('alice')}"}
    limited = requests.post(url, headers=auth, json={"title": "x"}, timeout=10)
    assert limited.status_code == 403
    assert limited.headers["Retry-After"] == "1"
    assert limited.json()["message"].startswith("You have exceeded a secondary rate limit")
    without_retry = pygithub(gh, gh.token_for("alice"))
    gh.faults.secondary_rate_limit("POST", r"/issues$", retry_after=1)
    with pytest.raises(github.GithubException) as raised:
        without_retry.get_repo("alice/plugin").create_issue("y")
    assert raised.value.status == 403
    # PyGithub's retry honours Retry-After and succeeds afterwards.
    gh.faults.secondary_rate_limit("POST", r"/issues$", retry_after=1)
    patient = pygithub(gh, gh.token_for("alice"), retry=github.GithubRetry(total=2, backoff_factor=0.01))
    started = time.monotonic()
    assert patient.get_repo("alice/plugin").create_issue("z").title == "z"
    assert time.monotonic() - started >= 1.0


def test_latency_and_dropped_connections(gh: GitHubStandIn) -> None:
    gh.faults.latency("GET", r"/rate_limit$", seconds=0.3)
    started = time.monotonic()
    assert requests.get(f"{gh.api_url}/rate_limit", timeout=10).status_code == 200
    assert time.monotonic() - started >= 0.3
    gh.faults.drop("GET", r"/rate_limit$")
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{gh.api_url}/rate_limit", timeout=10)
    assert requests.get(f"{gh.api_url}/rate_limit", timeout=10).status_code == 200


def test_faults_on_git_and_raw(gh: GitHubStandIn, tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "a.txt").write_text("a\n")
    gh.push_directory("alice/plugin", source)
    gh.faults.fail("GET", r"/info/refs$", status=503)
    assert requests.get(f"{gh.url}/alice/plugin.git/info/refs?service=git-upload-pack", timeout=10).status_code == 503
    gh.faults.fail("GET", r"/a\.txt$", status=500, server="raw")
    assert requests.get(f"{gh.raw_url}/alice/plugin/main/a.txt", timeout=10).status_code == 500
    assert requests.get(f"{gh.raw_url}/alice/plugin/main/a.txt", timeout=10).text == "a\n"
    gh.faults.fail("*", r"", status=502, times=1)
    gh.faults.clear()
    assert requests.get(f"{gh.api_url}/rate_limit", timeout=10).status_code == 200


def test_primary_rate_limit_when_enforced(gh: GitHubStandIn) -> None:
    gh.set_rate_limit(authenticated=3, anonymous=1)
    client = pygithub(gh, gh.token_for("alice"))
    for _ in range(3):
        client.get_repo("alice/plugin")
    with pytest.raises(github.RateLimitExceededException) as limited:
        client.get_repo("alice/plugin")
    assert limited.value.status == 403
    assert limited.value.headers is not None and limited.value.headers["x-ratelimit-remaining"] == "0"
    assert requests.get(f"{gh.api_url}/repos/alice/plugin", timeout=10).status_code == 200
    anonymous = requests.get(f"{gh.api_url}/repos/alice/plugin", timeout=10)
    assert anonymous.status_code == 403 and anonymous.json()["message"].startswith("API rate limit exceeded for")
