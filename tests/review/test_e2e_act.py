"""End to end in the sandbox: a user opens a submission through the issue form's rendering, the real
review.yml runs under act, one comment appears with scores and findings, and an edit updates that comment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.support.plugins import GOOD_PLUGIN
from tests.support.submission import GOOD

from wxreg.review.form import load_form
from wxreg.review.report import MARKER, parse_record

pytestmark = pytest.mark.act

TEMPLATE = "plugin-submission.yml"


def answers(plugin_url: str, **changes: Any) -> dict[str, Any]:
    form = load_form()
    values: dict[str, Any] = {**GOOD, "github_repo": plugin_url, **changes}
    out: dict[str, Any] = {}
    for field in form.fields:
        value = values.get(field.id)
        if field.type == "checkboxes":
            if field.id == "checklist":
                out[field.id] = [o.label for o in field.options]
            else:
                out[field.id] = [o.label for o in field.options if o.value in (value or [])]
        elif value is not None:
            out[field.id] = value
    return out


def bot_comments(world: Any, number: int) -> list[Any]:
    issue = world.client("maria").get_repo(world.registry).get_issue(number)
    return [c for c in issue.get_comments() if c.user.login == world.github.bot_login and MARKER in c.body]


def test_submission_reviewed_by_the_real_workflow(world: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    if world.actions is None:
        pytest.skip("the sandbox runs no workflows")
    # Configuration the runner's steps inherit: the sandbox's OSV stand-in for pip-audit.
    monkeypatch.setenv("WXREG_OSV_URL", world.osv.query_url)
    commit = world.make_plugin_repo("alice", "daily-quote-reply", GOOD_PLUGIN, tag="v1.0.0")
    plugin_url = f"{world.github.url}/alice/daily-quote-reply"

    number = world.github.submit_issue_form(world.registry, TEMPLATE, answers(plugin_url), login="alice")
    assert world.actions.wait_idle(240)
    runs = world.actions.runs_for(workflow=".github/workflows/review.yml")
    assert runs and runs[-1].conclusion == "success", runs[-1].log[-4000:] if runs else "no run"
    comments = bot_comments(world, number)
    assert len(comments) == 1, [c.body[:200] for c in comments]
    record = parse_record(comments[0].body)
    assert record is not None and record["commit"] == commit and record["passed"] is True
    assert record["security_score"] >= 90
    issue = world.client("alice").get_repo(world.registry).get_issue(number)
    assert "review-passed" in {label.name for label in issue.labels}

    # The author edits the issue: the same comment is updated, no second comment appears.
    issue.edit(body=issue.body.replace("1.0.0", "1.0.1", 1))
    assert world.actions.wait_idle(240)
    comments_after = bot_comments(world, number)
    assert [c.id for c in comments_after] == [comments[0].id]
    assert comments_after[0].body != comments[0].body and "WXR-M004" in comments_after[0].body
    labels = {label.name for label in world.client("alice").get_repo(world.registry).get_issue(number).labels}
    assert "review-failed" in labels and "review-passed" not in labels
