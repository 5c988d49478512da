"""Every command a user types answers a mistake with a short bilingual line and an exit status, never a
traceback. Each row is a bad invocation, run as a subprocess from a directory outside the repository."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.firsthour import ROOT, WXREG, WXSANDBOX, assert_no_traceback, plugin_repo, run

REGISTRY_JSON = ROOT / "tests" / "fixtures" / "registry-example" / "registry" / "registry.json"

BAD: list[tuple[str, list[str], dict[str, str]]] = [
    ("review: no such path", [WXREG, "review", "{tmp}/missing", "--tag", "v1.0.0"], {}),
    ("review: not a repository", [WXREG, "review", "{tmp}", "--tag", "v1.0.0"], {}),
    ("review: no such tag", [WXREG, "review", "{repo}", "--tag", "v9.9.9"], {}),
    ("review: no tag, not a repository", [WXREG, "review", "{tmp}"], {}),
    ("review: a URL that is not allowed", [WXREG, "review", "https://evil.example/x/y", "--tag", "v1"], {}),
    ("review: unreadable policy", [WXREG, "review", "{repo}", "--tag", "v1.0.0", "--policy", "{tmp}/none.json"], {}),
    ("review: bad format", [WXREG, "review", "{repo}", "--tag", "v1.0.0", "--format", "html"], {}),
    ("client: --dest is a file", [WXREG, "client", "--cache-dir", "{tmp}/c", "--source", str(REGISTRY_JSON),
                                  "download", "weather_query", "--dest", "{tmp}/afile"], {}),
    ("client: bad source", [WXREG, "client", "--source", "ftp://x/registry.json", "stats"], {}),
    ("client: missing file source", [WXREG, "client", "--source", "{tmp}/nothing.json", "stats"], {}),
    ("client: unreachable source", [WXREG, "client", "--cache-dir", "{tmp}/c2", "--timeout", "2", "--source",
                                    "http://127.0.0.1:9/registry.json", "refresh"], {}),
    ("client: bad installed pair", [WXREG, "client", "--cache-dir", "{tmp}/c3", "--source", str(REGISTRY_JSON),
                                    "updates", "weather_query"], {}),
    ("client: unknown plugin", [WXREG, "client", "--cache-dir", "{tmp}/c4", "--source", str(REGISTRY_JSON),
                                "download", "no_such_plugin", "--dest", "{tmp}/d"], {}),
    ("client: bad config", [WXREG, "client", "--config", "{tmp}/afile", "stats"], {}),
    ("doctor: no token", [WXREG, "doctor", "--root", str(ROOT)], {"GITHUB_TOKEN": ""}),
    ("doctor: unreachable API", [WXREG, "doctor", "--root", str(ROOT), "--api-url", "http://127.0.0.1:9"],
     {"GITHUB_TOKEN": "t"}),
    ("doctor: no config", [WXREG, "doctor", "--root", "{tmp}"], {"GITHUB_TOKEN": "t"}),
    ("sandbox: submit-form without a sandbox", [WXSANDBOX, "submit-form", "--as", "alice", "{tmp}/a.yml",
                                                "--state-file", "{tmp}/none.json"], {}),
    ("sandbox: unknown command", [WXSANDBOX, "down"], {}),
    ("wxreg: unknown command", [WXREG, "revew"], {}),
]


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("bad")
    (tmp / "afile").write_text("not a directory\n", encoding="utf-8")
    repo = plugin_repo(tmp / "hello")
    return {"tmp": str(tmp), "repo": str(repo)}


@pytest.mark.parametrize(("what", "command", "env"), BAD, ids=[row[0] for row in BAD])
def test_a_user_error_is_one_short_answer_without_a_traceback(what: str, command: list[str], env: dict[str, str],
                                                               places: dict[str, str]) -> None:
    done = run([part.format(**places) for part in command], cwd=Path(places["tmp"]), env=env, timeout=120)
    assert_no_traceback(done)
    assert done.returncode in (1, 2), (what, done.returncode, done.stdout, done.stderr)
    assert (done.stderr + done.stdout).strip(), what  # the reason: a line on stderr, or a failed review's report
    assert len(done.stderr.strip().splitlines()) <= 6, done.stderr
