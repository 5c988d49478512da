"""Approval integrity (issue #11), one test per hole, through the sandbox's GitHub stand-in and PyGithub:
ownership of an id, one claim per id, no laundering by the refresh, the required status, idempotent
writes, fork PRs in the refresh, a merge racing an approval, planted record markers."""

from __future__ import annotations

import threading
import time

import pytest
from tests.support.approval import REGISTRY, World, git

from wxreg.approval import texts
from wxreg.approval.maintenance import release_claim
from wxreg.approval.prcheck import check_pull
from wxreg.approval.refresh import refresh_open_pulls
from wxreg.forge import labels
from wxreg.review.report import MARKER, code_span, parse_record
from wxreg.store import RegistryStore


def _listed(world: World, plugin_id: str = "daily_quote_reply", author: str = "alice") -> None:
    number = world.submit(author, world.plugin(plugin_id, owner=author), plugin_id)
    assert world.review(number).result.passed
    opened = world.label(number, "approved")
    assert opened.pull is not None, opened
    world.merge(opened.pull.number)


def _ids(outcome: object) -> set[str]:
    return {f.id for f in outcome.result.findings}  # type: ignore[attr-defined]


# 1. A stranger cannot update someone else's plugin; the repository can name its maintainers; org members.

def test_a_stranger_cannot_update_a_listed_plugin_and_identity_never_comes_from_the_form(world: World) -> None:
    _listed(world)
    url = world.plugin(version="1.1.0")
    stranger = world.submit("bob", url, "daily_quote_reply", version="1.1.0", author_name="Bob",
                            author_email="bob@example.com")
    outcome = world.review(stranger)
    assert "WXR-O004" in _ids(outcome) and not outcome.result.passed

    # Alice names bob in plugin.json at a new tag: only someone with write access could.
    url = world.plugin(version="1.2.0", maintainers=["bob"])
    named = world.submit("bob", url, "daily_quote_reply", version="1.2.0", author_name="Bob",
                         author_email="bob@example.com")
    reviewed = world.review(named)
    assert reviewed.result.passed, [(f.id, f.message) for f in reviewed.result.findings if f.severity == "error"]
    opened = world.label(named, "approved", at="2026-04-01T08:00:00Z")
    assert opened.action == "opened" and opened.pull is not None
    world.merge(opened.pull.number)
    entry = RegistryStore(world.checkout).get("daily_quote_reply")
    assert entry is not None and entry.versions.latest == "1.2.0"
    assert entry.author.github == "alice" and entry.author.name != "Bob" and entry.author.email != "bob@example.com"


def test_an_org_member_submits_from_the_org_and_is_checked_again_at_approval(world: World) -> None:
    world.gh.add_org("acme", public_members=["bob"])
    url = world.plugin("acme_quotes", owner="acme")
    outsider = world.submit("eve", url, "acme_quotes")
    assert "WXR-O001" in _ids(world.review(outsider))
    member = world.submit("bob", url, "acme_quotes")
    assert world.review(member).result.passed
    world.gh.set_public_members("acme", [])  # bob hid (or lost) his membership after the review
    refused = world.label(member, "approved")
    assert refused.action == "not-owner" and world.pulls() == []
    world.gh.set_public_members("acme", ["bob"])
    opened = world.label(member, "approved")
    assert opened.action == "opened"
    assert world.repo().get_pull(opened.pull.number).head.ref == "registry/acme_quotes"  # type: ignore[union-attr]


# 2. One claim per id (and per look-alike), released only by a maintainer.

def test_a_second_claim_is_refused_naming_the_first_issue_until_released(fast_world: World) -> None:
    world = fast_world
    first = world.submit("alice", world.plugin("quote_alpha"), "quote_alpha")
    second = world.submit("eve", world.plugin("quote_alpha", owner="eve"), "quote_alpha")
    third = world.submit("bob", world.plugin("quotealpha", owner="bob"), "quotealpha")
    for number in (first, second, third):
        assert world.review(number).result.passed
    opened = world.label(first, "approved")
    assert opened.action == "opened" and opened.pull is not None
    for other in (second, third):
        refused = world.label(other, "approved")
        assert refused.action == "claimed" and refused.detail == f"#{first}"
        assert f"#{first}" in world.comments(other)[-1].body
        assert labels.CLAIM_CONFLICT in world.labels(other) and "approved" not in world.labels(other)
    pull = world.repo().get_pull(opened.pull.number)
    assert f"Closes #{first}" in pull.body and len(world.pulls()) == 1  # the first PR was not touched
    assert pull.head.sha == opened.pull.commit

    release_claim(world.settings, "quote_alpha", world.forge)
    assert world.pulls() == []
    again = world.label(second, "approved")
    assert again.action == "opened"
    assert f"Closes #{second}" in world.repo().get_pull(again.pull.number).body  # type: ignore[union-attr]


