"""Waivers: parsed from a maintainer's comment, applied to one commit only, kept in the record and the entry."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from tests.support.corpus import fast_checks, load_cases, review_case

from wxreg.config import REPO_ROOT
from wxreg.models import PluginEntry
from wxreg.review import rules
from wxreg.review.engine import ReviewOptions
from wxreg.review.findings import Severity
from wxreg.review.policy import load_policy
from wxreg.review.report import parse_record, render_markdown
from wxreg.review.waivers import Waiver, WaiverError, apply, from_record, merge, parse_command

COMMIT = "a" * 40


def test_parse_command_with_and_without_location() -> None:
    waiver = parse_command("/waive WXR-E001 固定算式 / a fixed expression\nmore", commit=COMMIT, by="maint")
    assert (waiver.finding_id, waiver.path, waiver.line, waiver.reason) == (
        "WXR-E001",
        None,
        None,
        "固定算式 / a fixed expression",
    )
    one = parse_command("/waive WXR-S101/B602@tools/run.py:12 fixed command", commit=COMMIT, by="maint")
    assert (one.finding_id, one.path, one.line) == ("WXR-S101/B602", "tools/run.py", 12)


@pytest.mark.parametrize(
    "body",
    [
        "/waive",
        "/waive WXR-E001",
        "/waive E001 reason",
        "please /waive WXR-E001 x",
        "/waive WXR-E0011 reason",
        "/waiveWXR-E001 reason",
    ],
)
def test_malformed_commands_are_refused(body: str) -> None:
    with pytest.raises(WaiverError):
        parse_command(body, commit=COMMIT, by="maint")


def test_a_waiver_covers_its_commit_and_location_only() -> None:
    finding = rules.E001.at("main.py", 3, evidence="eval")
    other = rules.E001.at("main.py", 9, evidence="eval")
    waiver = Waiver("WXR-E001", COMMIT, "ok", "maint", "main.py", 3)
    out, used = apply([finding, other], [waiver], COMMIT)
    assert [f.severity for f in out] == [Severity.INFO, Severity.ERROR] and used == (waiver,)
    assert "waived by maint" in out[0].message_en
    out, used = apply([finding], [waiver], "b" * 40)  # a new commit is reviewed without it
    assert out[0].severity == Severity.ERROR and used == ()


def test_record_round_trip_drops_malformed_and_merge_keeps_the_latest() -> None:
    good = Waiver("WXR-E001", COMMIT, "ok", "maint").to_dict()
    record = {"waivers": [good, {"finding": "WXR-E001", "commit": "nope", "reason": "x", "by": "y"}, "junk"]}
    assert from_record(record) == (Waiver("WXR-E001", COMMIT, "ok", "maint"),)
    newer = Waiver("WXR-E001", COMMIT, "better", "other")
    assert merge(from_record(record), [newer]) == (newer,)


def test_waived_review_passes_shows_the_waiver_and_records_it(tmp_path: Path) -> None:
    registry = tmp_path / "registry"
    (registry / "plugins").mkdir(parents=True)
    options = ReviewOptions(policy=load_policy(), registry_dir=registry, checks=fast_checks())
    case = next(c for c in load_cases("malicious") if c.name == "dynamic/eval_literal")
    failed = review_case(case, options, tmp_path / "CANARY")
    assert not failed.passed and failed.commit
    errors = [f for f in failed.findings if f.severity == Severity.ERROR]
    assert {f.id for f in errors} == {"WXR-E001"}
    waiver = Waiver("WXR-E001", failed.commit, "示例 / an example", "maint")
    from tests.support.corpus import MemorySource, case_files

    from wxreg.review.engine import ReviewRequest, review

    source = MemorySource(case_files(case, tmp_path / "CANARY"))
    result = review(ReviewRequest("corpus", "v1.0.0", waivers=(waiver,)), replace(options, source=source))
    assert result.passed and result.waivers == (waiver,)
    text = render_markdown(result)
    assert "Waivers (1)" in text and "an example" in text
    record = parse_record(text)
    assert record is not None and from_record(record) == (waiver,)


def test_entry_with_waivers_round_trips_and_matches_the_schema() -> None:
    import jsonschema

    schema = json.loads((REPO_ROOT / "schemas" / "registry.schema.json").read_text(encoding="utf-8"))
    registry = schema["examples"][0]
    entry = dict(registry["plugins"][0])
    entry["waivers"] = [
        {"finding": "WXR-E001", "commit": COMMIT, "path": "main.py", "line": 3, "reason": "ok", "by": "maint"},
        {"finding": "WXR-S101/B602", "commit": COMMIT, "reason": "fixed command", "by": "maint"},
    ]
    parsed = PluginEntry.from_dict(entry)
    assert parsed.waivers is not None and parsed.waivers[0].line == 3 and parsed.waivers[1].path is None
    assert parsed.to_dict()["waivers"] == entry["waivers"]
    jsonschema.validate({**registry, "plugins": [parsed.to_dict()]}, schema)
