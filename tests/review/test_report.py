"""The sticky comment: marker, commit, scores, grouped findings with links, neutralised text, record, cap."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from wxreg.config import REPO_ROOT
from wxreg.review import rules
from wxreg.review.engine import ReviewResult
from wxreg.review.findings import Finding
from wxreg.review.policy import load_policy
from wxreg.review.report import (
    MARKER,
    MAX_COMMENT_CHARS,
    encode_record,
    neutralise,
    parse_record,
    render_json,
    render_markdown,
)
from wxreg.review.scoring import score
from wxreg.review.submission import Submission

COMMIT = "a" * 40


def result(findings: list[Finding], repo: str = "https://github.com/o/r", **sub: str) -> ReviewResult:
    policy = load_policy()
    submission = replace(Submission(plugin_id="my_plugin", version="1.0.0"), **sub)
    return ReviewResult(
        repo=repo,
        tag="v1.0.0",
        commit=COMMIT,
        digest="h1:" + "A" * 43 + "=",
        submission=submission,
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        scores=score(findings, policy),
        rubric_version=policy.rubric_version,
        security_threshold=policy.security_threshold,
        quality_threshold=policy.quality_threshold,
        issue_number=7,
    )


def test_comment_names_commit_scores_and_groups_by_severity() -> None:
    findings = [
        rules.P001.at("pkg/net.py", 12, permission="network.socket", evidence="import socket"),
        rules.Q002.at(name="docs/"),
        rules.D013.at("requirements.txt", 3, name="requests"),
    ]
    text = render_markdown(result(findings))
    assert text.startswith(MARKER)
    assert COMMIT in text and "安全评分 / Security score" in text and "质量评分 / Quality score" in text
    assert text.index("❌ 错误 / Errors") < text.index("⚠️ 警告 / Warnings") < text.index("ℹ️ 提示 / Info")
    assert f"(https://github.com/o/r/blob/{COMMIT}/pkg/net.py#L12)" in text
    assert "WXR-P001" in text and "修复 / Fix" in text and "How to re-run" in text


def test_untrusted_text_is_neutralised() -> None:
    hostile = "@octocat <img src=x onerror=alert(1)> ![x](https://evil/i.png) --> <!-- [link](https://evil) `code`"
    findings = [rules.F002.at(heading=hostile), rules.G004.at("a --> b/@team.py", target=hostile)]
    text = render_markdown(result(findings, plugin_id="@admin -->"))
    body = text.split("<details>")[0]
    assert "@octocat" not in body and "@team" not in body and "@admin" not in body
    assert "<img" not in text and "-->" not in body.replace(MARKER, "")
    assert "![x](" not in text and "](https://evil" not in text
    record = parse_record(text)
    assert record is not None and record["plugin_id"] == "@admin -->"
    # the record survives only as one HTML comment: nothing untrusted can close it early
    assert text.count("-->") == 2


@pytest.mark.parametrize("url", ["https://evil.example/x", "HTTP://evil.example", "www.evil.example", "ftp://evil"])
def test_bare_urls_from_plugin_data_do_not_autolink(url: str) -> None:
    text = neutralise(f"see {url} now")
    scheme = url.split(":")[0].split(".")[0]
    assert url not in text and scheme + "\u200b" in text
    assert text.replace("\u200b", "").replace("\\", "") == f"see {url} now"


def test_neutralise_is_one_line_and_capped() -> None:
    assert "\n" not in neutralise("a\nb\r\nc")
    assert len(neutralise("x" * 10_000)) <= 500


def test_record_round_trip_and_forged_record_ignored_without_marker() -> None:
    res = result([])
    text = render_markdown(res)
    assert parse_record(text) == json.loads(json.dumps(res.record()))
    assert res.record().keys() >= {"repo", "tag", "commit", "digest", "body_sha256", "security_score",
                                   "quality_score", "rubric_version"}  # fmt: skip
    assert parse_record(text.replace(MARKER, "")) is None
    assert "<" not in encode_record({"x": "</details><script>"})


def test_comment_stays_under_the_cap_with_thousands_of_findings() -> None:
    findings = [rules.S101.at(f"f{i}.py", i, test_id="B101", severity_text="LOW", confidence="HIGH",
                              text="y" * 300) for i in range(5000)]  # fmt: skip
    text = render_markdown(result(findings))
    assert len(text) < MAX_COMMENT_CHARS
    assert "more not shown" in text
    assert parse_record(text) is not None


def test_local_repo_paths_are_not_links() -> None:
    text = render_markdown(result([rules.M006.at("plugin.json", entry="x.py")], repo="/home/me/plugin"))
    assert "](/home" not in text and "`plugin.json`" in text


def test_json_has_the_contract_keys() -> None:
    data = json.loads(render_json(result([rules.M001.at("plugin.json")])))
    assert {"passed", "security_score", "quality_score", "commit", "digest", "findings"} <= data.keys()
    assert set(data["findings"][0]) >= {"id", "severity", "check", "path", "line", "message", "fix"}
    assert data["passed"] is False


def test_scores_follow_the_policy() -> None:
    policy = load_policy()
    one_warning = score([rules.D003.at(name="x", spec="*")], policy)
    assert one_warning.security == 100 - policy.deductions["security"][rules.D003.severity]
    capped = score([rules.D003.at(name=f"x{i}", spec="*") for i in range(50)], policy)
    assert (
        capped.security == 100 - policy.max_deducted_per_finding_id * policy.deductions["security"][rules.D003.severity]
    )
    assert not score([rules.M006.at(entry="x")], policy).passed
    shuffled = [rules.Q002.at(name="a"), rules.D003.at(name="b", spec="*"), rules.Q003.at(section="s", examples="")]
    assert score(shuffled, policy) == score(list(reversed(shuffled)), policy)


def test_every_rule_is_bilingual_with_a_fix() -> None:
    for rule in rules.ALL_RULES.values():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in rule.zh), rule.id
        assert rule.en.isascii() or "{" in rule.en, rule.id
        assert rule.fix


def test_rubric_is_the_fresh_rendering_of_policy_and_catalogue() -> None:
    from wxreg.config import REPO_ROOT
    from wxreg.review.rubric import render_rubric

    committed = (REPO_ROOT / "scripts" / "wxreg" / "review" / "RUBRIC.md").read_text(encoding="utf-8")
    assert committed == render_rubric(), "regenerate: python -m wxreg.review.rubric > scripts/wxreg/review/RUBRIC.md"
    policy = load_policy()
    assert f"version {policy.rubric_version}" in committed
    for rule_id in rules.ALL_RULES:
        assert f"| `{rule_id}` |" in committed


def test_backticks_in_our_text_stay_code_and_hostile_backticks_stay_inert() -> None:
    from wxreg.review.report import rich

    assert rich("Write `name==version` only") == "Write `name==version` only"
    hostile = rich("x `@team --> <b>` y `")  # unpaired: all plain, escaped
    assert "@team" not in hostile and "<b>" not in hostile and "-->" not in hostile
    paired = rich("a `@team --> <b>` b")
    assert "@team" not in paired and "-->" not in paired


def test_capability_table_for_authors_is_fresh() -> None:
    from wxreg.review.capabilities import render_capabilities

    committed = (REPO_ROOT / "scripts" / "wxreg" / "review" / "CAPABILITIES.md").read_text(encoding="utf-8")
    assert committed == render_capabilities(), (
        "regenerate: python -m wxreg.review.rubric --capabilities > scripts/wxreg/review/CAPABILITIES.md"
    )
    smtplib = next(line for line in committed.splitlines() if line.startswith("| `smtplib` |"))
    assert "network.socket" in smtplib


def test_a_failed_review_starts_with_why() -> None:
    findings = [
        rules.E001.at("main.py", 3, evidence="eval"),
        rules.E001.at("main.py", 9, evidence="exec"),
        rules.P005.at("main.py", 1, module="left_pad"),
        rules.Q002.at(name="docs/"),
    ]
    text = render_markdown(result(findings))
    first = text.split("\n")[1]
    assert first.startswith("**未通过原因 / Failed because**:")
    assert "`WXR-E001` ×2" in first and "`WXR-P005`" in first and "WXR-Q002" not in first
    assert text.index("Failed because") < text.index("## 插件审核报告")
    assert "Failed because" not in render_markdown(result([rules.Q002.at(name="docs/")]))
