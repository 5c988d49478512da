"""The OSV stand-in answers the real pip-audit (``-s osv --osv-url``) as osv.dev would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import requests

from wxsandbox.osv import Advisory, OsvStandIn

PIP_AUDIT = Path(sys.executable).parent / "pip-audit"


def _audit(osv: OsvStandIn, requirements: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    # --no-deps --disable-pip: read the pinned file only, never run pip or build anything (SECURITY.md §3.3).
    return subprocess.run(
        [str(PIP_AUDIT), "-s", "osv", "--osv-url", osv.query_url, "-r", str(requirements), "--no-deps",
         "--disable-pip", "--strict", "-f", "json", "--progress-spinner", "off", "--cache-dir", str(cache)],
        capture_output=True, text=True, timeout=120, check=False)


def test_pip_audit_finds_pysec_2018_28(osv: OsvStandIn, tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("requests==2.19.0\nidna==3.20\n", encoding="utf-8")
    done = _audit(osv, requirements, tmp_path / "cache")
    assert done.returncode == 1, done.stderr  # vulnerabilities found
    report = {dep["name"]: dep for dep in json.loads(done.stdout)["dependencies"]}
    found = {v["id"]: v for v in report["requests"]["vulns"]}
    # Real records: 2.19.0 is affected by PYSEC-2018-28 and by GHSA-j8r2-6x86-q33q and GHSA-9wx4-h78v-vm56,
    # which pip-audit names by a preferred alias (PYSEC-2023-74, CVE-2024-35195).
    assert set(found) == {"PYSEC-2018-28", "PYSEC-2023-74", "CVE-2024-35195"}
    vuln = found["PYSEC-2018-28"]
    assert "CVE-2018-18074" in vuln["aliases"]
    assert vuln["fix_versions"] == ["2.20.0"]
    assert report["idna"]["vulns"] == []
    assert ("requests", "2.19.0") in osv.queries


def test_fixed_version_is_clean_and_new_advisories_are_seen(osv: OsvStandIn, tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("requests==2.32.3\n", encoding="utf-8")
    assert _audit(osv, requirements, tmp_path / "cache-1").returncode == 0
    osv.add(Advisory(id="SANDBOX-2026-0002", package="requests", introduced="2.32.0", fixed="2.32.4",
                     summary="A vulnerability published after the first audit"))
    again = _audit(osv, requirements, tmp_path / "cache-2")
    assert again.returncode == 1
    assert "SANDBOX-2026-0002" in again.stdout


def test_query_shapes(osv: OsvStandIn) -> None:
    none = requests.post(osv.query_url, json={"package": {"name": "requests", "ecosystem": "PyPI"},
                                              "version": "2.34.2"}, timeout=5)
    assert none.json() == {}  # osv.dev's answer when nothing is known
    batch = requests.post(f"{osv.url}/v1/querybatch", json={"queries": [
        {"package": {"name": "Requests", "ecosystem": "PyPI"}, "version": "2.0.0"},
        {"package": {"name": "idna", "ecosystem": "PyPI"}, "version": "3.20"}]}, timeout=5).json()
    assert batch["results"][0]["vulns"][0]["id"] == "PYSEC-2018-28"
    assert batch["results"][1] == {}
    record = requests.get(f"{osv.url}/v1/vulns/PYSEC-2018-28", timeout=5).json()
    assert record["affected"][0]["ranges"][0]["events"] == [{"introduced": "0"}, {"fixed": "2.20.0"}]
    assert requests.post(osv.query_url, data=b"not json", timeout=5).status_code == 400


def test_real_advisories_and_their_ranges(osv: OsvStandIn) -> None:
    assert [a.id for a in osv.matching("PyYAML", "5.3.1")] == ["PYSEC-2021-142"]
    assert osv.matching("pyyaml", "5.4") == []
    assert [a.id for a in osv.matching("urllib3", "2.0.5")] == ["GHSA-v845-jxx5-vc9f"]
    assert osv.matching("urllib3", "2.0.6") == [] and osv.matching("urllib3", "1.26.17") == []
    record = requests.get(f"{osv.url}/v1/vulns/GHSA-v845-jxx5-vc9f", timeout=5).json()
    assert record["affected"][0]["ranges"][0]["events"] == [
        {"introduced": "0"}, {"fixed": "1.26.17"}, {"introduced": "2.0.0"}, {"fixed": "2.0.6"}]


def test_the_reviews_in_process_audit_says_what_the_cli_says(osv: OsvStandIn, tmp_path: Path) -> None:
    """The review runs pip-audit's OSV service in its own interpreter: same pins, same answer as the CLI
    (ids, aliases, fixes; clean pins clean), and a service that answers garbage fails the audit."""
    from types import SimpleNamespace
    from typing import Any

    from wxreg.review.checks.dependencies import Dependency, run_pip_audit
    from wxreg.review.context import ToolConfig

    osv.add(Advisory(id="SANDBOX-2026-0003", package="pyyaml", introduced="5.0", fixed="6.0.3",
                     summary="A second package with an advisory"))
    pins = [("requests", "2.19.0"), ("idna", "3.20"), ("pyyaml", "6.0.2"), ("requests", "2.32.3")]
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("".join(f"{n}=={v}\n" for n, v in pins[:3]), encoding="utf-8")
    cli = json.loads(_audit(osv, requirements, tmp_path / "cache").stdout)["dependencies"]
    ctx: Any = SimpleNamespace(tools=ToolConfig(osv_url=osv.query_url))
    report, problem = run_pip_audit(ctx, [Dependency(n, f"=={v}", v, "requirements.txt", 1) for n, v in pins[:3]])
    assert problem is None and report is not None

    def shape(entries: list[dict[str, Any]]) -> dict[str, Any]:
        return {e["name"]: (e["version"], sorted((v["id"], sorted(v["aliases"]), v["fix_versions"])
                                                 for v in e["vulns"])) for e in entries}  # fmt: skip

    assert shape(report["dependencies"]) == shape(cli)
    assert shape(report["dependencies"])["pyyaml"][1] == [("SANDBOX-2026-0003", [], ["6.0.3"])]
    clean, _ = run_pip_audit(ctx, [Dependency("requests", "==2.32.3", "2.32.3", "requirements.txt", 1)])
    assert clean is not None and clean["dependencies"][0]["vulns"] == []
    # An answer that is not OSV's (a 404 error body, then a dead port): no report, a reason naming pip-audit.
    for url in (f"{osv.url}/v1/unavailable", "http://127.0.0.1:9/v1/query"):
        dead: Any = SimpleNamespace(tools=ToolConfig(osv_url=url, network_timeout_seconds=2))
        report, problem = run_pip_audit(dead, [Dependency("requests", "==2.19.0", "2.19.0", "plugin.json", None)])
        assert report is None and problem is not None and problem.startswith("pip-audit: "), problem
