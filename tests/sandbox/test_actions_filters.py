"""Trigger matching, filter patterns and concurrency groups as GitHub reads them (no act involved)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml

from wxsandbox.workflows import (
    Concurrency,
    WorkflowError,
    concurrency_of,
    matches_patterns,
    parse_workflow,
    rename_job_tokens,
    triggered_by,
)

HERE = Path(__file__).parent
ZERO = "0" * 40


def _no_diff(base: str, head: str) -> Sequence[str] | None:
    return None


def _diff(paths: list[str]):  # type: ignore[no-untyped-def]
    return lambda base, head: paths


def test_bare_on_keys_and_yaml_true() -> None:
    workflow = parse_workflow("w.yml", "on: [push, issues]\njobs: {a: {runs-on: x}}\n")
    assert set(workflow.triggers) == {"push", "issues"}
    assert workflow.job_ids == ("a",)
    with pytest.raises(WorkflowError):
        parse_workflow("w.yml", "name: no trigger\njobs: {}\n")


def test_issue_types_and_pull_request_defaults() -> None:
    greet = parse_workflow("g.yml", (HERE / "workflows" / "greet-issue.yml").read_text())
    assert triggered_by(greet, "issues", {"action": "opened"}, _no_diff)
    assert not triggered_by(greet, "issues", {"action": "edited"}, _no_diff)
    assert triggered_by(greet, "issues", {"action": "labeled"}, _no_diff)
    assert not triggered_by(greet, "issue_comment", {"action": "created"}, _no_diff)
    assert not triggered_by(greet, "push", {"ref": "refs/heads/main"}, _no_diff)
    pulls = parse_workflow("p.yml", "on: pull_request\njobs: {a: {runs-on: x}}\n")
    payload = {"action": "opened", "pull_request": {"base": {"ref": "main"}, "head": {}}}
    assert triggered_by(pulls, "pull_request", payload, _no_diff)
    assert not triggered_by(pulls, "pull_request", {**payload, "action": "closed"}, _no_diff)


def test_push_branches_tags_and_paths() -> None:
    workflow = parse_workflow("f.yml", (HERE / "workflows" / "fail-on-push.yml").read_text())
    push = {"ref": "refs/heads/main", "before": "a" * 40, "after": "b" * 40}
    assert triggered_by(workflow, "push", push, _diff(["plugins/x/plugin.py"]))
    assert not triggered_by(workflow, "push", push, _diff(["plugins/x/README.md"]))
    assert not triggered_by(workflow, "push", push, _diff(["docs/a.py"]))
    assert not triggered_by(workflow, "push", {**push, "ref": "refs/heads/dev"}, _diff(["plugins/x/a.py"]))
    # Branch filters only: tag pushes do not run; a new branch (no base) runs whatever its paths.
    assert not triggered_by(workflow, "push", {**push, "ref": "refs/tags/v1"}, _diff(["plugins/a.py"]))
    assert triggered_by(workflow, "push", {**push, "before": ZERO}, _no_diff)
    assert not triggered_by(workflow, "push", {**push, "after": ZERO, "deleted": True}, _no_diff)


@pytest.mark.parametrize(("value", "patterns", "expected"), [
    ("main", ["main"], True),
    ("releases/v1", ["releases/*"], True),
    ("releases/v1/x", ["releases/*"], False),
    ("releases/v1/x", ["releases/**"], True),
    ("feature", ["*", "!feature"], False),
    ("feature", ["!feature", "*"], True),
    ("v1.2.3", ["v[0-9]+.*"], True),
    ("plugins/a/README.md", ["plugins/**", "!plugins/**/*.md"], False),
])
def test_filter_patterns(value: str, patterns: list[str], expected: bool) -> None:
    assert matches_patterns(value, patterns) is expected


def test_concurrency_group_is_evaluated_per_issue() -> None:
    text = (HERE / "workflows" / "greet-issue.yml").read_text()
    workflow = parse_workflow("g.yml", text)
    context = {"github": {"event": {"issue": {"number": 7}}, "ref": "refs/heads/main"}}
    assert concurrency_of(workflow, context) == Concurrency("greet-7", cancel_in_progress=False)
    fallback = parse_workflow("c.yml", "on: push\nconcurrency:\n  group: ci-${{ github.head_ref || github.ref }}\n"
                                       "  cancel-in-progress: true\njobs: {a: {runs-on: x}}\n")
    assert concurrency_of(fallback, context) == Concurrency("ci-refs/heads/main", cancel_in_progress=True)
    unsupported = parse_workflow("u.yml", "on: push\nconcurrency: x-${{ format('{0}', github.ref) }}\n"
                                          "jobs: {a: {runs-on: x}}\n")
    # Outside the supported subset: the raw text is the group, so such runs are serialised together.
    assert concurrency_of(unsupported, context) == Concurrency("x-${{ format('{0}', github.ref) }}", False)


def test_job_tokens_are_renamed_inside_expressions_only() -> None:
    text = ("on: issues\npermissions: {}\njobs:\n  a:\n    permissions: {issues: write}\n    steps:\n"
            "      - run: echo github.token stays literal\n        env:\n          T: ${{ github.token }}\n"
            "  b:\n    if: secrets.GITHUB_TOKEN != ''\n    steps:\n      - run: echo ${{ secrets.GITHUB_TOKEN }}\n")
    workflow = parse_workflow("t.yml", text)
    assert workflow.job_permissions == {"a": {"issues": "write"}, "b": {}}
    renamed = rename_job_tokens(text, {"a": "TOKEN_A", "b": "TOKEN_B"})
    assert renamed is not None
    again = parse_workflow("t.yml", renamed)
    assert set(again.triggers) == {"issues"}  # `on` survives the YAML 1.1 round trip
    jobs = yaml.safe_load(renamed)["jobs"]
    assert jobs["a"]["steps"][0]["run"] == "echo github.token stays literal"
    assert jobs["a"]["steps"][0]["env"]["T"] == "${{ secrets.TOKEN_A }}"
    assert jobs["b"]["if"] == "secrets.TOKEN_B != ''"
    assert jobs["b"]["steps"][0]["run"] == "echo ${{ secrets.TOKEN_B }}"
    assert rename_job_tokens("on: push\njobs: {a: {steps: [{run: echo}]}}\n", {"a": "X"}) is None


def test_schedule_matches_its_cron_only() -> None:
    workflow = parse_workflow("n.yml", (HERE / "workflows" / "nightly.yml").read_text())
    assert triggered_by(workflow, "schedule", {"schedule": "17 3 * * *"}, _no_diff)
    assert not triggered_by(workflow, "schedule", {"schedule": "0 0 * * *"}, _no_diff)
