"""End to end through the real workflows, run by act in the sandbox's World: submission -> review.yml ->
``approved`` -> approve.yml opens the PR -> merge closes the issue -> publish.yml validates, announces
and refreshes. A triager's ``approved`` goes through the same workflow and is refused.

The seed is this checkout's committed tree without ci.yml (it would run the whole suite inside act)
and mirror.yml (no Gitee credentials here); everything else is the real repository.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from github import GithubException
from tests.compat.strict_client import load_registry
from tests.support.plugins import GOOD_PLUGIN, edit_manifest
from tests.support.submission import good_body

from wxreg.approval.texts import APPROVAL_MARKER, PUBLICATION_MARKER
from wxreg.review.context import ToolConfig
from wxreg.review.engine import ReviewOptions
from wxreg.review.github import GitHubConfig, GitHubReviewer
from wxreg.review.policy import load_policy
from wxreg.validate import validate_registry
from wxsandbox import world as world_module
from wxsandbox.github import testing

pytestmark = pytest.mark.act
SKIPPED_WORKFLOWS = ("ci.yml", "mirror.yml")
RUN_TIMEOUT = 240.0
TEN_IDS = ("quote_alpha", "quote_bravo", "quote_charlie", "quote_delta", "quote_echo", "quote_foxtrot",
           "quote_golf", "quote_hotel", "quote_india", "quote_juliet")


@contextmanager
def _world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, skip: tuple[str, ...] = ()) -> Iterator[Any]:
    seed = tmp_path / "seed"
    shutil.copytree(world_module.committed_tree(), seed)
    for name in SKIPPED_WORKFLOWS:
        (seed / ".github" / "workflows" / name).unlink(missing_ok=True)
    with world_module.World(tmp_path / "world", seed=seed, skip_workflows=skip) as built:
        # Steps inherit the host environment: the reviewer's pip-audit asks the local OSV stand-in.
        monkeypatch.setenv("WXREG_OSV_URL", built.osv.query_url)
        yield built


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with _world(tmp_path, monkeypatch) as built:
        yield built


def _runs(sandbox: Any, workflow: str) -> list[Any]:
    return [run for run in sandbox.actions.runs if run.workflow.endswith(workflow)]


def _failed(sandbox: Any) -> list[str]:
    # review.yml cancels the run of an older edit by design (cancel-in-progress per issue).
    return [f"{run.workflow}: {run.conclusion}" for run in sandbox.actions.runs
            if run.conclusion not in ("success", "skipped", "cancelled", None)]


def _reviewed_submission(sandbox: Any) -> tuple[str, Any, Any, Any]:
    """Alice's plugin and submission, reviewed by review.yml: (registry, alice's repo, maria's repo, issue)."""
    registry = sandbox.registry
    sandbox.make_plugin_repo("alice", "daily-quote-reply", GOOD_PLUGIN, tag="v1.0.0")
    url = f"{sandbox.github.url}/alice/daily-quote-reply"
    alice = sandbox.client("alice").get_repo(registry)
    maria = sandbox.client("maria").get_repo(registry)
    issue = alice.create_issue(title="[插件提交 / Plugin] Daily Quote",
                               body=good_body(github_repo=url, author_github="alice"))
    maria.get_issue(issue.number).add_to_labels("plugin-submission")  # what the form does for anyone
    alice.get_issue(issue.number).edit(body=good_body(github_repo=url, author_github="alice") + "\n")
    assert sandbox.actions.wait_idle(RUN_TIMEOUT)
    return registry, alice, maria, issue


