"""ActRunner on its own (no World): cancel-in-progress, the run timeout, workflows skipped on purpose."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from wxsandbox.actions import ActRunner
from wxsandbox.github import GitHubStandIn
from wxsandbox.github.testing import pygithub

pytestmark = pytest.mark.act

SAMPLES = Path(__file__).parent / "workflows"
REPO = "acme/project"


@dataclass
class Setup:
    github: GitHubStandIn
    token: str


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Setup]:
    with GitHubStandIn(tmp_path / "github") as github:
        token = github.add_user("acme")
        github.create_repo("acme", "project")
        seed = tmp_path / "seed"
        (seed / ".github" / "workflows").mkdir(parents=True)
        shutil.copyfile(SAMPLES / "cancel-older.yml", seed / ".github" / "workflows" / "cancel-older.yml")
        shutil.copyfile(SAMPLES / "greet-issue.yml", seed / ".github" / "workflows" / "greet-issue.yml")
        github.push_directory(REPO, seed)
        yield Setup(github, token)


def _runner(project: Setup, tmp_path: Path, *, run_timeout: float = 300.0) -> ActRunner:
    runner = ActRunner(project.github, tmp_path / "actions", repos=[REPO], run_timeout=run_timeout,
                       skip_workflows=["greet-issue.yml"])
    project.github.set_event_sink(runner)
    return runner


def test_newer_run_cancels_the_one_in_progress(project: Setup, tmp_path: Path) -> None:
    runner = _runner(project, tmp_path)
    try:
        issue = pygithub(project.github, project.token).get_repo(REPO).create_issue("Flip")
        assert runner.wait_idle(30)
        [greet] = runner.runs_for(workflow="greet-issue.yml")
        assert greet.conclusion == "skipped"  # recorded, not run
        issue.edit(state="closed")
        issue.edit(state="open")
        assert runner.wait_idle(60)
        runs = runner.runs_for(workflow="cancel-older.yml")
        assert [(run.event.payload["action"], run.conclusion) for run in runs] == [
            ("closed", "cancelled"), ("reopened", "success")]
        first = runs[0]
        assert first.duration is not None and first.duration < 4  # killed, not waited for
        assert "done waiting" in runs[1].log
    finally:
        runner.close()


def test_a_run_over_its_time_limit_is_killed(project: Setup, tmp_path: Path) -> None:
    runner = _runner(project, tmp_path, run_timeout=1.0)
    try:
        issue = pygithub(project.github, project.token).get_repo(REPO).create_issue("Slow")
        issue.edit(state="closed")
        assert runner.wait_idle(30)
        [run] = runner.runs_for(workflow="cancel-older.yml")
        assert run.conclusion == "timed_out"
        assert run.duration is not None and run.duration < 4
        assert "done waiting" not in run.log
    finally:
        runner.close()


def test_close_cancels_what_is_running(project: Setup, tmp_path: Path) -> None:
    runner = _runner(project, tmp_path)
    issue = pygithub(project.github, project.token).get_repo(REPO).create_issue("Closing time")
    issue.edit(state="closed")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(run.status == "in_progress" for run in runner.runs):
        time.sleep(0.05)
    started = time.monotonic()
    runner.close()
    assert time.monotonic() - started < 4  # the 4 s sleep was cut short
    [run] = runner.runs_for(workflow="cancel-older.yml")
    assert run.conclusion == "cancelled"
    issue.edit(state="open")  # after close, events are ignored
    assert runner.wait_idle(1)
    assert len(runner.runs_for(workflow="cancel-older.yml")) == 1
