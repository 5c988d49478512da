"""approve.yml, publish.yml and stats.yml follow SECURITY.md §2.5: safe triggers, no default permissions,
least privilege per job, pinned actions, no credentials kept, timeouts, no expressions inside run:."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"
OURS = ("approve.yml", "publish.yml", "stats.yml")


def load(name: str) -> dict[Any, Any]:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", OURS)
def test_hardening(name: str) -> None:
    flow = load(name)
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    assert flow["permissions"] == {}
    assert "pull_request_target" not in text and "workflow_run" not in text and "secrets." not in text
    for job in flow["jobs"].values():
        assert job["timeout-minutes"] <= 20 and job["permissions"]
        for step in job["steps"]:
            assert "${{" not in step.get("run", "")
            uses = step.get("uses", "")
            if uses and not uses.startswith("./"):
                assert re.fullmatch(r"[\w./-]+@[0-9a-f]{40}", uses), uses
            if uses.startswith("actions/checkout"):
                assert step["with"]["persist-credentials"] is False


def test_triggers_and_concurrency() -> None:
    approve = load("approve.yml")
    assert approve[True] == {"issues": {"types": ["labeled"]}}  # YAML 1.1 reads `on` as True
    assert "github.event.issue.number" in approve["concurrency"]["group"]
    assert approve["concurrency"]["cancel-in-progress"] is False  # no approval is dropped
    assert approve["jobs"]["rereview-analyse"]["permissions"] == {"contents": "read", "issues": "read"}
    # workflow_dispatch: an automatic update merged with the workflow token starts no push run.
    assert load("publish.yml")[True] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert set(load("stats.yml")[True]) == {"schedule", "workflow_dispatch"}