def test_submission_to_publication_through_the_real_workflows(sandbox: Any, tmp_path: Path) -> None:
    registry, _alice, maria, issue = _reviewed_submission(sandbox)
    labels = {label.name for label in maria.get_issue(issue.number).labels}
    assert "review-passed" in labels, (_failed(sandbox), [c.body[:300] for c in maria.get_issue(issue.number)
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
    assert len(pulls) == 1, (_failed(sandbox), [run.log[-3000:] for run in _runs(sandbox, "approve.yml")])
    assert any(APPROVAL_MARKER in c.body for c in maria.get_issue(issue.number).get_comments())

    pulls[0].merge(merge_method="merge")
    assert sandbox.actions.wait_idle(RUN_TIMEOUT)
    assert maria.get_issue(issue.number).state == "closed"
    assert _failed(sandbox) == []
    comments = [c.body for c in maria.get_issue(issue.number).get_comments() if PUBLICATION_MARKER in c.body]
    assert len(comments) == 1 and "registry/registry.json" in comments[0]

    assert [run.conclusion for run in _runs(sandbox, "publish.yml")] == ["success"]
    assert {run.conclusion for run in _runs(sandbox, "approve.yml")} <= {"success", "skipped"}

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
    approve_runs = _runs(sandbox, "approve.yml")
    assert approve_runs and approve_runs[-1].conclusion == "success", _failed(sandbox)
    assert set(approve_runs[-1].jobs) >= {"decide", "rereview-analyse", "rereview-post"}
    labels = {label.name for label in maria.get_issue(issue.number).labels}
    assert "approved" not in labels and "review-failed" in labels  # the re-review saw the moved tag (WXR-G003)


def test_ten_approvals_by_five_authors_merged_while_refreshes_run(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten submissions by five authors, reviews seeded (the bot's sticky comment, as review.yml's posting job
    writes it), ten ``approved`` at once through approve.yml, then merges in a random order as soon as each
    PR may be merged, while publish.yml's refresh of the previous merge is still running. Every merge needs
    the required status (branch protection), so every rebuilt head must carry it; each issue gets exactly
    one publication comment. (tests/approval/test_flow.py merges ten in three more orders in-process.)"""
    with _world(tmp_path, monkeypatch, skip=("review.yml",)) as sandbox:
        registry, gh = sandbox.registry, sandbox.github
        maria = sandbox.client("maria").get_repo(registry)
        clients = {login: sandbox.client(login) for login in ("alice", "bob", "eve")}
        clients.update({login: testing.pygithub(gh, gh.add_user(login)) for login in ("carol", "dave")})
        authors = ("alice", "bob", "eve", "carol", "dave")
        reviewer = _seeding_reviewer(sandbox, tmp_path)
        numbers: dict[int, str] = {}
        for index, plugin_id in enumerate(TEN_IDS):
            author = authors[index % len(authors)]
            plugin = tmp_path / plugin_id
            shutil.copytree(GOOD_PLUGIN, plugin)
            (plugin / "plugin.json").write_text(edit_manifest(plugin_id=plugin_id, name=f"Quote {plugin_id}"),
                                                encoding="utf-8")
            name = plugin_id.replace("_", "-")
            sandbox.make_plugin_repo(author, name, plugin, tag="v1.0.0")
            body = good_body(github_repo=f"{gh.url}/{author}/{name}", author_github=author,
                             plugin_id=plugin_id, plugin_name=f"Quote {plugin_id}")
            issue = clients[author].get_repo(registry).create_issue(
                title=f"[插件提交 / Plugin] {plugin_id}", body=body)
            maria.get_issue(issue.number).add_to_labels("plugin-submission")
            outcome = reviewer.review_issue(issue.number)  # what review.yml's posting job writes
            assert outcome.result is not None and outcome.result.passed, outcome
            numbers[issue.number] = author
        for number in numbers:  # ten approvals in flight at once
            maria.get_issue(number).add_to_labels("approved")
        assert sandbox.actions.wait_idle(RUN_TIMEOUT)
        pulls = list(maria.get_pulls(state="open"))
        assert len(pulls) == 10, (_failed(sandbox), [run.log[-2000:] for run in _runs(sandbox, "approve.yml")
                                                     if run.conclusion != "success"][:2])
        for pull in pulls:
            statuses = pull.base.repo.get_commit(pull.head.sha).get_combined_status().statuses
            assert [(s.context, s.state) for s in statuses] == [("wxreg/registry-pr", "success")]

        order = [pull.number for pull in pulls]
        random.Random(11).shuffle(order)
        overlapped = 0
        for number in order:
            overlapped += any(run.status != "completed" for run in _runs(sandbox, "publish.yml"))
            _merge_when_allowed(maria, number)
        assert overlapped >= 5  # most merges landed while a publish run (validate + refresh) was going
        assert sandbox.actions.wait_idle(RUN_TIMEOUT)
        assert _failed(sandbox) == []
        for number in numbers:
            issue = maria.get_issue(number)
            assert issue.state == "closed"
            published = [c for c in issue.get_comments() if PUBLICATION_MARKER in c.body]
            assert len(published) == 1, (number, [c.body[:200] for c in published])
        main = tmp_path / "main"
        subprocess.run(["git", "clone", "-q", gh.git_url(registry), str(main)], check=True)
        assert validate_registry(main) == []
        listed = json.loads((main / "registry" / "registry.json").read_text(encoding="utf-8"))["plugins"]
        by_id = {entry["plugin_id"]: entry["author"]["github"] for entry in listed}
        assert {plugin_id: by_id.get(plugin_id) for plugin_id in TEN_IDS} == {
            plugin_id: numbers[number] for number, plugin_id in zip(numbers, TEN_IDS, strict=True)}


MERGE_DEADLINE_SECONDS = 90.0


def _merge_when_allowed(repo: Any, number: int) -> None:
    """Merge as a maintainer would: as soon as GitHub allows it (the refresh rebuilt the PR on the newest
    main and set the required status); 405 means "not yet"."""
    deadline = time.monotonic() + MERGE_DEADLINE_SECONDS
    while True:
        try:
            repo.get_pull(number).merge(merge_method="merge")
            return
        except GithubException as exc:
            if exc.status != 405 or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _seeding_reviewer(sandbox: Any, tmp_path: Path) -> GitHubReviewer:
    """The review's own code with the bot's token, checks off (scores and record only): the sticky comment
    and labels exactly as review.yml's posting job writes them, in a fraction of a second per issue."""
    gh = sandbox.github
    checkout = tmp_path / "registry-checkout"
    subprocess.run(["git", "clone", "-q", "--depth=1", gh.git_url(sandbox.registry), str(checkout)], check=True)
    options = ReviewOptions(policy=load_policy().with_extra_url_prefixes((gh.url + "/",)),
                            tools=ToolConfig(osv_url=sandbox.osv.query_url),
                            registry_dir=checkout / "registry", checks=())
    config = GitHubConfig(token=gh.bot_token, repo=sandbox.registry, api_url=gh.api_url, web_url=gh.url,
                          bot_login=gh.bot_login, throttle=False)
    return GitHubReviewer(config, options)
