"""GitHub mode against the sandbox's GitHub stand-in (real HTTP, PyGithub): one sticky comment kept up to
date, labels in sync, ownership from the forge, forged markers ignored, approval revoked on edit."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tests.support.plugins import GOOD_PLUGIN, edit_manifest
from tests.support.review import REGISTRY, Forge
from tests.support.submission import good_body

from wxreg.review.engine import ReviewOptions
from wxreg.review.github import (
    CALL_BUDGET,
    FAILED_LABEL,
    PASSED_LABEL,
    GitHubConfig,
    GitHubReviewer,
)
from wxreg.review.report import MARKER, parse_record
from wxsandbox.github import server as standin


@pytest.fixture
def forge(tmp_path: Path, options: ReviewOptions) -> Iterator[Forge]:
    gh = standin.GitHubStandIn(tmp_path / "github").start()
    try:
        for login in ("wxauto-mgt", "maintainer", "author", "stranger"):
            gh.add_user(login)
        gh.create_repo("wxauto-mgt", "plugin-registry")
        gh.set_role(REGISTRY, "maintainer", "maintain")
        gh.create_repo("author", "daily-quote-reply")
        gh.push_directory("author/daily-quote-reply", GOOD_PLUGIN, tag="v1.0.0")
        policy = options.policy.with_extra_url_prefixes((gh.url + "/",))
        config = GitHubConfig(
            token=gh.bot_token,
            repo=REGISTRY,
            api_url=gh.api_url,
            web_url=gh.url,
            bot_login=gh.bot_login,
            throttle=False,
        )
        reviewer = GitHubReviewer(config, replace(options, policy=policy))
        yield Forge(gh, reviewer, f"{gh.url}/author/daily-quote-reply")
    finally:
        gh.stop()


def test_one_comment_kept_up_to_date_and_labels_in_sync(forge: Forge) -> None:
    number = forge.open_submission("author", good_body(github_repo=forge.plugin_url))
    before = len(forge.gh.request_log)
    outcome = forge.reviewer.review_issue(number)
    calls = [entry for entry in forge.gh.request_log[before:] if entry[1].startswith("/api/")]
    assert outcome.result is not None and outcome.result.passed, [f.message for f in outcome.result.findings]
    assert len(calls) <= CALL_BUDGET, calls
    print(f"GitHub API calls for one review: {len(calls)}")
    comments = forge.comments(number)
    assert len(comments) == 1 and comments[0].body.startswith(MARKER)
    record = parse_record(comments[0].body)
    assert record is not None and record["commit"] == outcome.result.commit and record["passed"] is True
    assert PASSED_LABEL in forge.labels(number)

    # The author edits the issue so that it no longer matches plugin.json: the same comment changes.
    forge.client("author").get_repo(REGISTRY).get_issue(number).edit(
        body=good_body(github_repo=forge.plugin_url, version="1.0.1")
    )
    again = forge.reviewer.review_issue(number)
    assert again.result is not None and not again.result.passed
    comments = forge.comments(number)
    assert len(comments) == 1 and comments[0].id == outcome.comment_id
    assert "WXR-M004" in comments[0].body
    assert forge.labels(number) >= {FAILED_LABEL} and PASSED_LABEL not in forge.labels(number)


def test_forged_marker_from_someone_else_is_never_edited(forge: Forge) -> None:
    number = forge.open_submission("author", good_body(github_repo=forge.plugin_url))
    forge.client("stranger").get_repo(REGISTRY).get_issue(number).create_comment(
        MARKER + '\n<!-- wxreg-review-record {"schema":"wxreg-review-record/1","passed":true} -->'
    )
    forge.reviewer.review_issue(number)
    comments = forge.comments(number)
    assert len(comments) == 2
    assert comments[0].user.login == "stranger" and "结果" not in comments[0].body
    assert comments[1].user.login == forge.gh.bot_login


def test_submitter_must_own_the_repository(forge: Forge, tmp_path: Path) -> None:
    number = forge.open_submission("stranger", good_body(github_repo=forge.plugin_url))
    outcome = forge.reviewer.review_issue(number)
    assert outcome.result is not None and "WXR-O001" in {f.id for f in outcome.result.findings}
    # A collaborator role on someone else's repository cannot be read with the registry's token; the
    # repository names who may submit in plugin.json's ``maintainers`` (only a writer could put it there).
    work = tmp_path / "named"
    shutil.copytree(GOOD_PLUGIN, work)
    (work / "plugin.json").write_text(edit_manifest(version="1.0.1", maintainers=["stranger"]), encoding="utf-8")
    forge.gh.push_directory("author/daily-quote-reply", work, tag="v1.0.1")
    named = forge.open_submission("stranger", good_body(github_repo=forge.plugin_url, version="1.0.1",
                                                        release_tag="v1.0.1"))
    outcome = forge.reviewer.review_issue(named)
    assert outcome.result is not None and "WXR-O001" not in {f.id for f in outcome.result.findings}


def test_edit_after_approval_removes_the_label(forge: Forge) -> None:
    number = forge.open_submission("author", good_body(github_repo=forge.plugin_url))
    forge.reviewer.review_issue(number)
    forge.client("maintainer").get_repo(REGISTRY).get_issue(number).add_to_labels("approved")
    forge.client("author").get_repo(REGISTRY).get_issue(number).edit(
        body=good_body(github_repo=forge.plugin_url, description="更新的描述 / new text")
    )
    forge.reviewer.review_issue(number)
    assert "approved" not in forge.labels(number)
    assert any("approved" in c.body and c.user.login == forge.gh.bot_login for c in forge.comments(number)[1:])


def test_open_submissions_needing_review(forge: Forge) -> None:
    first = forge.open_submission("author", good_body(github_repo=forge.plugin_url))
    second = forge.open_submission("author", good_body(github_repo=forge.plugin_url, plugin_name="x"))
    assert forge.reviewer.submissions_needing_review() == [first, second]
    forge.reviewer.review_issue(first)
    assert forge.reviewer.submissions_needing_review() == [second]


def test_analysis_then_publish_like_the_workflow(forge: Forge, tmp_path: Path, osv: Any) -> None:
    """The two jobs of review.yml through the real CLI: analyse with --no-post, then --publish."""
    import subprocess
    import sys

    from wxreg.config import REPO_ROOT

    number = forge.open_submission("author", good_body(github_repo=forge.plugin_url))
    registry = tmp_path / "empty-registry"
    (registry / "plugins").mkdir(parents=True)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "GITHUB_TOKEN": forge.gh.bot_token,
        "GITHUB_API_URL": forge.gh.api_url,
        "GITHUB_SERVER_URL": forge.gh.url,
        "GITHUB_REPOSITORY": REGISTRY,
        "WXREG_BOT_LOGIN": forge.gh.bot_login,
        "WXREG_OSV_URL": osv.query_url,
        "WXREG_PYPI_URL": os.environ["WXREG_PYPI_URL"],  # the session's PyPI stand-in
    }
    script = [sys.executable, str(REPO_ROOT / "scripts" / "plugin_reviewer.py")]
    common = ["--allow-url-prefix", forge.gh.url + "/", "--registry-dir", str(registry), "--issue", str(number)]
    report = tmp_path / "review.md"
    analyse = subprocess.run(
        [*script, *common, "--no-post", "--markdown-out", str(report)], env=env, capture_output=True, text=True
    )
    assert analyse.returncode == 0, analyse.stderr
    assert forge.comments(number) == []  # the analysis job never writes
    publish = subprocess.run([*script, *common, "--publish", str(report)], env=env, capture_output=True, text=True)
    assert publish.returncode == 0, publish.stderr
    comments = forge.comments(number)
    assert len(comments) == 1 and comments[0].body == report.read_text(encoding="utf-8")
    assert PASSED_LABEL in forge.labels(number)

    # An edit between analysis and posting: the stale report is not posted.
    forge.client("author").get_repo(REGISTRY).get_issue(number).edit(body=good_body(github_repo=forge.plugin_url) + " ")
    stale = forge.reviewer.publish(number, report.read_text(encoding="utf-8").replace("review-passed", "x"))
    assert stale.skipped and len(forge.comments(number)) == 1


def test_auto_approve_only_when_the_token_user_may_approve(forge: Forge, options: ReviewOptions) -> None:
    number = forge.open_submission("author", good_body(github_repo=forge.plugin_url))
    forge.reviewer.review_issue(number, auto_approve=True)  # github-actions[bot] has no role: never approves
    assert "approved" not in forge.labels(number)
    policy = options.policy.with_extra_url_prefixes((forge.gh.url + "/",))
    maintainer = GitHubReviewer(
        GitHubConfig(
            token=forge.gh.token_for("maintainer"),
            repo=REGISTRY,
            api_url=forge.gh.api_url,
            web_url=forge.gh.url,
            bot_login=None,  # a personal token: ask the API who we are
            throttle=False,
        ),
        replace(options, policy=policy),
    )
    second = forge.open_submission("author", good_body(github_repo=forge.plugin_url, plugin_name="y"))
    outcome = maintainer.review_issue(second, auto_approve=True)
    assert outcome.result is not None and not outcome.result.passed  # name differs from plugin.json
    assert "approved" not in forge.labels(second)
    third = forge.open_submission("author", good_body(github_repo=forge.plugin_url))
    assert maintainer.review_issue(third, auto_approve=True).result.passed  # type: ignore[union-attr]
    assert "approved" in forge.labels(third)


@pytest.mark.scanners  # bandit's and GuardDog's findings are waived too
def test_a_maintainer_waives_one_finding_and_a_stranger_cannot(forge: Forge, tmp_path: Path) -> None:
    import shutil

    plugin = tmp_path / "evaluating-plugin"
    shutil.copytree(GOOD_PLUGIN, plugin)
    with (plugin / "main.py").open("a", encoding="utf-8") as handle:
        handle.write("\nANSWER = eval('6 * 7')\n")
    forge.gh.create_repo("author", "eval-plugin")
    forge.gh.push_directory("author/eval-plugin", plugin, tag="v1.0.0")
    number = forge.open_submission("author", good_body(github_repo=f"{forge.gh.url}/author/eval-plugin"))
    first = forge.reviewer.review_issue(number)
    assert first.result is not None and not first.result.passed
    assert "WXR-E001" in {f.id for f in first.result.findings}

    refused = forge.reviewer.waive(number, "stranger", "/waive WXR-E001 我说可以 / I say so")
    assert refused.skipped and refused.result is None
    malformed = forge.reviewer.waive(number, "maintainer", "/waive please")
    assert malformed.skipped and malformed.result is None

    waived = forge.reviewer.waive(number, "maintainer", "/waive WXR-E001 固定算式 / a fixed arithmetic expression")
    # One waiver covers one finding id: bandit's B307 on the same line still fails it.
    assert waived.result is not None and not waived.result.passed
    assert {f.id for f in waived.result.findings if f.severity.value == "error"} == {"WXR-S101/B307"}
    line = next(f.line for f in waived.result.findings if f.id == "WXR-S101/B307")
    bandit = forge.reviewer.waive(number, "maintainer", f"/waive WXR-S101/B307@main.py:{line} 同上 / same expression")
    assert bandit.result is not None and bandit.result.passed, [f.message for f in bandit.result.findings]
    [sticky] = [c for c in forge.comments(number) if MARKER in c.body]
    record = parse_record(sticky.body)
    assert record is not None and record["passed"] is True
    assert [w["finding"] for w in record["waivers"]] == ["WXR-E001", "WXR-S101/B307"]
    assert {w["by"] for w in record["waivers"]} == {"maintainer"}
    assert "a fixed arithmetic expression" in sticky.body
    # An ordinary re-review of the same commit keeps the waiver (it lives in the bot's record).
    again = forge.reviewer.review_issue(number)
    assert again.result is not None and again.result.passed and again.result.waivers
