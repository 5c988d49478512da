"""GitHub side of the review: read submissions, keep one sticky comment, sync labels, ownership facts.

Everything goes through the :class:`~wxreg.forge.interface.Forge` (PyGithub with a configurable base
URL in production, so the same code talks to GitHub and to the sandbox's stand-in). The sticky comment
is found by the hidden marker **and** the bot's login: anyone can paste the marker. A first review of a
new submission by its repository's owner makes 4 REST calls (issue, comments, create comment, add
label); ownership by someone else adds one (public organisation membership); the budget is
:data:`CALL_BUDGET`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from wxreg.forge import labels
from wxreg.forge.config import GitHubConfig
from wxreg.forge.interface import DECIDER_ROLES, Comment, Forge, ForgeError, Issue
from wxreg.lifecycle.previous import review_update
from wxreg.review.checks.ownership import issue_submitter
from wxreg.review.context import OwnershipFacts
from wxreg.review.engine import ReviewOptions, ReviewRequest, ReviewResult
from wxreg.review.report import MARKER, parse_record, render_markdown
from wxreg.review.source import SourceError, check_url
from wxreg.review.submission import Submission, body_sha256, parse_issue_body
from wxreg.review.waivers import Waiver, WaiverError, parse_command
from wxreg.review.waivers import from_record as waivers_from_record
from wxreg.review.waivers import merge as merge_waivers

SUBMISSION_LABEL = labels.SUBMISSION
PASSED_LABEL = labels.PASSED
FAILED_LABEL = labels.FAILED
APPROVED_LABEL = labels.APPROVED
APPROVER_ROLES = DECIDER_ROLES  # one rule for who may approve, shared with approve.yml
CALL_BUDGET = 8
APPROVAL_REVOKED = (
    "issue 在批准后被修改，已撤销 `approved`，需维护者根据新的审核重新批准。 / The issue was edited after approval, "
    "so `approved` was removed; a maintainer must approve the new review."
)
T = TypeVar("T")
__all__ = ["APPROVED_LABEL", "CALL_BUDGET", "FAILED_LABEL", "PASSED_LABEL", "SUBMISSION_LABEL", "GitHubConfig",
           "GitHubError", "GitHubOwnership", "GitHubReviewer", "IssueOutcome", "bot_record"]


class GitHubError(Exception):
    """GitHub could not be reached or refused: the review could not be done (exit status 2)."""


@dataclass(frozen=True)
class IssueOutcome:
    number: int
    result: ReviewResult | None
    error: str | None = None
    comment_id: int | None = None
    skipped: str | None = None
    sections: tuple[str, ...] = ()
    """Extra sticky-comment sections (an update's changes since the listed version)."""


def _guard(call: Callable[[], T]) -> T:
    try:
        return call()
    except ForgeError as exc:
        raise GitHubError(str(exc)) from exc


def bot_comment(comments: list[Comment], marker: str, bot_login: str) -> Comment | None:
    """The bot's comment carrying ``marker``: the marker **and** the login (anyone can paste a marker)."""
    return next((c for c in comments if marker in c.body and c.user == bot_login), None)


def bot_record(comments: list[Comment], bot_login: str) -> tuple[Comment | None, dict[str, Any] | None]:
    """The bot's sticky review comment and the record in it (read only from the bot's own comment)."""
    comment = bot_comment(comments, MARKER, bot_login)
    return comment, parse_record(comment.body) if comment else None


class GitHubOwnership:
    """Ownership facts from the forge: the repository's owner, and whether the submitter is a public
    member of it (when it is an organisation). No collaborator roles on other people's repositories."""

    def __init__(self, forge: Forge, web_url: str = "https://github.com") -> None:
        self._forge = forge
        self._prefix = web_url.rstrip("/") + "/"

    def facts(self, submission: Submission, submitter: str) -> OwnershipFacts:
        normalised = check_url(submission.github_repo, (self._prefix,))
        if normalised is None:
            return OwnershipFacts(submitter, "", None, error="仓库地址无效 / invalid repository URL")
        owner = normalised.removeprefix(self._prefix).split("/")[0]
        if owner.casefold() == submitter.casefold():
            return OwnershipFacts(submitter, owner, "admin")
        member = self._forge.is_public_member(owner, submitter)
        error = None if member is not None else "无法读取组织成员 / organisation membership could not be read"
        return OwnershipFacts(submitter, owner, None, error=error, public_member=member is True)


class GitHubReviewer:
    def __init__(self, config: GitHubConfig, options: ReviewOptions, *, forge: Forge | None = None) -> None:
        self.config = config
        self.options = options
        if forge is None:
            from wxreg.forge.github import GitHubForge

            forge = GitHubForge(config)
        self.forge = forge
        self.ownership = GitHubOwnership(forge, config.web_url)

    @property
    def bot_login(self) -> str:
        return _guard(lambda: self.forge.bot_login)

    def _comments(self, number: int) -> list[Comment]:
        return _guard(lambda: self.forge.comments(number))

    def submissions_needing_review(self) -> list[int]:
        """Open submissions without a review of their current body."""
        numbers: list[int] = []
        for issue in _guard(lambda: self.forge.open_issues(SUBMISSION_LABEL)):
            if issue.is_pull_request:
                continue
            _, record = bot_record(self._comments(issue.number), self.bot_login)
            if record is None or record.get("body_sha256") != body_sha256(issue.body):
                numbers.append(issue.number)
        return sorted(numbers)

    def waive(self, number: int, login: str, body: str) -> IssueOutcome:
        """A ``/waive`` comment: only a decider (admin, maintain, write; fail closed) may waive a finding of
        the commit the sticky review pinned; the issue is then reviewed again with the waiver."""
        _, previous = bot_record(_guard(lambda: self.forge.comments(number)), self.bot_login)
        if previous is None:
            return IssueOutcome(number, None, skipped="没有可豁免的审核 / there is no review to waive a finding of")
        role = self.forge.role(login)
        if not role.may_decide:
            return IssueOutcome(number, None, skipped=f"{login} 无权豁免 / may not waive (role: {role.role})")
        try:
            waiver = parse_command(body, commit=str(previous.get("commit")), by=login)
        except WaiverError as exc:
            return IssueOutcome(number, None, skipped=str(exc))
        return self.review_issue(number, extra_waivers=(waiver,))

    def review_issue(
        self, number: int, *, auto_approve: bool = False, extra_waivers: tuple[Waiver, ...] = ()
    ) -> IssueOutcome:
        issue = _guard(lambda: self.forge.issue(number))
        if SUBMISSION_LABEL not in issue.labels:
            return IssueOutcome(number, None, error="不是插件提交 / not a plugin submission")
        parsed = parse_issue_body(issue.body)
        submission = parsed.submission
        comment, previous = bot_record(_guard(lambda: self.forge.comments(number)), self.bot_login)
        expected = None
        if previous and previous.get("passed") and previous.get("tag") == submission.release_tag:
            expected = previous.get("commit") if isinstance(previous.get("commit"), str) else None
        # The release watcher's update issues (authored by the bot, for the listed repository) stand for the
        # owner on record; everyone else is checked as themselves.
        submitter = issue_submitter(issue.user, self.bot_login, submission, self.options.registry_dir)
        ownership = self.ownership.facts(submission, submitter) if submission.github_repo else None
        request = ReviewRequest(
            repo=submission.github_repo,
            tag=submission.release_tag,
            submission=submission,
            submission_findings=parsed.findings,
            expected_commit=expected,
            ownership=ownership,
            ownership_required=True,
            issue_number=number,
            remote_only=True,
            waivers=merge_waivers(waivers_from_record(previous), extra_waivers),
        )
        try:
            # An update of a listed plugin also gets its "changes since the listed version" section.
            result, sections = review_update(request, self.options)
        except SourceError as exc:
            return IssueOutcome(number, None, error=exc.finding.message)
        if not self.config.post:
            return IssueOutcome(number, result, sections=sections)
        comment_id = self._publish(
            issue, comment, previous, render_markdown(result, sections=sections), result.record(), auto_approve
        )
        return IssueOutcome(number, result, comment_id=comment_id)

    def publish(self, number: int, markdown: str, *, auto_approve: bool = False) -> IssueOutcome:
        """Post a report made earlier (by the read-only analysis job) as the sticky comment, sync labels.

        Nothing is posted when the issue body changed since the analysis: the run for that edit
        (queued behind this one by the workflow's per-issue concurrency) will review and post it.
        """
        record = parse_record(markdown)
        if record is None:
            raise GitHubError("报告中没有审核记录 / the report carries no review record")
        issue = _guard(lambda: self.forge.issue(number))
        if record.get("issue") not in (None, number):
            raise GitHubError(f"报告属于另一个 issue / the report is for issue {record.get('issue')}")
        if body_sha256(issue.body) != record.get("body_sha256"):
            return IssueOutcome(
                number, None, skipped="issue 已再次修改 / the issue was edited again since the analysis"
            )
        comment, previous = bot_record(_guard(lambda: self.forge.comments(number)), self.bot_login)
        comment_id = self._publish(issue, comment, previous, markdown, record, auto_approve)
        return IssueOutcome(number, None, comment_id=comment_id)

    def _publish(
        self,
        issue: Issue,
        comment: Comment | None,
        previous: dict[str, Any] | None,
        markdown: str,
        record: dict[str, Any],
        auto_approve: bool,
    ) -> int:
        forge, number, labels_now = self.forge, issue.number, issue.labels
        if comment is None:
            comment = _guard(lambda: forge.create_comment(number, markdown))
        elif comment.body != markdown:
            _guard(lambda: forge.edit_comment(comment.id, markdown))
        passed = record.get("passed") is True
        wanted, unwanted = (PASSED_LABEL, FAILED_LABEL) if passed else (FAILED_LABEL, PASSED_LABEL)
        if unwanted in labels_now:
            _guard(lambda: forge.remove_label(number, unwanted))
        if wanted not in labels_now:
            _guard(lambda: forge.add_label(number, wanted))
        edited = previous is not None and previous.get("body_sha256") != record.get("body_sha256")
        if APPROVED_LABEL in labels_now and edited:
            _guard(lambda: forge.remove_label(number, APPROVED_LABEL))
            _guard(lambda: forge.create_comment(number, APPROVAL_REVOKED))
        elif auto_approve and passed and APPROVED_LABEL not in labels_now and self.may_approve(self.bot_login):
            _guard(lambda: forge.add_label(number, APPROVED_LABEL))
        return int(comment.id)

    def may_approve(self, login: str) -> bool:
        """Fail closed: only admin, maintain or write (``role_name``) may approve; any error means no.

        Never the workflow token's bot: a label it adds starts no workflow on GitHub, so its approval
        would sit there doing nothing. ``--auto-approve`` needs a person's or an app's token."""
        if login in {self.config.bot_login, "github-actions[bot]"}:
            return False
        return self.forge.role(login).may_decide
