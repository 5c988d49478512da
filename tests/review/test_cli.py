"""``scripts/plugin_reviewer.py``: exit 0 passed, 1 failed, 2 could not review (why on stderr)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.plugins import edit_manifest, make_repo
from tests.support.submission import good_body

from wxreg.config import REPO_ROOT
from wxsandbox.osv import OsvStandIn

SCRIPT = REPO_ROOT / "scripts" / "plugin_reviewer.py"


def run(*args: str, osv: OsvStandIn, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    registry = tmp_path / "registry"
    (registry / "plugins").mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--osv-url", osv.query_url, "--registry-dir", str(registry), *args],
        capture_output=True,
        text=True,
        timeout=120,
        # The session's PyPI stand-in (``pypi_index``), so the index check never asks pypi.org.
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "WXREG_PYPI_URL": os.environ["WXREG_PYPI_URL"]},
    )


def test_good_plugin_exits_0_with_json(tmp_path: Path, osv: OsvStandIn) -> None:
    repo = make_repo(tmp_path / "good")
    done = run("--repo", str(repo), "--tag", "v1.0.0", "--json", osv=osv, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr + done.stdout
    data = json.loads(done.stdout)
    assert data["passed"] is True and data["security_score"] >= 90
    assert len(data["commit"]) == 40 and data["digest"].startswith("h1:")
    for finding in data["findings"]:
        assert {"id", "severity", "check", "path", "line", "message"} <= finding.keys()


def test_failed_review_exits_1_with_markdown(tmp_path: Path, osv: OsvStandIn) -> None:
    repo = make_repo(tmp_path / "bad", {"plugin.json": edit_manifest(permissions=[]), "x.py": "import socket\n"})
    out = tmp_path / "report.md"
    done = run("--repo", str(repo), "--tag", "v1.0.0", "--markdown-out", str(out), osv=osv, tmp_path=tmp_path)
    assert done.returncode == 1
    assert "WXR-P001" in done.stdout and out.read_text(encoding="utf-8") == done.stdout.rstrip("\n") + "\n"


def test_missing_tag_exits_1(tmp_path: Path, osv: OsvStandIn) -> None:
    repo = make_repo(tmp_path / "p")
    done = run("--repo", str(repo), "--tag", "v7.0.0", "--json", osv=osv, tmp_path=tmp_path)
    assert done.returncode == 1 and json.loads(done.stdout)["findings"][0]["id"] == "WXR-G002"


def test_cannot_review_exits_2_with_reason(tmp_path: Path, osv: OsvStandIn) -> None:
    done = run("--repo", str(tmp_path / "nowhere"), "--tag", "v1.0.0", osv=osv, tmp_path=tmp_path)
    assert done.returncode == 2 and "could not review" in done.stderr and done.stdout == ""
    done = run("--repo", str(tmp_path), osv=osv, tmp_path=tmp_path)
    assert done.returncode == 2 and "--tag" in done.stderr
    done = run("--issue", "3", osv=osv, tmp_path=tmp_path)
    assert done.returncode == 2 and "token" in done.stderr


def test_issue_body_file_against_a_local_repo(tmp_path: Path, osv: OsvStandIn) -> None:
    repo = make_repo(tmp_path / "good")
    body = tmp_path / "body.md"
    body.write_text(good_body(version="1.0.1"), encoding="utf-8")
    done = run("--repo", str(repo), "--body-file", str(body), "--json", osv=osv, tmp_path=tmp_path)
    data = json.loads(done.stdout)
    assert done.returncode == 1 and "WXR-M004" in {f["id"] for f in data["findings"]}
    assert data["record"]["body_sha256"] != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_disallowed_url_is_a_failed_review(tmp_path: Path, osv: OsvStandIn) -> None:
    done = run("--repo", "https://gitlab.example/o/r", "--tag", "v1.0.0", "--json", osv=osv, tmp_path=tmp_path)
    assert done.returncode == 1 and json.loads(done.stdout)["findings"][0]["id"] == "WXR-G001"
