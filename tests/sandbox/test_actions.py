"""Events on the GitHub stand-in run the repository's real workflow files with act (offline, host mode)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from wxsandbox.actions import ActRunner
from wxsandbox.world import World

pytestmark = pytest.mark.act

SAMPLES = Path(__file__).parent / "workflows"
RUN_WAIT_SECONDS = 90.0


@pytest.fixture(scope="module")
def registry_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The registry as committed, plus the sample greeting workflow in its ``.github/workflows``."""
    extra = {".github/workflows/greet-issue.yml": SAMPLES / "greet-issue.yml"}
    with World(tmp_path_factory.mktemp("registry-world"), extra_files=extra) as world:
        yield world


@pytest.fixture(scope="module")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A registry repository holding only sample workflows: pushes to it cost no CI run."""
    seed = tmp_path_factory.mktemp("small-seed")
    (seed / ".github" / "workflows").mkdir(parents=True)
    for name in ("fail-on-push.yml", "slow-edits.yml", "unknown-action.yml", "probe-imports.yml",
                 "show-refs.yml", "token-permissions.yml", "called-probe.yml", "call-probe.yml", "call-overreach.yml",
                 "push-to-gitee.yml", "nightly.yml"):
        shutil.copyfile(SAMPLES / name, seed / ".github" / "workflows" / name)
    # A package named like ours: runs must import this copy, the one at the event's commit.
    (seed / "scripts" / "wxsandbox").mkdir(parents=True)
    (seed / "scripts" / "wxsandbox" / "__init__.py").write_text('"""seeded copy"""\n', encoding="utf-8")
    (seed / "README.md").write_text("small registry\n", encoding="utf-8")
    with World(tmp_path_factory.mktemp("small-world"), seed=seed) as world:
        yield world


def _runner(world: World) -> ActRunner:
    assert world.actions is not None
    return world.actions


def test_opened_issue_runs_workflow_that_comments_as_the_bot(registry_world: World) -> None:
    runner = _runner(registry_world)
    runner.clear()
    alice = registry_world.client("alice")
    issue = alice.get_repo(registry_world.registry).create_issue("Hello registry", body="Just saying hi.")
    assert runner.wait_idle(RUN_WAIT_SECONDS), "workflow runs did not finish"

    greet = runner.runs_for(workflow="greet-issue.yml", event="issues")
    assert [run.conclusion for run in greet] == ["success"], greet[0].log if greet else runner.errors
    assert greet[0].jobs["greet"].conclusion == "success"
    assert greet[0].concurrency_group == f"greet-{issue.number}"
    comments = list(issue.get_comments())
    assert [(c.user.login, c.user.type) for c in comments] == [("github-actions[bot]", "Bot")]
    assert comments[0].body == f"Thanks @alice, issue #{issue.number} is in the queue."

    # The registry's own review workflow ran too, with its jobs skipped (not a submission).
    review = runner.runs_for(workflow="review.yml", event="issues")
    assert len(review) == 1
    assert {job.conclusion for job in review[0].jobs.values()} == {"skipped"}

    # The bot's comment and label started nothing, as on GitHub; a person's label does start a run.
    assert [label.name for label in issue.get_labels()] == ["greeted"]
    assert runner.runs_for(event="issue_comment") == []
    assert runner.runs_for(event="issues", action="labeled") == []
    registry_world.client("tom").get_repo(registry_world.registry).get_issue(issue.number).add_to_labels("bug")
    assert runner.wait_idle(RUN_WAIT_SECONDS)
    by_tom = runner.runs_for(workflow="greet-issue.yml", event="issues", action="labeled")
    assert [run.conclusion for run in by_tom] == ["success"]
    assert by_tom[0].jobs["greet"].conclusion == "skipped"
    assert len(list(issue.get_comments())) == 1


def _git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_push_runs_matching_workflow_and_keeps_its_failure_log(small_world: World, tmp_path: Path) -> None:
    runner = _runner(small_world)
    runner.clear()
    work = tmp_path / "work"
    assert _git("clone", "--quiet", small_world.github.git_url(small_world.registry), str(work)).returncode == 0
    token = small_world.token("maria")
    push_url = small_world.github.git_url(small_world.registry).replace("http://", f"http://maria:{token}@")
    _git("config", "user.name", "Maria", cwd=work)
    _git("config", "user.email", "maria@example.com", cwd=work)

    (work / "plugins" / "demo").mkdir(parents=True)
    (work / "plugins" / "demo" / "README.md").write_text("docs only\n", encoding="utf-8")
    _git("add", ".", cwd=work)
    _git("commit", "--quiet", "-m", "Docs only", cwd=work)
    assert _git("push", "--quiet", push_url, "HEAD:main", cwd=work).returncode == 0
    assert runner.wait_idle(RUN_WAIT_SECONDS)
    assert runner.runs_for(workflow="fail-on-push.yml") == []  # excluded by its paths filter

    (work / "plugins" / "demo" / "plugin.py").write_text("print('hi')\n", encoding="utf-8")
    _git("add", ".", cwd=work)
    _git("commit", "--quiet", "-m", "Code", cwd=work)
    pushed = _git("rev-parse", "HEAD", cwd=work).stdout.strip()
    assert _git("push", "--quiet", push_url, "HEAD:main", cwd=work).returncode == 0
    assert runner.wait_idle(RUN_WAIT_SECONDS)
    runs = runner.runs_for(workflow="fail-on-push.yml", event="push")
    assert len(runs) == 1
    run = runs[0]
    assert run.event.sha == pushed
    assert run.conclusion == "failure"
    assert run.jobs["check"].conclusion == "failure"
    assert "checking the pushed plugin files" in run.jobs["check"].log


def test_concurrency_group_keeps_one_running_and_the_newest_pending(small_world: World) -> None:
    runner = _runner(small_world)
    runner.clear()
    repo = small_world.client("alice").get_repo(small_world.registry)
    issue = repo.create_issue("Edit me", body="v0")
    for version in range(1, 4):
        issue.edit(body=f"v{version}")  # three edits while the first run is still going
    assert runner.wait_idle(RUN_WAIT_SECONDS)
    runs = runner.runs_for(workflow="slow-edits.yml")
    assert [run.conclusion for run in runs] == ["success", "cancelled", "success"]
    first, _, last = runs
    assert first.finished_at is not None and last.started_at is not None
    assert last.started_at >= first.finished_at  # serialised, never overlapping
    assert {run.concurrency_group for run in runs} == {f"slow-{issue.number}"}


def test_unknown_remote_action_fails_without_any_download(small_world: World) -> None:
    runner = _runner(small_world)
    runner.clear()
    repo = small_world.client("maria").get_repo(small_world.registry)
    issue = repo.create_issue("Label me")
    issue.add_to_labels("bug")
    assert runner.wait_idle(RUN_WAIT_SECONDS)
    [run] = runner.runs_for(workflow="unknown-action.yml")
    assert run.conclusion == "failure"
    assert "no stand-in for example-owner/not-provided-action@" in run.log
    assert "git clone" not in run.log
    # Nothing asked the stand-in for the action's repository either.
    assert not any("not-provided-action" in entry[1] for entry in small_world.github.request_log)


def _dispatch_and_wait(world: World, workflow: str) -> ActRunner:
    """Maria starts ``workflow`` by hand (workflow_dispatch on main); returns the runner once idle."""
    runner = _runner(world)
    runner.clear()
    answer = requests.post(
        f"{world.github.api_url}/repos/{world.registry}/actions/workflows/{workflow}/dispatches",
        json={"ref": "main"}, headers={"Authorization": f"token {world.token('maria')}"}, timeout=10)
    assert answer.status_code == 204, answer.text
    assert runner.wait_idle(RUN_WAIT_SECONDS)
    return runner


def test_runs_import_the_package_from_the_events_commit(small_world: World) -> None:
    runner = _dispatch_and_wait(small_world, "probe-imports.yml")
    [run] = runner.runs_for(workflow="probe-imports.yml", event="workflow_dispatch")
    assert run.conclusion == "success", run.log
    assert "path-python: seeded copy" in run.log
    # The docstring above came from bytecode the runner compiled from that commit's file (hash-checked).
    assert "bytecode-probe: # code object from '" in run.log, run.log
    assert "/scripts/wxsandbox/__pycache__/__init__." in run.log.split("bytecode-probe:", 1)[1], run.log
    assert runner.runs_for(workflow="fail-on-push.yml") == []  # a dispatch names its one workflow


def test_registry_review_workflow_runs_both_jobs_with_the_report_artifact(registry_world: World) -> None:
    """The registry's own review.yml, unchanged: its jobs install through the setup action's stand-in, the
    report goes from the read-only job to the posting job through the artifact stand-ins, the bot posts it."""
    runner = _runner(registry_world)
    runner.clear()
    # Labels given at creation stick only for people with push access (maintain here), as on GitHub.
    repo = registry_world.client("maria").get_repo(registry_world.registry)
    issue = repo.create_issue("[Plugin] probe", body="### Plugin ID\n\nprobe\n", labels=["plugin-submission"])
    assert runner.wait_idle(RUN_WAIT_SECONDS * 2)
    [review] = runner.runs_for(workflow="review.yml", event="issues")
    assert {job_id: job.conclusion for job_id, job in review.jobs.items()} == {
        "label-missing": "skipped", "analyse": "success", "post": "success", "auto-update": "success"}, review.log
    assert "Use the test environment" in review.jobs["analyse"].log  # the setup action, not a pip install
    authors = {comment.user.login for comment in issue.get_comments()}
    assert registry_world.github.bot_login in authors


def test_pull_request_and_tag_runs_get_githubs_refs(small_world: World) -> None:
    runner = _runner(small_world)
    runner.clear()
    repo = small_world.client("maria").get_repo(small_world.registry)
    main = repo.get_branch("main").commit.sha
    branch = "feature-refs"
    repo.create_git_ref(f"refs/heads/{branch}", main)
    repo.create_file("feature.txt", "Add a feature file", "hello", branch=branch)
    pull = repo.create_pull(base="main", head=branch, title="Feature", body="A change")
    assert runner.wait_idle(RUN_WAIT_SECONDS)
    [pr_run] = runner.runs_for(workflow="show-refs.yml", event="pull_request")
    assert pr_run.conclusion == "success", pr_run.log
    assert pr_run.event.ref == f"refs/pull/{pull.number}/merge"
    assert (f"ref=refs/pull/{pull.number}/merge sha={pr_run.event.sha} head={branch} base=main "
            f"repo={small_world.registry}") in pr_run.log
    assert "feature.txt" in pr_run.jobs["show"].log  # the merge commit's tree was checked out

    repo.create_git_ref("refs/tags/v9.9.9", main)
    assert runner.wait_idle(RUN_WAIT_SECONDS)
    [tag_run] = runner.runs_for(workflow="show-refs.yml", event="push")
    assert f"ref=refs/tags/v9.9.9 sha={main}" in tag_run.log
    # The branch push matched neither the tag filter here nor fail-on-push's main-only filter.
    assert runner.runs_for(workflow="fail-on-push.yml") == []


def test_each_job_gets_a_token_with_its_own_permissions(small_world: World) -> None:
    runner = _runner(small_world)
    runner.clear()
    issue = small_world.client("alice").get_repo(small_world.registry).create_issue("Who may comment?")
    assert runner.wait_idle(RUN_WAIT_SECONDS)
    [run] = runner.runs_for(workflow="token-permissions.yml")
    assert run.conclusion == "success", run.log
    assert f"read issue #{issue.number}" in run.jobs["reader"].log
    assert "refused: 403 Resource not accessible by integration" in run.jobs["reader"].log
    assert [(c.user.login, c.body) for c in issue.get_comments()] == [("github-actions[bot]", "from the writer job")]


def test_a_called_workflow_runs_each_job_with_its_own_token(small_world: World) -> None:
    runner = _dispatch_and_wait(small_world, "call-probe.yml")
    [run] = runner.runs_for(workflow="call-probe.yml")
    assert run.conclusion == "success", run.log
    assert {job_id: job.conclusion for job_id, job in run.jobs.items()} == {
        "call": "success", "call/reader": "success", "call/writer": "success"}
    assert "refused: 403 Resource not accessible by integration" in run.jobs["call/reader"].log
    titles = {(issue.title, issue.user.login) for issue in
              small_world.client("maria").get_repo(small_world.registry).get_issues(state="all")}
    assert ("from the called writer job", "github-actions[bot]") in titles
    assert ("from the called reader job", "github-actions[bot]") not in titles


def test_a_called_job_asking_for_more_than_its_caller_grants_fails_the_run(small_world: World) -> None:
    runner = _dispatch_and_wait(small_world, "call-overreach.yml")
    [run] = runner.runs_for(workflow="call-overreach.yml")
    assert run.conclusion == "failure"
    assert "the nested job 'writer' is requesting issues: write" in run.log
    assert "reader" not in {job_id.split("/")[-1] for job_id, job in run.jobs.items() if job.conclusion == "success"}


def test_repository_variables_and_secrets_reach_the_job(small_world: World) -> None:
    runner = _dispatch_and_wait(small_world, "push-to-gitee.yml")
    [run] = runner.runs_for(workflow="push-to-gitee.yml")
    assert run.conclusion == "success", run.log
    gitee_head = subprocess.run(["git", "ls-remote", small_world.gitee.git_url(small_world.registry),
                                 "refs/heads/from-actions"], capture_output=True, text=True, timeout=30, check=True)
    assert gitee_head.stdout.split()[0] == run.event.sha
    assert small_world.users["maria"].gitee_token not in run.log  # act masks secrets in its log


def test_fire_schedule_runs_scheduled_workflows_on_the_default_branch(small_world: World) -> None:
    runner = _runner(small_world)
    repo = small_world.client("maria").get_repo(small_world.registry)
    # A tag at the branch head must not become the run's GITHUB_REF (act would prefer it if it saw it).
    repo.create_git_ref("refs/tags/nightly-probe", repo.get_branch("main").commit.sha)
    assert runner.wait_idle(RUN_WAIT_SECONDS)
    runner.clear()
    [event] = runner.fire_schedule(small_world.registry)
    assert event.payload == {"schedule": "17 3 * * *"}
    assert runner.wait_idle(RUN_WAIT_SECONDS)
    [run] = runner.runs_for(workflow="nightly.yml", event="schedule")
    assert run.conclusion == "success", run.log
    assert "scheduled run for schedule on refs/heads/main" in run.jobs["nightly"].log
