"""Hardening of EVERY workflow under ``.github/workflows`` (SECURITY.md §2.5), beyond what zizmor enforces.

``make lint-workflows`` runs zizmor, which already fails on: credentials persisted by checkout
(``artipacked``), actions not pinned to a full SHA (``unpinned-uses``), event data expanded into a script
(``template-injection``), ``pull_request_target``/``workflow_run`` (``dangerous-triggers``) and
``write-all`` (``excessive-permissions``); actionlint fails on a reusable-workflow call without a cache
limit. Those are not repeated here. What zizmor does not check, and this module does for every workflow:
``permissions: {}`` at the top, a ``timeout-minutes`` on every job, no ``${{ }}`` at all inside ``run:``
(zizmor only flags expressions it thinks an attacker controls), secrets only in the workflows that need
them, and installation through the one composite action with one interpreter. Then each workflow's own
triggers and per-job permissions.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTIONS = sorted((ROOT / ".github" / "actions").glob("*/action.yml"))
SETUP = "./.github/actions/setup"
OUR_COMMAND = re.compile(r"(?:^|\n|&&|\|\||;)\s*(?:python3?|wxreg)\s", re.MULTILINE)
USE_SECRETS = {"mirror.yml", "sign.yml"}
"""The Gitee token and the TUF keys; every other workflow has only its job token."""
LONG_JOBS = {("reaudit.yml", "scan"): 60}
"""Jobs allowed more than 20 minutes: the re-audit scans every listed plugin."""
RUNS_THE_SUITE = {"ci.yml"}
"""The project's own CI runs ``make test`` (``.ci/run``), the command a developer runs: it needs the dev
tools, so it sets up Python itself and lets make install them."""


def load(path: Path) -> dict[Any, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def flow(name: str) -> dict[Any, Any]:
    return load(ROOT / ".github" / "workflows" / name)


def steps_of(job: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for step in job.get("steps") or [] if isinstance(step, dict)]


def test_every_workflow_is_covered() -> None:
    assert {path.name for path in WORKFLOWS} >= {"review.yml", "approve.yml", "publish.yml", "mirror.yml"}
    assert {path.name for path in WORKFLOWS} >= USE_SECRETS | RUNS_THE_SUITE | {name for name, _ in LONG_JOBS}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_no_default_permissions_timeouts_and_no_expressions_in_scripts(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}
    for job_id, job in workflow["jobs"].items():
        if "uses" in job:  # a called workflow: its own jobs carry the timeouts (checked with it)
            assert job["uses"].startswith("./.github/workflows/"), job_id
            assert (ROOT / job["uses"]).is_file(), job_id
            continue
        assert 0 < job["timeout-minutes"] <= LONG_JOBS.get((path.name, job_id), 20), job_id
        for step in steps_of(job):
            assert "${{" not in step.get("run", ""), (job_id, step.get("name"))


@pytest.mark.parametrize("path", ACTIONS, ids=lambda path: path.parent.name)
def test_no_expressions_in_composite_action_scripts(path: Path) -> None:
    for step in load(path)["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_secrets_only_where_needed(path: Path) -> None:
    assert ("secrets." in path.read_text(encoding="utf-8")) == (path.name in USE_SECRETS)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_one_way_to_install_and_one_interpreter(path: Path) -> None:
    """Runtime dependencies through the composite action; then ``python`` and ``wxreg`` from PATH."""
    if path.name in RUNS_THE_SUITE:
        return
    text = path.read_text(encoding="utf-8")
    assert ".venv" not in text and "make install" not in text and "pip install" not in text
    for job_id, job in load(path)["jobs"].items():
        uses = [step.get("uses", "") for step in steps_of(job)]
        assert not any(use.startswith("actions/setup-python@") for use in uses), job_id
        if any(OUR_COMMAND.search(step.get("run", "")) for step in steps_of(job)):
            assert SETUP in uses and uses[0].startswith("actions/checkout@"), job_id


def test_the_setup_action_installs_runtime_dependencies_only() -> None:
    action = load(ROOT / ".github" / "actions" / "setup" / "action.yml")
    scripts = " ".join(step.get("run", "") for step in action["runs"]["steps"])
    assert "-c requirements/constraints.txt" in scripts and "-e ." in scripts
    assert "[dev]" not in scripts and "make " not in scripts


def test_review_triggers_permissions_and_concurrency() -> None:
    review = flow("review.yml")
    issue = {"description": "提交 issue 编号 / submission issue number", "required": True, "type": "number"}
    assert review[True] == {  # YAML 1.1 reads `on` as True
        "issues": {"types": ["opened", "edited", "reopened"]},
        "issue_comment": {"types": ["created"]},  # a maintainer's /waive
        # The release watcher dispatches the review of the update issues it opens (by number only).
        "workflow_dispatch": {"inputs": {"issue": issue}},
        # approve.yml's re-review.
        "workflow_call": {"inputs": {"issue": issue, "rereview": {
            "description": ("维护者决定后的重新审核（不自动合并）/ a re-review after a maintainer's decision "
                            "(no auto-merge)"),
            "required": False, "type": "boolean", "default": False}}},
    }
    assert review["concurrency"]["cancel-in-progress"] == "${{ github.event_name == 'issues' }}"
    assert "/waive" in review["concurrency"]["group"] and "comment.id" in review["concurrency"]["group"]
    assert "github.event.issue.number" in review["concurrency"]["group"]
    jobs = review["jobs"]
    assert jobs["analyse"]["permissions"] == {"contents": "read", "issues": "read"}
    assert jobs["post"]["permissions"] == {"contents": "read", "issues": "write"}
    assert jobs["post"]["needs"] == "analyse"
    assert jobs["auto-update"]["if"] == "${{ !inputs.rereview }}"  # a re-review never merges by itself


def test_approve_calls_review_for_its_rereview() -> None:
    approve = flow("approve.yml")
    assert approve[True] == {"issues": {"types": ["labeled"]}}
    assert "github.event.issue.number" in approve["concurrency"]["group"]
    assert approve["concurrency"]["cancel-in-progress"] is False  # no approval is dropped
    call = approve["jobs"]["rereview"]
    assert call["uses"] == "./.github/workflows/review.yml"
    assert call["with"] == {"issue": "${{ github.event.issue.number }}", "rereview": True}
    assert "secrets" not in call and call["cache-mode"] == "none"
    # GitHub refuses the run unless the caller grants what every called job asks for, skipped or not.
    asked: dict[str, str] = {}
    for job in flow("review.yml")["jobs"].values():
        for scope, level in (job.get("permissions") or {}).items():
            asked[scope] = "write" if "write" in (level, asked.get(scope)) else level
    assert call["permissions"] == asked


def test_publish_and_stats_triggers() -> None:
    # workflow_dispatch: an automatic update merged with the workflow token starts no push run.
    assert flow("publish.yml")[True] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert set(flow("stats.yml")[True]) == {"schedule", "workflow_dispatch"}
