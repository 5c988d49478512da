"""The review diff (listed version -> update) and the auto-merge verdict built on it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wxreg.lifecycle.policy import (
    POLICY_PATH,
    AutoMergePolicy,
    Listed,
    PolicyFileError,
    decide,
    load_auto_merge_policy,
)
from wxreg.review.compare import compare, parse_diff, render_markdown

REPO = "https://github.com/alice/quote"
OLD_COMMIT, NEW_COMMIT = "a" * 40, "b" * 40


def result(version: str = "1.0.0", commit: str = OLD_COMMIT, *, permissions: tuple[str, ...] = ("network.https",),
           dependencies: tuple[str, ...] = ("requests==2.31.0",), security: int = 95, quality: int = 90,
           findings: tuple[dict[str, Any], ...] = (), files: tuple[str, ...] = ("main.py", "plugin.json"),
           repo: str = REPO, author: str = "alice", **extra: Any) -> dict[str, Any]:
    return {
        "passed": True, "repo": repo, "commit": commit, "security_score": security, "quality_score": quality,
        "findings": list(findings), "files": list(files),
        "submission": {"version": version, "permissions": list(permissions), "dependencies": list(dependencies),
                       "author_github": author, "github_repo": repo, "gitee_repo": None},
        **extra,
    }


def record(version: str = "1.1.0", commit: str = NEW_COMMIT, passed: bool = True) -> dict[str, Any]:
    return {"plugin_id": "quote", "version": version, "repo": REPO, "commit": commit, "passed": passed}


LISTED = Listed("quote", "1.0.0", REPO, "alice", OLD_COMMIT)


def test_nothing_material_changed_is_safe() -> None:
    diff = compare(result(), result("1.1.0", NEW_COMMIT))
    assert all(change.empty for change in diff.facts)
    assert not diff.identity and not diff.scores_lower and not diff.waived
    verdict = decide(AutoMergePolicy(), record(), diff, LISTED, "alice")
    assert verdict.automatic, verdict.reasons
    assert "nothing material changed" in render_markdown(diff)


def test_new_permission_capability_and_dependency_each_stop_the_merge() -> None:
    new = result("1.1.0", NEW_COMMIT, permissions=("network.https", "file.write"),
                 dependencies=("requests==2.32.3", "httpx==0.27.0"), capabilities=["subprocess"])
    diff = compare(result(capabilities=[]), new)
    assert diff.fact("permissions").added == ("file.write",)
    assert diff.fact("dependencies").added == ("httpx==0.27.0",)
    assert diff.fact("dependencies").changed == ("requests==2.31.0 → requests==2.32.3",)
    assert diff.fact("capabilities").added == ("subprocess",)
    verdict = decide(AutoMergePolicy(), record(), diff, LISTED, "alice")
    assert not verdict.automatic
    text = "\n".join(verdict.reasons)
    assert "file.write" in text and "httpx" in text and "subprocess" in text and "requests==2.32.3" in text


def test_dropped_permission_is_shown_but_safe() -> None:
    diff = compare(result(permissions=("network.https", "file.read")), result("1.1.0", NEW_COMMIT))
    assert diff.fact("permissions").dropped == ("file.read",)
    assert decide(AutoMergePolicy(), record(), diff, LISTED, "alice").automatic


def test_new_fields_of_later_reviews_are_picked_up_as_objects() -> None:
    old = result(endpoints=[{"name": "api.example.com"}])
    new = result("1.1.0", NEW_COMMIT, endpoints=[{"name": "api.example.com"}, {"name": "evil.example"}])
    assert compare(old, new).fact("endpoints").added == ("evil.example",)


def test_lower_score_identity_change_waiver_major_and_a_version_the_client_cannot_compare() -> None:
    waived = {"id": "WXR-S001", "path": "main.py", "waived": True}
    new = result("2.0.0", NEW_COMMIT, security=80, repo="https://github.com/mallory/quote", author="mallory",
                 findings=(waived,), files=("main.py", "plugin.json", "helper.py"))
    diff = compare(result(), new)
    assert diff.files_added == ("helper.py",)
    assert diff.waived == ("WXR-S001 main.py",)
    assert {name for name, _, _ in diff.identity} == {"repository", "author"}
    verdict = decide(AutoMergePolicy(), record("2.0.0"), diff, LISTED, "mallory")
    text = "\n".join(verdict.reasons)
    for needle in ("security score", "waivers", "major version", "identity changed", "owner on record"):
        assert needle in text
    assert decide(AutoMergePolicy(), record("1.1.0rc1"), compare(result(), result("1.1.0rc1", NEW_COMMIT)),
                  LISTED, "alice").reasons == ("版本 1.1.0rc1 不是 2 到 4 段数字 / version 1.1.0rc1 is not 2 to 4 "
                                               "all-digit parts",)


def test_switches_and_baseline() -> None:
    diff = compare(result(), result("1.1.0", NEW_COMMIT))
    off = AutoMergePolicy.from_dict({**json.loads(POLICY_PATH.read_text()), "plugins": {
        "quote": {"enabled": False, "reason": "watch closely"}}})
    assert "watch closely" in decide(off, record(), diff, LISTED, "alice").reasons[0]
    assert not decide(AutoMergePolicy(enabled=False), record(), diff, LISTED, "alice").automatic
    assert not decide(AutoMergePolicy(), record(passed=False), diff, LISTED, "alice").automatic
    assert not decide(AutoMergePolicy(), record(), diff, None, "alice").automatic  # a first listing
    assert not decide(AutoMergePolicy(), record(), None, LISTED, "alice").automatic  # no diff
    moved = Listed("quote", "1.0.1", REPO, "alice", "c" * 40)  # main listed another commit since the review
    assert not decide(AutoMergePolicy(), record(), diff, moved, "alice").automatic
    assert not decide(AutoMergePolicy(), record("0.9.0"), diff, LISTED, "alice").automatic  # older


def test_diff_block_round_trips_and_cannot_be_closed_early() -> None:
    new = result("1.1.0", NEW_COMMIT, dependencies=("evil-->pkg==1", "requests==2.31.0"))
    diff = compare(result(), new)
    text = render_markdown(diff)
    assert text.count("-->") == 1  # only the block's own end
    assert parse_diff(text) == diff


def test_policy_file_is_valid_and_a_bad_one_is_refused(tmp_path: Path) -> None:
    assert load_auto_merge_policy().enabled
    bad = tmp_path / "p.json"
    bad.write_text(json.dumps({**json.loads(POLICY_PATH.read_text()), "max_score_drop": -1}))
    with pytest.raises(PolicyFileError):
        load_auto_merge_policy(bad)
