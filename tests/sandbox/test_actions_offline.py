"""act and the steps it runs never reach past loopback: no DNS, no notices check, proxies on a guard."""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from wxsandbox.actions import ActRunner
from wxsandbox.github import GitHubStandIn
from wxsandbox.github.testing import pygithub
from wxsandbox.http import HttpServer, Request, Response

pytestmark = pytest.mark.act

SAMPLES = Path(__file__).parent / "workflows"
REPO = "acme/offline"
CONNECT = re.compile(r'connect\(\d+, \{sa_family=AF_INET6?, sin6?_port=htons\((?P<port>\d+)\), '
                     r'(?:sin_addr=inet_addr\("(?P<v4>[^"]+)"\)|.*?inet_pton\(AF_INET6, "(?P<v6>[^"]+)")')
# act opens a UDP socket "to" 8.8.8.8:80 to learn its outbound address; a UDP connect sends nothing.
ROUTE_PROBE = ("8.8.8.8", "80")


@pytest.fixture
def github(tmp_path: Path) -> Iterator[GitHubStandIn]:
    with GitHubStandIn(tmp_path / "github") as github:
        github.add_user("acme")
        github.create_repo("acme", "offline")
        seed = tmp_path / "seed"
        (seed / ".github" / "workflows").mkdir(parents=True)
        shutil.copyfile(SAMPLES / "offline-probe.yml", seed / ".github" / "workflows" / "offline-probe.yml")
        shutil.copyfile(SAMPLES / "greet-issue.yml", seed / ".github" / "workflows" / "greet-issue.yml")
        github.push_directory(REPO, seed)
        yield github


def test_step_traffic_for_the_internet_lands_on_the_guard(github: GitHubStandIn, tmp_path: Path) -> None:
    seen: list[str] = []

    def guard(request: Request) -> Response:
        seen.append(request.raw_path)
        return Response.text("blocked by the sandbox\n", status=403)

    with HttpServer(guard) as guard_server:
        runner = ActRunner(github, tmp_path / "actions", repos=[REPO], internet_guard=guard_server.url)
        github.set_event_sink(runner)
        try:
            pygithub(github, github.token_for("acme")).get_repo(REPO).create_issue("Probe")
            assert runner.wait_idle(60)
        finally:
            runner.close()
    [probe] = runner.runs_for(workflow="offline-probe.yml")
    assert probe.conclusion == "success", probe.log
    assert "blocked: HTTP Error 403" in probe.log
    assert seen == ["http://registry.example.invalid/probe"]
    [greet] = runner.runs_for(workflow="greet-issue.yml")
    assert greet.conclusion == "success", greet.log  # loopback (the stand-in) is not proxied


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace to watch act's connections")
def test_act_and_its_steps_connect_to_loopback_only(github: GitHubStandIn, tmp_path: Path) -> None:
    trace = tmp_path / "connect.trace"
    real_act = Path(shutil.which("act", path=str(Path(sys.executable).parent)) or "act")
    wrapper = tmp_path / "act-traced"
    wrapper.write_text(f'#!/bin/sh\nexec strace -f -qq -e trace=connect -o "{trace}" "{real_act}" "$@"\n',
                       encoding="utf-8")
    wrapper.chmod(0o755)
    runner = ActRunner(github, tmp_path / "actions", repos=[REPO], act_binary=wrapper)
    github.set_event_sink(runner)
    try:
        pygithub(github, github.token_for("acme")).get_repo(REPO).create_issue("Trace")
        assert runner.wait_idle(60)
    finally:
        runner.close()
    assert [run.conclusion for run in runner.runs] == ["success", "success"], [run.log for run in runner.runs]
    remote: list[tuple[str, str]] = []
    loopback = 0
    for line in trace.read_text(encoding="utf-8").splitlines():
        found = CONNECT.search(line)
        if found is None:
            continue
        address = found["v4"] or found["v6"] or ""
        if address in ("127.0.0.1", "::1"):
            loopback += 1
            continue
        if (address, found["port"]) == ROUTE_PROBE:
            continue
        remote.append((address, found["port"]))
    assert loopback > 0  # the trace saw the steps talk to the stand-in
    assert remote == []
