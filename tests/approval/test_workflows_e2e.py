"""End to end through the real workflows, run by act in the sandbox's World: submission -> review.yml ->
``approved`` -> approve.yml opens the PR -> merge closes the issue -> publish.yml validates, announces
and refreshes. A triager's ``approved`` goes through the same workflow and is refused.

The seed is this checkout's committed tree without ci.yml and mirror.yml (``tests.support.workflows``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from github import GithubException
from tests.compat.strict_client import load_registry
from tests.support.plugins import GOOD_PLUGIN
from tests.support.workflows import act_world, failed, runs

from wxreg.approval.texts import APPROVAL_MARKER, PUBLICATION_MARKER
from wxreg.validate import validate_registry
from wxsandbox import demo

pytestmark = pytest.mark.act
RUN_TIMEOUT = 240.0


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with act_world(tmp_path, monkeypatch) as built:
        yield built


def _reviewed_submission(sandbox: Any) -> tuple[str, Any, Any, Any]:
    """Alice's plugin and submission, reviewed by review.yml: (registry, alice's repo, maria's repo, issue)."""
    registry = sandbox.registry
    sandbox.make_plugin_repo("alice", "daily-quote-reply", GOOD_PLUGIN, tag="v1.0.0")
    alice = sandbox.client("alice").get_repo(registry)
    maria = sandbox.client("maria").get_repo(registry)
    # The issue form, as alice fills it in the browser: its label is applied whatever her role, so the
    # review starts at `opened` (an API-made issue would lose the label and only get label-missing's error).
    answers = {key: value for key, value in demo.submission_answers(sandbox).items() if key != "gitee_repo"}
    number = sandbox.github.submit_issue_form(registry, demo.TEMPLATE, answers, login="alice")
    issue = alice.get_issue(number)
    assert sandbox.actions.wait_idle(RUN_TIMEOUT)
    return registry, alice, maria, issue


def test_submission_to_publication_through_the_real_workflows(sandbox: Any, tmp_path: Path) -> None:
    registry, _alice, maria, issue = _reviewed_submission(sandbox)
    labels = {label.name for label in maria.get_issue(issue.number).labels}
    assert "review-passed" in labels, (failed(sandbox), [c.body[:300] for c in maria.get_issue(issue.number)
                                                          .get_comments()])

    # A triager's label runs approve.yml too, and is refused there.
    sandbox.client("tom").get_repo(registry).get_issue(issue.number).add_to_labels("approved")
    assert sandbox.actions.wait_idle(RUN_TIMEOUT)
    assert "approved" not in {label.name for label in maria.get_issue(issue.number).labels}
    assert list(maria.get_pulls(state="open")) == []

    # Eve has no role: GitHub refuses her label outright, so no run starts and nothing changes.
    with pytest.raises(GithubException):
        sandbox.client("eve").get_repo(registry).get_issue(issue.number).add_to_labels("approved")

    # The permission API fails while maria approves: fail closed, a comment, no PR.
    sandbox.github.faults.fail("GET", r"/collaborators/maria/permission$", status=403, times=1)
    maria.get_issue(issue.number).add_to_labels("approved")
    assert sandbox.actions.wait_idle(RUN_TIMEOUT)
    assert list(maria.get_pulls(state="open")) == []
    assert "fail closed" in list(maria.get_issue(issue.number).get_comments())[-1].body
    maria.get_issue(issue.number).remove_from_labels("approved")

    maria.get_issue(issue.number).add_to_labels("approved")
    assert sandbox.actions.wait_idle(RUN_TIMEOUT)
    pulls = list(maria.get_pulls(state="open"))
    assert len(pulls) == 1, (failed(sandbox), [run.log[-3000:] for run in runs(sandbox, "approve.yml")])
    assert any(APPROVAL_MARKER in c.body for c in maria.get_issue(issue.number).get_comments())

    pulls[0].merge(merge_method="merge")
    assert sandbox.actions.wait_idle(RUN_TIMEOUT)
    assert maria.get_issue(issue.number).state == "closed"
    assert failed(sandbox) == []
    comments = [c.body for c in maria.get_issue(issue.number).get_comments() if PUBLICATION_MARKER in c.body]
    assert len(comments) == 1 and "registry/registry.json" in comments[0]

    assert [run.conclusion for run in runs(sandbox, "publish.yml")] == ["success"]
    assert {run.conclusion for run in runs(sandbox, "approve.yml")} <= {"success", "skipped"}

    main = tmp_path / "main"
    subprocess.run(["git", "clone", "-q", sandbox.github.git_url(registry), str(main)], check=True)
    assert validate_registry(main) == []
    kept, dropped = load_registry(json.loads((main / "registry" / "registry.json").read_text(encoding="utf-8")))
    assert dropped == [] and "daily_quote_reply" in kept


def test_tag_moved_after_review_reruns_the_review_through_approve_yml(sandbox: Any, tmp_path: Path) -> None:
    _registry, _alice, maria, issue = _reviewed_submission(sandbox)
    assert "review-passed" in {label.name for label in maria.get_issue(issue.number).labels}

    moved = tmp_path / "moved"
    shutil.copytree(GOOD_PLUGIN, moved)
    (moved / "NOTES.md").write_text("changed after the review\n", encoding="utf-8")
    sandbox.make_plugin_repo("alice", "daily-quote-reply", moved, tag="v1.0.0")  # the tag moves

    maria.get_issue(issue.number).add_to_labels("approved")
    assert sandbox.actions.wait_idle(RUN_TIMEOUT)
    assert list(maria.get_pulls(state="open")) == []
    comments = [c.body for c in maria.get_issue(issue.number).get_comments()]
    assert any("tag v1.0.0 moved" in body for body in comments)
    approve_runs = runs(sandbox, "approve.yml")
    assert approve_runs and approve_runs[-1].conclusion == "success", failed(sandbox)
    # The re-review is review.yml itself, called by approve.yml: its read-only analysis, then its posting job.
    jobs = {job_id: job.conclusion for job_id, job in approve_runs[-1].jobs.items()}
    assert jobs["decide"] == "success" and jobs["rereview"] == "success", jobs
    assert jobs["rereview/analyse"] == "success" and jobs["rereview/post"] == "success", jobs
    assert "rereview/auto-update" not in jobs  # a re-review never merges by itself
    labels = {label.name for label in maria.get_issue(issue.number).labels}
    assert "approved" not in labels and "review-failed" in labels  # the re-review saw the moved tag (WXR-G003)
