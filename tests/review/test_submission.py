"""Issue body -> Submission: the GitHub rendering, and hostile bodies. Never an exception."""

from __future__ import annotations

import pytest
from tests.support.submission import GOOD, good_body, render

from wxreg.review.submission import MAX_BODY_CHARS, parse_issue_body


def finding_ids(body: str | None) -> list[str]:
    return [f.id for f in parse_issue_body(body).findings]


def test_good_body_parses_cleanly() -> None:
    parsed = parse_issue_body(good_body())
    sub = parsed.submission
    assert parsed.findings == ()
    assert sub.plugin_id == "daily_quote_reply"
    assert sub.release_tag == "v1.0.0"
    assert sub.supported_os == ("Windows", "Linux", "Darwin")
    assert sub.permissions == ("network.https", "config.read", "message.process", "message.send")
    assert sub.dependencies == ("requests==2.32.3",)
    assert sub.features == ("名言回复", "离线兜底")
    assert sub.description.startswith("收到")
    assert sub.gitee_repo is None and sub.demo_video is None
    assert sub.checklist_complete is True
    assert len(sub.body_sha256) == 64


def test_crlf_body_parses_the_same() -> None:
    crlf = parse_issue_body(render(GOOD, newline="\r\n")).submission
    lf = parse_issue_body(good_body()).submission
    assert crlf.plugin_id == lf.plugin_id and crlf.description == lf.description
    assert crlf.body_sha256 != lf.body_sha256  # the hash pins the exact body


def test_no_response_and_none_are_empty_and_required_ones_reported() -> None:
    parsed = parse_issue_body(good_body(plugin_id=None, category=None))
    assert parsed.submission.plugin_id == "" and parsed.submission.category == ""
    assert sorted(f.message_en for f in parsed.findings if f.id == "WXR-F001") == [
        "required field 'category' is missing",
        "required field 'plugin_id' is missing",
    ]


def test_unticked_checklist_is_an_error() -> None:
    assert finding_ids(good_body(checklist=[])) == ["WXR-F006"]


def test_fenced_dependencies_are_unfenced() -> None:
    parsed = parse_issue_body(good_body(dependencies="# pinned\nrequests==2.32.3\naiohttp==3.9.5"))
    assert parsed.submission.dependencies == ("requests==2.32.3", "aiohttp==3.9.5")


def test_textarea_cannot_override_an_earlier_field() -> None:
    hostile = "说明\n\n### 插件 ID / Plugin ID\n\nwxauto_official\n\n### 版本号 / Version\n\n9.9.9"
    parsed = parse_issue_body(good_body(description=hostile))
    assert parsed.submission.plugin_id == "daily_quote_reply"
    assert parsed.submission.version == "1.0.0"
    assert "### 插件 ID" in parsed.submission.description
    assert {f.id for f in parsed.findings} == {"WXR-F007"}


def test_textarea_cannot_override_a_later_field() -> None:
    hostile = "说明\n\n### GitHub 仓库 / GitHub repository\n\nhttps://github.com/attacker/evil"
    parsed = parse_issue_body(good_body(description=hostile))
    assert parsed.submission.github_repo == "https://github.com/example-author/daily-quote-reply"


def test_duplicated_heading_in_a_one_line_field_is_an_error() -> None:
    body = good_body().replace(
        "### 版本号 / Version\n\n1.0.0", "### 版本号 / Version\n\n1.0.0\n\n### 插件 ID / Plugin ID\n\nother_id"
    )
    parsed = parse_issue_body(body)
    assert parsed.submission.plugin_id == "daily_quote_reply"
    assert "WXR-F003" in {f.id for f in parsed.findings}


def test_unknown_heading_is_reported_and_ignored() -> None:
    body = good_body().replace("### 版本号 / Version\n\n1.0.0", "### 版本号 / Version\n\n1.0.0\n\n### Bonus\n\nhi")
    parsed = parse_issue_body(body)
    assert parsed.submission.version.startswith("1.0.0")
    assert {f.id for f in parsed.findings} >= {"WXR-F002"}


def test_body_over_the_cap_is_cut_and_reported() -> None:
    body = good_body(features="x" * (MAX_BODY_CHARS + 10))
    parsed = parse_issue_body(body)
    assert "WXR-F004" in {f.id for f in parsed.findings}
    assert parsed.submission.plugin_id == "daily_quote_reply"


@pytest.mark.parametrize(
    "body",
    [None, "", "hello", "### \n\n", "###", "\x00\x01\x02", "### 插件 ID / Plugin ID", "\r\r\r", "💥" * 1000,
     "### 插件 ID / Plugin ID\n\n" + "a\n" * 10000],
)  # fmt: skip
def test_hostile_bodies_never_raise(body: str | None) -> None:
    parsed = parse_issue_body(body)
    assert not parsed.ok
    assert parsed.findings


def test_multiline_input_and_bad_email_and_unknown_options() -> None:
    body = good_body(author_email="not-an-email", category="games").replace(
        "### 版本号 / Version\n\n1.0.0", "### 版本号 / Version\n\n1.0.0\nsecond line"
    )
    body = body.replace("- [ ] file.read", "- [X] file.readd")
    found = parse_issue_body(body)
    assert {f.id for f in found.findings} >= {"WXR-F005", "WXR-F009"}
    assert found.submission.version == "1.0.0"
    assert found.submission.category == ""


def test_submission_from_manifest() -> None:
    from wxreg.review.submission import Submission

    sub = Submission.from_manifest({"plugin_id": "x_y_z", "name": "N", "permissions": ["file.read", 3]}, "/r", "v1")
    assert sub.source == "manifest" and sub.permissions == ("file.read",) and sub.release_tag == "v1"
