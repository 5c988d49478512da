"""One small handler per decision label on a submission issue (bedevere style), and the dispatcher.

Every decision first checks the sender's ``role_name`` (admin, maintain or write), failing closed: a
label from anyone else is removed with a comment, and an API error decides nothing. ``approved`` then
trusts only the bot's own review record (marker **and** login), re-checks everything it pinned, and
publishes through :mod:`wxreg.approval.release`.

API calls of one approval: issue, role, comments, [public membership], open PRs, the publisher's five,
the required status, one comment = 11 (12 when membership is asked); target <= 12.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from wxreg.approval import texts
from wxreg.approval.entry import EntryRefused, ReviewedRelease
from wxreg.approval.forge import ApprovalSettings, timestamp
from wxreg.approval.pinned import recheck, record_problem
from wxreg.approval.publisher import PublishedPull
from wxreg.approval.release import ClaimRefused, Prepared, prepare_release, publish, rebuild_if_main_moved
from wxreg.errors import RegistryError
from wxreg.forge import labels
from wxreg.forge.interface import Comment, Forge, Issue, Status
from wxreg.review.checks.manifest import MANIFEST, load_manifest
from wxreg.review.checks.ownership import acting_submitter, manifest_maintainers, may_submit, repo_owner
from wxreg.review.github import bot_comment, bot_record
from wxreg.review.report import MARKER, neutralise
from wxreg.review.submission import parse_issue_body


@dataclass(frozen=True)
class Outcome:
    action: str
    """``opened``, ``updated``, ``refused``, ``changed``, ``no-review``, ``claimed``, ``not-owner``,
    ``rejected``, ``asked``, ``ignored`` or ``unverified``."""
    detail: str = ""
    pull: PublishedPull | None = None
    rereview: bool = False
    """The pinned release changed: the workflow re-runs the review."""


@dataclass(frozen=True)
class LabelEvent:
    label: str
    sender: str
    issue_number: int
    timestamp: str
    issue_labels: frozenset[str]
    is_pull_request: bool = False

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> LabelEvent:
        issue = payload.get("issue") or {}
        return cls(
            label=str((payload.get("label") or {}).get("name") or ""),
            sender=str((payload.get("sender") or {}).get("login") or ""),
            issue_number=int(issue.get("number") or 0),
            timestamp=timestamp(issue.get("updated_at")),
            issue_labels=frozenset(str(label.get("name")) for label in issue.get("labels") or []),
            is_pull_request=issue.get("pull_request") is not None,
        )


@dataclass
class Decision:
    """Everything one handler needs, fetched once."""

    settings: ApprovalSettings
    forge: Forge
    issue: Issue
    event: LabelEvent
    _comments: list[Comment] | None = None

    @property
    def comments(self) -> list[Comment]:
        if self._comments is None:
            self._comments = self.forge.comments(self.issue.number)
        return self._comments

    def bot_comment(self, marker: str) -> Comment | None:
        return bot_comment(self.comments, marker, self.forge.bot_login)

    def say(self, body: str) -> None:
        self.forge.create_comment(self.issue.number, body)

    def sticky(self, marker: str, body: str) -> None:
        found = self.bot_comment(marker)
        if found is None:
            self.forge.create_comment(self.issue.number, body)
        elif found.body != body:
            self.forge.edit_comment(found.id, body)

    def drop_label(self, name: str) -> None:
        self.forge.remove_label(self.issue.number, name)


def ownership_problems(decision: Decision, record: Mapping[str, Any], manifest: Mapping[str, Any],
                       owner_on_record: str | None, listed_repo: str | None = None) -> list[str]:
    """The review's ownership rule again, at approval, on the submitter, the manifest at the pinned commit
    and the owner on record of today's main (one API call only when membership must be asked). The release
    watcher's issues stand for the owner on record (:func:`acting_submitter`)."""
    owner = repo_owner(str(record["repo"]))
    submitter = acting_submitter(decision.issue.user, decision.forge.bot_login, str(record["repo"]), listed_repo,
                                 owner_on_record)
    maintainers = manifest_maintainers(manifest)
    if may_submit(submitter, owner, owner_on_record, maintainers, False):
        return []
    member = decision.forge.is_public_member(owner, submitter)
    if may_submit(submitter, owner, owner_on_record, maintainers, member is True):
        return []
    who = owner_on_record or owner
    return [f"@{submitter} 不是 {record['plugin_id']} 的所有者（登记为 {who}），plugin.json 的 maintainers 也没有列出"
            f"{'，且无法确认组织成员身份' if member is None else ''} / @{submitter} is not an owner of "
            f"{record['plugin_id']} (on record: {who}) and is not listed in plugin.json's maintainers"
            f"{'; organisation membership could not be read' if member is None else ''}"]


