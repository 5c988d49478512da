"""Approval decisions on the in-memory forge (``wxreg.forge.fake``): no sockets, no stand-in, milliseconds each.

Who may decide (fail closed), whose record counts, one claim per id, ownership at approval, a hand-edited
registry branch, and creates whose answer was lost. ``test_forge_contract.py`` keeps the fake honest
against the PyGithub implementation over the stand-in; the stand-in tests (``test_integrity.py``) and the
act tests run the same decisions end to end.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wxreg.approval import texts
from wxreg.approval.claims import claim_of, entry_sha256, pr_marker
from wxreg.approval.forge import ApprovalSettings
from wxreg.approval.handlers import Decision, LabelEvent, handle_label_event, ownership_problems
from wxreg.approval.publisher import RegistryChange, RegistryPublisher
from wxreg.approval.refresh import Tampered, what_the_bot_wrote
from wxreg.approval.release import ClaimRefused, publish
from wxreg.forge import labels
from wxreg.forge.config import GitHubConfig
from wxreg.forge.fake import FakeForge
from wxreg.forge.interface import Pull
from wxreg.models import PluginEntry
from wxreg.review.engine import RECORD_SCHEMA
from wxreg.review.report import MARKER, RECORD_CLOSE, RECORD_OPEN, encode_record

REGISTRY = "wxauto/registry"
EXAMPLE_ENTRY = (Path(__file__).resolve().parents[1] / "fixtures" / "registry-example" / "registry" / "plugins"
                 / "weather_query.json")
MAIN = "0" * 40


@pytest.fixture
def forge() -> FakeForge:
    fake = FakeForge(repo=REGISTRY, roles={"maria": "maintain", "tom": "triage"})
    fake.commits[MAIN] = {}
    fake.branches["main"] = MAIN
    return fake


@pytest.fixture
def settings() -> ApprovalSettings:
    return ApprovalSettings(github=GitHubConfig(token="", repo=REGISTRY, throttle=False), fetch=False)


def submission(forge: FakeForge, user: str = "alice", *labels_now: str) -> int:
    return forge.add_issue(user, "[插件提交 / Plugin] quote", "body",
                           frozenset({labels.SUBMISSION, *labels_now}))


def label(forge: FakeForge, settings: ApprovalSettings, number: int, name: str, sender: str) -> Any:
    """GitHub adds the label, then delivers the event to the workflow."""
    forge.add_label(number, name)
    payload = {"action": "labeled", "label": {"name": name}, "sender": {"login": sender},
               "issue": {"number": number, "updated_at": "2026-03-01T08:00:00Z",
                         "labels": [{"name": n} for n in sorted(forge.issues[number].labels)]}}
    return handle_label_event(payload, settings, forge)


def bodies(forge: FakeForge, number: int) -> list[str]:
    return [c.body for c in forge.comments(number)]


# -- who may decide --------------------------------------------------------------------------------

def test_a_triager_or_an_author_cannot_approve(forge: FakeForge, settings: ApprovalSettings) -> None:
    for sender in ("tom", "alice"):
        number = submission(forge)
        outcome = label(forge, settings, number, labels.APPROVED, sender)
        assert outcome.action == "refused" and labels.APPROVED not in forge.issues[number].labels
        assert sender in bodies(forge, number)[-1]
    assert forge.pulls == {}


def test_an_unreadable_role_decides_nothing(forge: FakeForge, settings: ApprovalSettings) -> None:
    forge.role_errors["maria"] = "HTTP 502"
    number = submission(forge)
    outcome = label(forge, settings, number, labels.APPROVED, "maria")
    assert outcome.action == "unverified" and "HTTP 502" in outcome.detail
    assert "fail closed" in bodies(forge, number)[-1] and forge.pulls == {}
    assert "create_pull" not in forge.calls and "commit" not in forge.calls


def test_events_that_are_not_decisions_on_submissions_are_ignored(forge: FakeForge,
                                                                  settings: ApprovalSettings) -> None:
    other = forge.add_issue("alice", "a question", "body")
    assert label(forge, settings, other, labels.APPROVED, "maria").action == "ignored"
    number = submission(forge)
    forge.add_label(number, labels.APPROVED)
    forge.remove_label(number, labels.APPROVED)  # a person (or a later run) took it off before this run
    payload = {"label": {"name": labels.APPROVED}, "sender": {"login": "maria"},
               "issue": {"number": number, "labels": [{"name": labels.SUBMISSION}, {"name": labels.APPROVED}]}}
    assert handle_label_event(payload, settings, forge).detail == "label already removed"
    assert forge.comment_list == {}


# -- whose record counts ---------------------------------------------------------------------------

def record_comment(record: dict[str, Any]) -> str:
    """The bot's sticky review comment as the review writes it: marker, text, the record's own line."""
    return f"{MARKER}\n## review\n\n{RECORD_OPEN}{encode_record(record)}{RECORD_CLOSE}\n"


def test_only_the_bots_record_of_this_issue_counts(forge: FakeForge, settings: ApprovalSettings) -> None:
    number = submission(forge)
    passed = {"schema": RECORD_SCHEMA, "passed": True, "issue": number, "plugin_id": "quote", "version": "1.0.0",
              "repo": "https://github.com/alice/quote", "tag": "v1.0.0", "commit": "c" * 40, "digest": "sha256:x",
              "body_sha256": "b" * 64}  # complete: refused only because of who wrote it
    forge.add_comment_as(number, "alice", record_comment(passed))  # the author forges the bot's comment
    outcome = label(forge, settings, number, labels.APPROVED, "maria")
    assert outcome.action == "no-review" and labels.APPROVED not in forge.issues[number].labels
    assert bodies(forge, number)[-1] == texts.NO_REVIEW

    forge.add_comment_as(number, forge.bot_login, record_comment({**passed, "issue": number + 1}))
    assert label(forge, settings, number, labels.APPROVED, "maria").action == "no-review"


def test_a_failed_review_is_not_approved(forge: FakeForge, settings: ApprovalSettings) -> None:
    number = submission(forge)
    forge.add_comment_as(number, forge.bot_login,
                         record_comment({"schema": RECORD_SCHEMA, "passed": False, "issue": number}))
    outcome = label(forge, settings, number, labels.APPROVED, "maria")
    assert outcome.action == "refused" and outcome.detail == "failed" and forge.pulls == {}


def test_reject_quotes_the_maintainer_and_closes(forge: FakeForge, settings: ApprovalSettings) -> None:
    number = submission(forge)
    forge.add_comment_as(number, "maria", "重复提交 / duplicate of @someone <b>x</b>")
    outcome = label(forge, settings, number, labels.REJECTED, "maria")
    assert outcome.action == "rejected" and forge.issues[number].state == "closed"
    said = bodies(forge, number)[-1]
    assert "duplicate of" in said and "@someone" not in said and "<b>" not in said


# -- one claim per id ------------------------------------------------------------------------------

def change(plugin_id: str, content: bytes = b"{}\n", *, issue: int | None = None) -> RegistryChange:
    path = f"registry/plugins/{plugin_id}.json"
    marker = pr_marker({"plugin_id": plugin_id, "issue": issue, "entry_sha256": entry_sha256(content)})
    return RegistryChange(plugin_id, MAIN, {path: content}, f"Add {plugin_id}", f"{marker}\nbody", "msg")


def test_a_second_claim_on_an_id_or_a_look_alike_is_refused(forge: FakeForge, settings: ApprovalSettings) -> None:
    first = publish(settings, forge, change("quote_alpha", issue=1), issue=1)
    for plugin_id in ("quote_alpha", "quotealpha", "quote_a1pha"):
        with pytest.raises(ClaimRefused) as refused:
            publish(settings, forge, change(plugin_id, issue=2), issue=2)
        assert refused.value.claim.issue == 1 and refused.value.claim.pull.number == first.number
    assert len(forge.open_pulls("main")) == 1
    assert forge.pulls[first.number].head_sha == first.commit  # the first claim's branch was not touched

    again = publish(settings, forge, change("quote_alpha", b"{\"v\": 2}\n", issue=1), issue=1)
    assert again.number == first.number and not again.created  # the same issue updates its own PR

    forge.close_pull(first.number)  # ``wxreg release-claim``: the claim is gone with its PR
    assert publish(settings, forge, change("quote_alpha", issue=2), issue=2).created


def test_only_the_bots_own_branches_are_claims(forge: FakeForge) -> None:
    marker = pr_marker({"plugin_id": "quote_alpha", "issue": 1, "entry_sha256": "x"})
    base = Pull(7, "u", "t", marker, forge.bot_login, "registry/quote_alpha", "s", REGISTRY, "main")
    assert claim_of(base, forge) is not None
    assert claim_of(Pull(**{**base.__dict__, "head_repo": "eve/registry"}), forge) is None  # a fork
    assert claim_of(Pull(**{**base.__dict__, "user": "eve"}), forge) is None  # a person's PR
    assert claim_of(Pull(**{**base.__dict__, "head_ref": "registry/other"}), forge) is None  # wrong branch
    twice = f"{marker}\n{marker}"
    assert claim_of(Pull(**{**base.__dict__, "body": twice}), forge) is None  # a planted second marker


# -- ownership, again at approval -------------------------------------------------------------------

def decision(forge: FakeForge, settings: ApprovalSettings, submitter: str) -> Decision:
    number = submission(forge, submitter)
    event = LabelEvent(labels.APPROVED, "maria", number, "2026-03-01T08:00:00Z", forge.issues[number].labels)
    return Decision(settings, forge, forge.issue(number), event)


@pytest.mark.parametrize(("submitter", "repo_owner", "owner_on_record", "maintainers", "allowed"), [
    ("alice", "alice", None, [], True),            # a new plugin from one's own repository
    ("bob", "alice", None, [], False),             # someone else's repository
    ("alice", "alice", "alice", [], True),         # the owner on record updates
    ("bob", "alice", "alice", [], False),          # a stranger's "update" of alice's plugin
    ("bob", "alice", "alice", ["bob"], True),      # plugin.json at the reviewed commit names bob
    ("bob", "acme", None, [], True),               # a public member of the owning organisation
    ("eve", "acme", None, [], False),              # not a member
])
def test_who_may_submit_at_approval(forge: FakeForge, settings: ApprovalSettings, submitter: str,
                                    repo_owner: str, owner_on_record: str | None, maintainers: list[str],
                                    allowed: bool) -> None:
    forge.public_members["acme"] = {"bob"}
    record = {"plugin_id": "quote", "repo": f"https://github.com/{repo_owner}/quote"}
    problems = ownership_problems(decision(forge, settings, submitter), record, {"maintainers": maintainers},
                                  owner_on_record)
    assert (problems == []) is allowed, problems


def test_unreadable_membership_is_a_no(forge: FakeForge, settings: ApprovalSettings) -> None:
    forge.unreadable_orgs.add("acme")
    record = {"plugin_id": "quote", "repo": "https://github.com/acme/quote"}
    problems = ownership_problems(decision(forge, settings, "bob"), record, {}, None)
    assert problems and "could not be read" in problems[0]


# -- the refresh never launders a hand edit ---------------------------------------------------------

def test_a_branch_holds_exactly_what_the_bot_wrote_or_is_refused(forge: FakeForge,
                                                                 settings: ApprovalSettings) -> None:
    written = EXAMPLE_ENTRY.read_bytes()
    plugin_id = json.loads(written)["plugin_id"]
    pull = publish(settings, forge, change(plugin_id, written, issue=3), issue=3)
    claim = claim_of(forge.pull(pull.number), forge)
    assert claim is not None and claim.issue == 3
    entry = what_the_bot_wrote(claim, forge.commits[pull.commit][f"registry/plugins/{plugin_id}.json"], None)
    assert isinstance(entry, PluginEntry) and entry.plugin_id == plugin_id
    edited = written.replace(b'"description": "', b'"description": "EDITED ')
    assert edited != written
    with pytest.raises(Tampered):
        what_the_bot_wrote(claim, edited, None)
    with pytest.raises(Tampered):  # the entry deleted and no tombstone the bot recorded
        what_the_bot_wrote(claim, None, b"[]")


# -- a create whose answer was lost is looked up, never repeated ------------------------------------

def test_lost_answers_give_one_pr_and_one_comment(forge: FakeForge) -> None:
    publisher = RegistryPublisher(forge)
    forge.lose_next()  # the commit, then ... (the fake loses the answer of its next create)
    first = publisher.publish(change("quote_echo", issue=4), forge.open_pulls("main"))
    assert first.created and len(forge.open_pulls("main")) == 1
    again = publisher.publish(change("quote_echo", b"{\"v\": 2}\n", issue=4), forge.open_pulls("main"))
    assert again.number == first.number and not again.created and len(forge.open_pulls("main")) == 1

    number = submission(forge)
    forge.lose_next()
    forge.create_comment(number, "sticky")
    assert bodies(forge, number) == ["sticky"]
