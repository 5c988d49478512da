"""``approved``: who may approve, what must still match the review, one PR per plugin, updated in place."""

from __future__ import annotations

import json
import subprocess

from tests.compat.strict_client import load_registry
from tests.support.approval import REGISTRY, World

from wxreg.approval.publisher import RegistryChange, RegistryPublisher
from wxreg.approval.texts import APPROVAL_MARKER
from wxreg.validate import validate_registry


def _reviewed(world: World, author: str = "alice", plugin_id: str = "daily_quote_reply") -> int:
    url = world.plugin(plugin_id, owner=author)
    number = world.submit(author, url, plugin_id)
    outcome = world.review(number)
    assert outcome.result is not None and outcome.result.passed, [f.message for f in outcome.result.findings]
    return number


def test_maintainer_approval_opens_one_valid_pr_and_merging_closes_the_issue(world: World) -> None:
    number = _reviewed(world)
    before = len(world.gh.request_log)
    outcome = world.label(number, "approved")
    calls = world.api_calls(before)
    assert outcome.action == "opened", outcome
    assert len(calls) <= 12, calls
    pulls = world.pulls()
    assert len(pulls) == 1
    pull = pulls[0]
    assert pull.head.ref == "registry/daily_quote_reply"
    assert f"Closes #{number}" in pull.body and outcome.pull is not None
    assert "上架插件 / Add plugin" in pull.title
    record_commit = outcome.pull.commit
    assert pull.head.sha == record_commit
    comments = world.comments(number)
    assert any(APPROVAL_MARKER in c.body and pull.html_url in c.body for c in comments)

    # The branch's registry validates, and holds exactly the reviewed release.
    pr_dir = world.tmp / "pr"
    subprocess.run(["git", "clone", "-q", "-b", pull.head.ref, world.gh.git_url(REGISTRY), str(pr_dir / "r")],
                   check=True)
    assert validate_registry(pr_dir / "r") == []
    entry = json.loads((pr_dir / "r" / "registry" / "plugins" / "daily_quote_reply.json").read_text())
    assert entry["release"]["tag"] == "v1.0.0" and entry["submission"]["issue"] == number
    assert entry["created_at"] == entry["updated_at"] == "2026-03-01T08:00:00Z"

    pull.merge(merge_method="merge")
    assert world.repo().get_issue(number).state == "closed"
    world.sync_checkout()
    assert validate_registry(world.checkout) == []
    document = json.loads((world.checkout / "registry" / "registry.json").read_text())
    kept, dropped = load_registry(document)
    assert dropped == [] and "daily_quote_reply" in kept


def test_reapplying_approved_updates_the_same_pr(world: World) -> None:
    number = _reviewed(world)
    first = world.label(number, "approved")
    world.repo().get_issue(number).remove_from_labels("approved")
    again = world.label(number, "approved")
    assert first.action == "opened" and again.action == "updated"
    assert first.pull is not None and again.pull is not None and first.pull.number == again.pull.number
    assert len(world.pulls()) == 1
    assert sum(APPROVAL_MARKER in c.body for c in world.comments(number)) == 1


def test_triage_and_no_role_and_api_failure_open_no_pr(world: World) -> None:
    number = _reviewed(world)
    refused = world.label(number, "approved", sender="tom")
    assert refused.action == "refused" and "approved" not in world.labels(number)
    assert "triage" in world.comments(number)[-1].body
    eve = world.deliver(number, "approved", "eve")  # eve cannot even label; a forged event decides nothing
    assert eve.action in ("ignored", "refused")
    world.repo().get_issue(number).add_to_labels("approved")
    eve = world.deliver(number, "approved", "eve")
    assert eve.action == "refused"
    world.repo().get_issue(number).add_to_labels("approved")
    world.gh.faults.fail("GET", r"/collaborators/maria/permission$", status=502, times=1)
    failed = world.deliver(number, "approved", "maria")
    assert failed.action == "unverified"
    assert "fail closed" in world.comments(number)[-1].body
    assert world.pulls() == []


def test_edit_after_review_gives_no_pr_and_says_what_changed(world: World) -> None:
    number = _reviewed(world)
    issue = world.repo("alice").get_issue(number)
    issue.edit(body=issue.body + "\n")
    outcome = world.label(number, "approved")
    assert outcome.action == "changed" and outcome.rereview
    assert world.pulls() == []
    last = world.comments(number)[-1].body
    assert "issue 正文在审核后被修改" in last and "the issue body was edited after the review" in last
    assert "approved" not in world.labels(number) and "review-passed" not in world.labels(number)


def test_tag_moved_after_review_gives_no_pr_and_says_what_changed(world: World) -> None:
    number = _reviewed(world)
    # The author re-tags v1.0.0 on a new commit (a force-pushed tag).
    work = world.tmp / "plugins" / "alice" / "daily-quote-reply" / "1.0.0"
    (work / "extra.txt").write_text("sneaky\n", encoding="utf-8")
    world.gh.push_directory("alice/daily-quote-reply", work)
    bare = world.gh.bare_repo_path("alice/daily-quote-reply")
    subprocess.run(["git", "-C", str(bare), "tag", "-f", "v1.0.0", "main"], check=True, capture_output=True)
    outcome = world.label(number, "approved")
    assert outcome.action == "changed"
    assert world.pulls() == []
    last = world.comments(number)[-1].body
    assert "标签 v1.0.0 已移动" in last and "tag v1.0.0 moved" in last


def test_refresh_never_overwrites_a_branch_that_moved_meanwhile(world: World) -> None:
    number = _reviewed(world)
    opened = world.label(number, "approved")
    assert opened.pull is not None
    repo = world.client("maria").get_repo(REGISTRY)
    publisher = RegistryPublisher(world.forge)
    pull = world.forge.pull(opened.pull.number)
    base = repo.get_branch("main").commit.sha
    change = RegistryChange("daily_quote_reply", base, {"registry/extra.txt": b"x\n"}, "t", "b", "m")
    assert publisher.refresh(pull, change, expected_head="0" * 40) is None  # a re-approval moved it first
    assert repo.get_branch(pull.head_ref).commit.sha == opened.pull.commit


def test_a_forged_review_record_is_not_trusted(world: World) -> None:
    url = world.plugin()
    number = world.submit("alice", url, "daily_quote_reply")
    forged = ('<!-- wxreg-review:v1 -->\n<!-- wxreg-review-record {"schema":"wxreg-review-record/1","passed":true,'
              '"plugin_id":"daily_quote_reply","version":"1.0.0","repo":"' + url + '","tag":"v1.0.0",'
              '"commit":"' + "a" * 40 + '","digest":"h1:x","body_sha256":"y","issue":' + str(number) + '} -->')
    world.repo("alice").get_issue(number).create_comment(forged)
    outcome = world.label(number, "approved")
    assert outcome.action == "no-review" and world.pulls() == []
    assert "No review record from the bot" in world.comments(number)[-1].body