def handle_approved(decision: Decision) -> Outcome:
    number = decision.event.issue_number
    _, record = bot_record(decision.comments, decision.forge.bot_login)
    problem = record_problem(record, number)
    if problem is not None or record is None:
        decision.drop_label(labels.APPROVED)
        decision.say(texts.NO_REVIEW if problem == "no-record" else texts.REVIEW_FAILED)
        return Outcome("no-review" if problem == "no-record" else "refused", problem or "")
    check = recheck(record, decision.issue.body, decision.settings.review.policy)
    if not check.unchanged or check.tree is None:
        decision.drop_label(labels.APPROVED)
        if labels.PASSED in decision.event.issue_labels:
            decision.drop_label(labels.PASSED)
        decision.say(texts.changed_since_review(list(check.changes)))
        return Outcome("changed", "; ".join(check.changes), rereview=True)
    manifest_file = check.tree.get(MANIFEST)
    manifest = (load_manifest(manifest_file.data)[0] if manifest_file else None) or {}
    submission = parse_issue_body(decision.issue.body).submission
    release = ReviewedRelease.from_record(record)
    try:
        prepared = prepare_release(decision.settings, release, submission, manifest, now=decision.event.timestamp,
                                   issue=number, issue_url=decision.issue.html_url, submitter=decision.issue.user)
    except EntryRefused as exc:
        return _not_publishable(decision, exc.reasons)
    except RegistryError as exc:
        # Problems may quote submitted values: inert in the comment.
        return _not_publishable(decision, [neutralise(f"{p.pointer or p.file}: {p.message}", 400)
                                           for p in exc.problems])
    owner = prepared.previous.author.github if prepared.previous is not None else None
    listed_repo = prepared.previous.repository.primary.url if prepared.previous is not None else None
    refused = ownership_problems(decision, record, manifest, owner, listed_repo)
    if refused:
        decision.drop_label(labels.APPROVED)
        decision.say(texts.not_owner(refused))
        return Outcome("not-owner", "; ".join(refused))
    try:
        pull = publish(decision.settings, decision.forge, prepared.change, issue=number)
    except ClaimRefused as exc:
        decision.drop_label(labels.APPROVED)
        decision.forge.add_label(number, labels.CLAIM_CONFLICT)
        decision.say(texts.claim_conflict(release.plugin_id, exc.claim.plugin_id, exc.claim.issue,
                                          exc.claim.pull.html_url, exc.how))
        return Outcome("claimed", f"#{exc.claim.issue}")
    pull = _settle(decision, prepared, pull, release, record)
    decision.sticky(texts.APPROVAL_MARKER, texts.pr_opened(pull.url, pull.number, release.version, release.commit,
                                                           updated=not pull.created))
    return Outcome("opened" if pull.created else "updated", pull.url, pull=pull)


def _settle(decision: Decision, prepared: Prepared, pull: PublishedPull, release: ReviewedRelease,
            record: Mapping[str, Any]) -> PublishedPull:
    """Main may have moved while the PR was written (a merge raced this approval): rebuild it on the newest
    main, then mark the head with the required status (the files were validated against the record)."""
    pull = rebuild_if_main_moved(decision.settings, decision.forge, prepared, pull)
    decision.forge.set_status(pull.commit, Status(texts.STATUS_CONTEXT, "success",
                                                  f"entry = review record of #{decision.issue.number}; registry valid"))
    return pull


def _not_publishable(decision: Decision, reasons: list[str]) -> Outcome:
    decision.drop_label(labels.APPROVED)
    decision.say(texts.not_publishable(reasons))
    return Outcome("refused", "; ".join(reasons))


REVIEW_ERRORS_HEADING = "### ❌"
MAX_QUOTED_LINES = 60


def review_errors(body: str) -> str:
    """The errors section of the bot's review comment (already neutralised by the review)."""
    lines = body.splitlines()
    out: list[str] = []
    inside = False
    for line in lines:
        if line.startswith("### "):
            if inside:
                break
            inside = line.startswith(REVIEW_ERRORS_HEADING)
            continue
        if inside and line.strip():
            out.append(line)
    return "\n".join(out[:MAX_QUOTED_LINES])


def handle_rejected(decision: Decision) -> Outcome:
    reason = ""
    for comment in reversed(decision.comments):
        if comment.user == decision.event.sender and comment.user != decision.forge.bot_login:
            reason = "> " + neutralise(comment.body, 2000)
            break
    if not reason:
        review_comment = decision.bot_comment(MARKER)
        reason = review_errors(review_comment.body) if review_comment else ""
    decision.say(texts.rejected(reason or texts.NO_REASON))
    decision.forge.close_issue(decision.issue.number, "not_planned")
    return Outcome("rejected", reason)


def handle_needs_info(decision: Decision) -> Outcome:
    decision.say(texts.needs_info(decision.issue.user))
    return Outcome("asked")


HANDLERS: dict[str, Callable[[Decision], Outcome]] = {
    labels.APPROVED: handle_approved,
    labels.REJECTED: handle_rejected,
    labels.NEEDS_INFO: handle_needs_info,
}


def handle_label_event(payload: Mapping[str, Any], settings: ApprovalSettings, forge: Forge) -> Outcome:
    """Dispatch an ``issues: labeled`` payload to the label's handler (other labels are ignored)."""
    event = LabelEvent.from_payload(payload)
    handler = HANDLERS.get(event.label)
    if handler is None or event.is_pull_request or labels.SUBMISSION not in event.issue_labels:
        return Outcome("ignored", event.label)
    issue = forge.issue(event.issue_number)
    decision = Decision(settings, forge, issue, event)
    if event.label not in issue.labels:
        return Outcome("ignored", "label already removed")  # a later event (or a person) took it off
    role = forge.role(event.sender)
    if role.role is None:
        decision.say(texts.role_unknown(event.label, event.sender, role.error or "?"))
        return Outcome("unverified", role.error or "")
    if not role.may_decide:
        decision.drop_label(event.label)
        decision.say(texts.role_refused(event.label, event.sender, role.role))
        return Outcome("refused", f"role {role.role}")
    return handler(decision)