# 3 and 4. The refresh never launders a hand edit; the required status guards the merge.

def _hand_edit(world: World, branch: str) -> str:
    """maria (write access) edits the entry on the bot's branch: the description, through the contents API."""
    repo = world.repo("maria")
    path = f"registry/plugins/{branch.removeprefix('registry/')}.json"
    current = repo.get_contents(path, ref=branch)
    data = current.decoded_content.replace(b'"description": "', b'"description": "EDITED ')
    return str(repo.update_file(path, "hand edit", data, current.sha, branch=branch)["commit"].sha)


def test_refresh_refuses_a_hand_edited_branch_and_the_status_blocks_its_merge(fast_world: World) -> None:
    world = fast_world
    world.gh.protect_branch(REGISTRY, "main", [texts.STATUS_CONTEXT], strict=True)  # CONTRIBUTING's checklist
    numbers = {pid: world.submit("alice", world.plugin(pid), pid) for pid in ("quote_bravo", "quote_delta")}
    pulls = {}
    for plugin_id, number in numbers.items():
        assert world.review(number).result.passed
        pulls[plugin_id] = world.label(number, "approved").pull
    bravo = pulls["quote_bravo"]
    assert bravo is not None
    statuses = world.forge.statuses(bravo.commit)
    assert [(s.context, s.state) for s in statuses] == [(texts.STATUS_CONTEXT, "success")]

    edited = _hand_edit(world, bravo.branch)
    with pytest.raises(Exception) as refused:
        world.repo().get_pull(bravo.number).merge(merge_method="merge")
    assert "405" in str(refused.value) and texts.STATUS_CONTEXT in str(refused.value)
    problems = check_pull(world.settings, world.forge, bravo.number)  # what check-pr.yml runs on the push
    assert problems and [s.state for s in world.forge.statuses(edited)] == ["failure"]

    delta = pulls["quote_delta"]
    assert delta is not None
    world.merge(delta.number)  # main moves: the refresh runs (world.merge) and must not bless the edit
    assert world.repo().get_branch(bravo.branch).commit.sha == edited
    assert labels.TAMPERED in {label.name for label in world.repo().get_issue(bravo.number).labels}
    assert "no longer holds what the bot wrote" in world.comments(bravo.number)[-1].body


def test_a_registry_pr_behind_main_cannot_merge_until_the_refresh_rebuilds_it(fast_world: World) -> None:
    """Two registry PRs built on one main: after the first merges, the second may merge cleanly in git yet
    carry a registry.json that misses the first plugin. "Up to date before merging" refuses it; the refresh
    rebuilds it on the new main with the required status, and then it merges."""
    world = fast_world
    world.gh.protect_branch(REGISTRY, "main", [texts.STATUS_CONTEXT], strict=True)
    opened = []
    for plugin_id in ("quote_india", "quote_juliet"):
        number = world.submit("alice", world.plugin(plugin_id), plugin_id)
        assert world.review(number).result.passed
        opened.append(world.label(number, "approved").pull)
    first, second = opened
    assert first is not None and second is not None
    world.repo().get_pull(first.number).merge(merge_method="merge")
    with pytest.raises(Exception) as refused:  # conflicting here; "not up to date" when git merges cleanly
        world.repo().get_pull(second.number).merge(merge_method="merge")
    assert "405" in str(refused.value)
    world.sync_checkout()
    assert [d.action for d in refresh_open_pulls(world.settings, world.forge)] == ["rebuilt"]
    world.merge(second.number)  # validates main
    entries = {e.plugin_id for e in RegistryStore(world.checkout).load_entries()}
    assert {"quote_india", "quote_juliet"} <= entries

    # A head behind main that git would merge cleanly (another file) is refused too, until it is updated.
    repo = world.repo("maria")
    old_main = repo.get_branch("main").commit.sha
    repo.create_git_ref("refs/heads/docs", old_main)
    docs = repo.create_file("NOTES.md", "docs", b"notes\n", branch="docs")
    repo.get_commit(docs["commit"].sha).create_status("success", context=texts.STATUS_CONTEXT)
    pull = repo.create_pull(base="main", head="docs", title="docs", body="")
    git(world.checkout, "commit", "-q", "--allow-empty", "-m", "move main")
    git(world.checkout, "push", "-q", world.gh.git_url(REGISTRY).replace("://", f"://maria:{world.gh.token_for('maria')}@"),
        "HEAD:refs/heads/main")
    with pytest.raises(Exception) as stale:
        repo.get_pull(pull.number).merge(merge_method="merge")
    assert "405" in str(stale.value) and "not up to date" in str(stale.value)


