"""One small handler per decision label on a submission issue (bedevere style), and the dispatcher.

Every decision first checks the sender's ``role_name`` (admin, maintain or write), failing closed: a
label from anyone else is removed with a comment, and an API error decides nothing. ``approved`` then
trusts only the bot's own review record (marker **and** login), re-checks everything it pinned, and
publishes through :mod:`wxreg.approval.release`.

API calls of one approval: issue, role, comments, then the publisher's six, then one comment = 10.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from github import Github, GithubException
from github.Issue import Issue
from github.IssueComment import IssueComment
from github.Repository import Repository

from wxreg.approval import texts
from wxreg.approval.entry import EntryRefused, ReviewedRelease
from wxreg.approval.forge import ApprovalSettings, make_client, timestamp
from wxreg.approval.pinned import recheck, record_problem
from wxreg.approval.publisher import PublishedPull
from wxreg.approval.release import prepare_release, publish
from wxreg.approval.roles import check_decider
from wxreg.errors import RegistryError
from wxreg.review.checks.manifest import MANIFEST, load_manifest
from wxreg.review.report import MARKER, neutralise, parse_record
from wxreg.review.submission import parse_issue_body


@dataclass(frozen=True)
class Outcome:
    action: str
    """``opened``, ``updated``, ``refused``, ``changed``, ``no-review``, ``rejected``, ``asked``,
    ``ignored`` or ``unverified``."""
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
    client: Github
    repo: Repository
    issue: Issue
    event: LabelEvent
    bot_login: str
    _comments: list[IssueComment] | None = None

    @property
    def comments(self) -> list[IssueComment]:
        if self._comments is None:
            self._comments = list(self.issue.get_comments())
        return self._comments

    def bot_comment(self, marker: str) -> IssueComment | None:
        """The bot's comment carrying ``marker``; anyone can paste a marker, only the bot is that login."""
        for comment in self.comments:
            if marker in (comment.body or "") and comment.user.login == self.bot_login:
                return comment
        return None

    def say(self, body: str) -> None:
        self.issue.create_comment(body)

    def sticky(self, marker: str, body: str) -> None:
        found = self.bot_comment(marker)
        if found is None:
            self.issue.create_comment(body)
        elif found.body != body:
            found.edit(body)

    def drop_label(self, name: str) -> None:
        try:
            self.issue.remove_from_labels(name)
        except GithubException as exc:
            if exc.status != 404:
                raise


def handle_approved(decision: Decision) -> Outcome:
    number = decision.event.issue_number
    review_comment = decision.bot_comment(MARKER)
    record = parse_record(review_comment.body or "") if review_comment else None
    problem = record_problem(record, number)
    if problem is not None or record is None:
        decision.drop_label(texts.APPROVED_LABEL)
        decision.say(texts.NO_REVIEW if problem == "no-record" else texts.REVIEW_FAILED)
        return Outcome("no-review" if problem == "no-record" else "refused", problem or "")
    check = recheck(record, decision.issue.body, decision.settings.review.policy)
    if not check.unchanged or check.tree is None:
        decision.drop_label(texts.APPROVED_LABEL)
        if texts.PASSED_LABEL in decision.event.issue_labels:
            decision.drop_label(texts.PASSED_LABEL)
        decision.say(texts.changed_since_review(list(check.changes)))
        return Outcome("changed", "; ".join(check.changes), rereview=True)
    manifest_file = check.tree.get(MANIFEST)
    manifest = (load_manifest(manifest_file.data)[0] if manifest_file else None) or {}
    submission = parse_issue_body(decision.issue.body).submission
    release = ReviewedRelease.from_record(record)
    try:
        prepared = prepare_release(decision.settings, release, submission, manifest, now=decision.event.timestamp,
                                   issue=number, issue_url=str(decision.issue.html_url))
    except EntryRefused as exc:
        return _not_publishable(decision, exc.reasons)
    except RegistryError as exc:
        # Problems may quote submitted values: inert in the comment.
        return _not_publishable(decision, [neutralise(f"{p.pointer or p.file}: {p.message}", 400)
                                           for p in exc.problems])
    pull = publish(decision.settings, decision.repo, prepared.change)
    decision.sticky(texts.APPROVAL_MARKER, texts.pr_opened(pull.url, pull.number, release.version, release.commit,
                                                           updated=not pull.created))
    return Outcome("opened" if pull.created else "updated", pull.url, pull=pull)


def _not_publishable(decision: Decision, reasons: list[str]) -> Outcome:
    decision.drop_label(texts.APPROVED_LABEL)
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
        if comment.user.login == decision.event.sender and comment.user.login != decision.bot_login:
            reason = "> " + neutralise(comment.body or "", 2000)
            break
    if not reason:
        review_comment = decision.bot_comment(MARKER)
        reason = review_errors(review_comment.body or "") if review_comment else ""
    decision.say(texts.rejected(reason or texts.NO_REASON))
    decision.issue.edit(state="closed", state_reason="not_planned")
    return Outcome("rejected", reason)


def handle_needs_info(decision: Decision) -> Outcome:
    decision.say(texts.needs_info(decision.issue.user.login))
    return Outcome("asked")


HANDLERS: dict[str, Callable[[Decision], Outcome]] = {
    texts.APPROVED_LABEL: handle_approved,
    texts.REJECTED_LABEL: handle_rejected,
    texts.NEEDS_INFO_LABEL: handle_needs_info,
}


def handle_label_event(payload: Mapping[str, Any], settings: ApprovalSettings,
                       client: Github | None = None) -> Outcome:
    """Dispatch an ``issues: labeled`` payload to the label's handler (other labels are ignored)."""
    event = LabelEvent.from_payload(payload)
    handler = HANDLERS.get(event.label)
    if handler is None or event.is_pull_request or texts.SUBMISSION_LABEL not in event.issue_labels:
        return Outcome("ignored", event.label)
    client = client or make_client(settings.github)
    bot_login = settings.github.bot_login or str(client.get_user().login)
    # The repository object is only a URL holder: no GET for it (lazy), the issue is read in full.
    repo = client.withLazy(True).get_repo(settings.github.repo)
    issue = repo.get_issue(event.issue_number)  # lazy too: read once, on first use
    decision = Decision(settings, client, repo, issue, event, bot_login)
    if event.label not in {label.name for label in issue.labels}:
        return Outcome("ignored", "label already removed")  # a later event (or a person) took it off
    role = check_decider(repo, event.sender)
    if role.role is None:
        decision.say(texts.role_unknown(event.label, event.sender, role.error or "?"))
        return Outcome("unverified", role.error or "")
    if not role.allowed:
        decision.drop_label(event.label)
        decision.say(texts.role_refused(event.label, event.sender, role.role))
        return Outcome("refused", f"role {role.role}")
    return handler(decision)
