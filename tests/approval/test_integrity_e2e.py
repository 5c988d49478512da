"""Approval integrity (issue #11) through the real workflows under act: review.yml, approve.yml, check-pr.yml and
publish.yml on the sandbox's GitHub stand-in, with main protected as CONTRIBUTING's checklist says.

Reviews are seeded (the bot's sticky comment with its record, as review.yml's posting job writes it) where
the review itself is not the point; review.yml runs where it is (a stranger's update is refused there).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from github import GithubException
from tests.support.plugins import GOOD_PLUGIN, edit_manifest
from tests.support.submission import good_body
from tests.support.workflows import act_world, failed, runs, seeding_reviewer

from wxreg.approval.texts import APPROVAL_MARKER, PUBLICATION_MARKER, STATUS_CONTEXT
from wxreg.forge import labels
from wxreg.review.github import GitHubReviewer
from wxreg.review.report import MARKER

pytestmark = pytest.mark.act
RUN_TIMEOUT = 240.0
COMMENTS = r"/issues/\d+/comments$"


class Scene:
    """A world with review.yml skipped (reviews seeded) unless a step asks for it."""

    def __init__(self, world: Any, tmp: Path) -> None:
        self.world = world
        self.tmp = tmp
        self.gh = world.github
        self.maria = world.client("maria").get_repo(world.registry)
        self.reviewer: GitHubReviewer = seeding_reviewer(world, tmp)

    def plugin(self, owner: str, plugin_id: str, version: str = "1.0.0", **manifest: Any) -> str:
        name = plugin_id.replace("_", "-")
        work = self.tmp / "plugins" / owner / name / version
        shutil.copytree(GOOD_PLUGIN, work)
        (work / "plugin.json").write_text(edit_manifest(plugin_id=plugin_id, version=version,
                                                        name=f"Quote {plugin_id}", **manifest), encoding="utf-8")
        self.world.make_plugin_repo(owner, name, work, tag=f"v{version}")
        return f"{self.gh.url}/{owner}/{name}"

    def submit(self, author: str, url: str, plugin_id: str, version: str = "1.0.0") -> int:
        body = good_body(github_repo=url, plugin_id=plugin_id, version=version, release_tag=f"v{version}",
                         plugin_name=f"Quote {plugin_id}", author_github=author)
        # What the issue form does: its label arrives with `opened`, whatever the author's role, so review.yml
        # reviews it then (where it is not skipped).
        return int(self.world.github.submit_rendered_form(self.world.registry, f"[插件提交 / Plugin] {plugin_id}",
                                                          body, login=author, labels=(labels.SUBMISSION,)))

    def seeded(self, author: str, url: str, plugin_id: str, version: str = "1.0.0") -> int:
        number = self.submit(author, url, plugin_id, version)
        outcome = self.reviewer.review_issue(number)
        assert outcome.result is not None and outcome.result.passed, outcome
        return number

    def approve(self, number: int) -> None:
        self.maria.get_issue(number).add_to_labels(labels.APPROVED)
        assert self.world.actions.wait_idle(RUN_TIMEOUT)

    def bodies(self, number: int) -> list[str]:
        return [c.body for c in self.maria.get_issue(number).get_comments()]

    def labels(self, number: int) -> set[str]:
        return {label.name for label in self.maria.get_issue(number).labels}

    def open_pulls(self) -> list[Any]:
        return list(self.maria.get_pulls(state="open"))

    def status(self, sha: str) -> list[tuple[str, str]]:
        return [(s.context, s.state) for s in self.maria.get_commit(sha).get_combined_status().statuses]

    def last_conclusion(self, workflow: str) -> str | None:
        found = runs(self.world, workflow)
        return found[-1].conclusion if found else None


@pytest.fixture
def scene(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Scene]:
    with act_world(tmp_path, monkeypatch, skip=("review.yml",)) as world:
        yield Scene(world, tmp_path)


def test_lost_answers_claims_and_a_strangers_update_through_the_workflows(scene: Scene) -> None:
    # 5. approve.yml with the answers of its PR and its comment lost: green, one PR, one approval comment.
    alice_url = scene.plugin("alice", "daily_quote_reply")
    first = scene.seeded("alice", alice_url, "daily_quote_reply")
    scene.gh.faults.lose_response("POST", r"/pulls$", status=502)
    scene.gh.faults.lose_response("POST", COMMENTS, status=None)  # a dropped connection
    scene.approve(first)
    assert scene.last_conclusion("approve.yml") == "success", failed(scene.world)
    pulls = scene.open_pulls()
    assert len(pulls) == 1 and sum(APPROVAL_MARKER in body for body in scene.bodies(first)) == 1
    head = pulls[0].head.sha
    assert scene.status(head) == [(STATUS_CONTEXT, "success")]

    # 2. The same id from eve, a look-alike from bob: refused at approval naming the first issue.
    for author, plugin_id in (("eve", "daily_quote_reply"), ("bob", "dailyquote_reply")):
        other = scene.seeded(author, scene.plugin(author, plugin_id), plugin_id)
        scene.approve(other)
        assert f"#{first}" in scene.bodies(other)[-1]
        assert labels.CLAIM_CONFLICT in scene.labels(other) and labels.APPROVED not in scene.labels(other)
    pulls = scene.open_pulls()
    assert len(pulls) == 1 and pulls[0].head.sha == head and f"Closes #{first}" in pulls[0].body

    pulls[0].merge(merge_method="merge")
    assert scene.world.actions.wait_idle(RUN_TIMEOUT)
    assert scene.last_conclusion("publish.yml") == "success", failed(scene.world)
    assert sum(PUBLICATION_MARKER in body for body in scene.bodies(first)) == 1

    # 1. bob "updates" alice's listed plugin (her repository, her new tag): review.yml refuses it, and
    # with the review's answer lost once there is still exactly one sticky comment.
    newer = scene.plugin("alice", "daily_quote_reply", version="1.1.0")
    scene.world.actions.skip_workflows.discard("review.yml")
    scene.gh.faults.lose_response("POST", COMMENTS, status=502)
    update = scene.submit("bob", newer, "daily_quote_reply", "1.1.0")
    assert scene.world.actions.wait_idle(RUN_TIMEOUT)
    scene.world.actions.skip_workflows.add("review.yml")
    reviews = [run for run in runs(scene.world, "review.yml") if run.conclusion != "skipped"]
    assert [run.conclusion for run in reviews] == ["success"], failed(scene.world)
    stickies = [body for body in scene.bodies(update) if MARKER in body]
    assert len(stickies) == 1 and "WXR-O004" in stickies[0]
    assert labels.FAILED in scene.labels(update)

    # ... and approval refuses it on its own even with a passing record (one written before alice listed it).
    assert scene.reviewer.review_issue(update).result.passed  # type: ignore[union-attr]
    scene.approve(update)
    assert scene.last_conclusion("approve.yml") == "success"
    assert scene.open_pulls() == [] and labels.APPROVED not in scene.labels(update)
    assert "is not an owner of daily_quote_reply" in scene.bodies(update)[-1]


def test_hand_edits_fail_check_pr_block_the_merge_and_are_never_refreshed(scene: Scene) -> None:
    numbers = {pid: scene.seeded(owner, scene.plugin(owner, pid), pid)
               for owner, pid in (("alice", "quote_bravo"), ("bob", "quote_delta"))}
    for number in numbers.values():
        scene.approve(number)
    pulls = {pull.head.ref: pull for pull in scene.open_pulls()}
    assert set(pulls) == {"registry/quote_bravo", "registry/quote_delta"}, failed(scene.world)
    for pull in pulls.values():
        assert scene.status(pull.head.sha) == [(STATUS_CONTEXT, "success")]  # set by approve.yml

    # 3./4. maria edits the entry on the bot's branch: check-pr.yml fails the new head, the merge is refused.
    bravo = pulls["registry/quote_bravo"]
    path = "registry/plugins/quote_bravo.json"
    current = scene.maria.get_contents(path, ref=bravo.head.ref)
    data = current.decoded_content.replace(b'"description": "', b'"description": "EDITED ')
    edited = scene.maria.update_file(path, "hand edit", data, current.sha, branch=bravo.head.ref)["commit"].sha
    assert scene.world.actions.wait_idle(RUN_TIMEOUT)
    assert scene.last_conclusion("check-pr.yml") == "failure"
    assert scene.status(edited) == [(STATUS_CONTEXT, "failure")]
    with pytest.raises(GithubException) as refused:
        scene.maria.get_pull(bravo.number).merge(merge_method="merge")
    assert refused.value.status == 405

    # 4. A person's PR with a hand-edited (invalid) registry.json: failing status, no merge.
    main = scene.maria.get_branch("main").commit.sha
    scene.maria.create_git_ref("refs/heads/fix-index", main)
    index = scene.maria.get_contents("registry/registry.json", ref="fix-index")
    scene.maria.update_file("registry/registry.json", "hand-edited index",
                            index.decoded_content.replace(b'"plugins"', b'"plugins_x"', 1), index.sha,
                            branch="fix-index")
    mine = scene.maria.create_pull(base="main", head="fix-index", title="fix the index", body="by hand")
    assert scene.world.actions.wait_idle(RUN_TIMEOUT)
    assert scene.status(scene.maria.get_pull(mine.number).head.sha) == [(STATUS_CONTEXT, "failure")]
    with pytest.raises(GithubException) as refused:
        scene.maria.get_pull(mine.number).merge(merge_method="merge")
    assert refused.value.status == 405

    # 3. Main moves: publish.yml's refresh refuses the hand-edited branch (comment + label, not re-committed)
    # and rebuilds the other; the job stays green.
    delta = pulls["registry/quote_delta"]
    delta.merge(merge_method="merge")
    assert scene.world.actions.wait_idle(RUN_TIMEOUT)
    assert scene.last_conclusion("publish.yml") == "success", failed(scene.world)
    assert scene.maria.get_branch(bravo.head.ref).commit.sha == edited
    assert labels.TAMPERED in scene.labels(bravo.number)
    assert "no longer holds what the bot wrote" in scene.bodies(bravo.number)[-1]