# 5. Writes whose answer was lost are looked up, never repeated.

def test_lost_answers_give_one_comment_one_pr_and_one_review(fast_world: World) -> None:
    world = fast_world
    number = world.submit("alice", world.plugin("quote_echo"), "quote_echo")
    world.gh.faults.lose_response("POST", r"/issues/\d+/comments$", status=502)
    assert world.review(number).result.passed
    world.gh.faults.lose_response("POST", r"/pulls$", status=502)
    world.gh.faults.lose_response("POST", r"/issues/\d+/comments$", status=None)  # dropped connection
    opened = world.label(number, "approved")
    assert opened.action == "opened"
    bodies = [c.body for c in world.comments(number)]
    assert sum(MARKER in b for b in bodies) == 1 and sum(texts.APPROVAL_MARKER in b for b in bodies) == 1
    assert len(world.pulls()) == 1


# 6. The refresh ignores fork PRs named like ours and reports per PR without failing.

def test_refresh_ignores_fork_prs_and_one_bad_pr_fails_nothing(fast_world: World) -> None:
    world = fast_world
    number = world.submit("alice", world.plugin("quote_foxtrot"), "quote_foxtrot")
    assert world.review(number).result.passed
    ours = world.label(number, "approved").pull
    assert ours is not None
    fork = world.client("eve").get_repo(REGISTRY).create_fork()
    assert fork.get_branch("registry/quote_foxtrot")  # the fork copied our branch: its PR is named like ours
    world.repo("eve").create_pull(base="main", head="eve:registry/quote_foxtrot", title="x",
                                  body="<!-- wxreg-registry-pr:v1 -->\n<!-- wxreg-registry-pr "
                                       '{"plugin_id": "quote_foxtrot", "entry_sha256": "x"} -->')
    git(world.checkout, "commit", "-q", "--allow-empty", "-m", "move main")
    git(world.checkout, "push", "-q", world.gh.git_url(REGISTRY).replace("://", f"://maria:{world.gh.token_for('maria')}@"),
        "HEAD:refs/heads/main")
    done = refresh_open_pulls(world.settings, world.forge)
    assert [(d.number, d.action) for d in done] == [(ours.number, "rebuilt")]


# 7. A merge racing an approval leaves no unmergeable PR.

def test_an_approval_racing_a_merge_ends_on_the_newest_main(fast_world: World) -> None:
    world = fast_world
    first = world.submit("alice", world.plugin("quote_golf"), "quote_golf")
    second = world.submit("bob", world.plugin("quote_hotel", owner="bob"), "quote_hotel")
    for number in (first, second):
        assert world.review(number).result.passed
    golf = world.label(first, "approved").pull
    assert golf is not None
    world.repo().get_issue(second).add_to_labels("approved")
    world.gh.faults.latency("POST", r"/pulls$", seconds=1.5)  # the approval is slow to open its PR ...

    def merge_meanwhile() -> None:
        time.sleep(0.5)  # ... while golf is merged (its push's refresh cannot see the PR yet)
        world.repo().get_pull(golf.number).merge(merge_method="merge")

    racer = threading.Thread(target=merge_meanwhile)
    racer.start()
    hotel = world.deliver(second, "approved", "maria")
    racer.join()
    assert hotel.pull is not None
    main = world.repo().get_branch("main").commit.sha
    assert world.repo().get_git_commit(hotel.pull.commit).parents[0].sha == main
    world.repo().get_pull(hotel.pull.number).merge(merge_method="merge")  # no refresh needed


# 8. A planted record marker can neither replace nor break the bot's record.

def test_a_planted_record_marker_is_inert() -> None:
    planted = '<!-- wxreg-review-record {"schema":"wxreg-review-record/1","passed":true} -->'
    shown = code_span(planted, 500)
    assert "<!--" not in shown
    real = '{"schema":"wxreg-review-record/1","passed":false,"plugin_id":"x"}'
    body = f"{MARKER}\n| Tag | {shown} |\n  {planted}\n<!-- wxreg-review-record {real} -->\n"
    record = parse_record(body)
    assert record is not None and record["passed"] is False and record["plugin_id"] == "x"
