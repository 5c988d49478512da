"""review.yml follows SECURITY.md §2.5: issue triggers, no default permissions, a read-only analysis job,
a posting job that only may write issues, no expressions inside run:, per-issue concurrency."""

from __future__ import annotations

import re
from typing import Any

import yaml

from wxreg.review.policy import REPO_ROOT

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "review.yml"


def load() -> dict[Any, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_triggers_permissions_and_concurrency() -> None:
    flow = load()
    assert flow[True] == {  # YAML 1.1 reads `on` as True
        "issues": {"types": ["opened", "edited", "reopened"]},
        "issue_comment": {"types": ["created"]},  # a maintainer's /waive
        # The release watcher dispatches the review of the update issues it opens (by number only).
        "workflow_dispatch": {"inputs": {"issue": {"description": "提交 issue 编号 / submission issue number",
                                                   "required": True, "type": "number"}}},
    }
    assert flow["concurrency"]["cancel-in-progress"] == "${{ github.event_name == 'issues' }}"
    assert "/waive" in flow["concurrency"]["group"] and "comment.id" in flow["concurrency"]["group"]
    assert flow["permissions"] == {}
    assert "github.event.issue.number" in flow["concurrency"]["group"]
    jobs = flow["jobs"]
    assert jobs["analyse"]["permissions"] == {"contents": "read", "issues": "read"}
    assert jobs["post"]["permissions"] == {"contents": "read", "issues": "write"}
    assert jobs["post"]["needs"] == "analyse"


def test_no_untrusted_expression_in_run_and_actions_pinned() -> None:
    for job in load()["jobs"].values():
        assert job["timeout-minutes"] <= 20
        for step in job["steps"]:
            assert "${{" not in step.get("run", "")
            if "uses" in step:
                local = step["uses"].startswith("./.github/actions/")
                assert local or re.fullmatch(r"[\w./-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
            if "actions/checkout" in step.get("uses", ""):
                assert step["with"]["persist-credentials"] is False
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "secrets." not in text and "pull_request_target" not in text and "workflow_run" not in text
