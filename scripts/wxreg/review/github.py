"""GitHub side of the review: read submissions, keep one sticky comment, sync labels, ownership facts.

Everything goes through PyGithub with a configurable base URL, so the same code talks to GitHub and
to the sandbox's stand-in. The sticky comment is found by the hidden marker **and** the bot's
login: anyone can paste the marker. A first review of a new submission by its repository's owner
makes 4 REST calls (issue, comments, create comment, add label; the repository object is lazy);
ownership by someone else adds one (collaborator role); the budget is :data:`CALL_BUDGET`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from github import Auth, Github, GithubException
from github.Issue import Issue
from github.IssueComment import IssueComment

from wxreg.approval.roles import check_decider
from wxreg.approval.texts import DECIDER_ROLES
from wxreg.review.context import OwnershipFacts
from wxreg.review.engine import ReviewOptions, ReviewRequest, ReviewResult, review
from wxreg.review.report import MARKER, parse_record, render_markdown
from wxreg.review.source import SourceError, check_url
from wxreg.review.submission import Submission, body_sha256, parse_issue_body
from wxreg.review.waivers import Waiver, WaiverError, parse_command
from wxreg.review.waivers import from_record as waivers_from_record
from wxreg.review.waivers import merge as merge_waivers

SUBMISSION_LABEL = "plugin-submission"
PASSED_LABEL = "review-passed"
FAILED_LABEL = "review-failed"
APPROVED_LABEL = "approved"
APPROVER_ROLES = DECIDER_ROLES  # one rule for who may approve, shared with approve.yml
CALL_BUDGET = 8
APPROVAL_REVOKED = (
    "issue 在批准后被修改，已撤销 `approved`，需维护者根据新的审核重新批准。 / The issue was edited after approval, "
    "so `approved` was removed; a maintainer must approve the new review."
)
T = TypeVar("T")


class GitHubError(Exception):
    """GitHub could not be reached or refused: the review could not be done (exit status 2)."""


@dataclass(frozen=True)
class GitHubConfig:
    token: str
    repo: str
    """``owner/name`` of the registry repository (where submissions are filed)."""
    api_url: str = "https://api.github.com"
    web_url: str = "https://github.com"
    """Where plugin repositories live on this forge (ownership compares ``<web_url>/<owner>/<repo>``)."""
    post: bool = True
    bot_login: str | None = "github-actions[bot]"
    """The login that writes the sticky comment (Actions' ``GITHUB_TOKEN`` cannot ask ``GET /user``);
    ``None`` asks the API, for a personal or app token."""
    throttle: bool = True
    """PyGithub's pauses and retries; tests against a local stand-in turn them off."""


@dataclass(frozen=True)
class IssueOutcome:
    number: int
    result: ReviewResult | None
    error: str | None = None
    comment_id: int | None = None
    skipped: str | None = None


def _guard(call: Callable[[], T]) -> T:
    try:
        return call()
    except GithubException as exc:
        raise GitHubError(f"{exc.status}: {exc.data}") from exc
    except (OSError, ValueError) as exc:
        raise GitHubError(f"{type(exc).__name__}: {exc}") from exc


class GitHubOwnership:
    """Ownership facts from the forge: the repository's owner and the submitter's role on it."""

    def __init__(self, client: Github, web_url: str = "https://github.com") -> None:
        self._client = client
        self._prefix = web_url.rstrip("/") + "/"

    def facts(self, submission: Submission, submitter: str) -> OwnershipFacts:
        normalised = check_url(submission.github_repo, (self._prefix,))
        if normalised is None:
            return OwnershipFacts(submitter, "", None, error="仓库地址无效 / invalid repository URL")
        full_name = normalised.removeprefix(self._prefix)
        owner = full_name.split("/")[0]
        if owner.casefold() == submitter.casefold():
            return OwnershipFacts(submitter, owner, "admin")
        try:
            repo = self._client.withLazy(True).get_repo(full_name)
            role = repo.get_collaborator_role_name(submitter)
        except GithubException as exc:
            # 404 for a non-collaborator, or an unreadable repository: fail closed.
            return OwnershipFacts(submitter, owner, None, error=None if exc.status == 404 else f"HTTP {exc.status}")
        return OwnershipFacts(submitter, owner, str(role))


class GitHubReviewer:
    def __init__(
        self, config: GitHubConfig, options: ReviewOptions, *, client: Github | None = None, **extra: Any
    ) -> None:
        self.config = config
        self.options = options
        if client is None:
            kwargs: dict[str, Any] = {"base_url": config.api_url, "auth": Auth.Token(config.token)}
            if not config.throttle:
                kwargs.update(retry=None, seconds_between_requests=None, seconds_between_writes=None)
            client = Github(**kwargs, **extra)
        self.client = client
        self._lazy = client.withLazy(True)
        self._bot_login = config.bot_login
        self.ownership = GitHubOwnership(client, config.web_url)

    @property
    def bot_login(self) -> str:
        if self._bot_login is None:
            self._bot_login = _guard(lambda: str(self.client.get_user().login))
        return self._bot_login

    def _repo(self) -> Any:
        # Lazy: no request until the repository is used (one call fewer per review).
        return _guard(lambda: self._lazy.get_repo(self.config.repo))

    def sticky_comment(self, issue: Issue) -> IssueComment | None:
        """Our comment: the marker **and** the bot's login (anyone can forge the marker)."""
        for comment in _guard(lambda: list(issue.get_comments())):
            if MARKER in (comment.body or "") and comment.user.login == self.bot_login:
                return comment
        return None

    def submissions_needing_review(self) -> list[int]:
        """Open submissions without a review of their current body."""
        repo = self._repo()
        numbers: list[int] = []
        for issue in _guard(lambda: list(repo.get_issues(state="open", labels=[SUBMISSION_LABEL]))):
            if issue.pull_request is not None:
                continue
            comment = self.sticky_comment(issue)
            record = parse_record(comment.body) if comment else None
            if record is None or record.get("body_sha256") != body_sha256(issue.body or ""):
                numbers.append(issue.number)
        return sorted(numbers)

    def waive(self, number: int, login: str, body: str) -> IssueOutcome:
        """A ``/waive`` comment: only a decider (admin, maintain, write; fail closed) may waive a finding of
        the commit the sticky review pinned; the issue is then reviewed again with the waiver."""
        issue: Issue = _guard(lambda: self._repo().get_issue(number))
        comment = self.sticky_comment(issue)
        previous = parse_record(comment.body) if comment else None
        if previous is None:
            return IssueOutcome(number, None, skipped="没有可豁免的审核 / there is no review to waive a finding of")
        role = check_decider(self._repo(), login)
        if not role.allowed:
            return IssueOutcome(number, None, skipped=f"{login} 无权豁免 / may not waive (role: {role.role})")
        try:
            waiver = parse_command(body, commit=str(previous.get("commit")), by=login)
        except WaiverError as exc:
            return IssueOutcome(number, None, skipped=str(exc))
        return self.review_issue(number, extra_waivers=(waiver,))

    def review_issue(
        self, number: int, *, auto_approve: bool = False, extra_waivers: tuple[Waiver, ...] = ()
    ) -> IssueOutcome:
        issue: Issue = _guard(lambda: self._repo().get_issue(number))
        labels = {label.name for label in issue.labels}
        if SUBMISSION_LABEL not in labels:
            return IssueOutcome(number, None, error="不是插件提交 / not a plugin submission")
        parsed = parse_issue_body(issue.body)
        submission = parsed.submission
        comment = self.sticky_comment(issue)
        previous = parse_record(comment.body) if comment else None
        expected = None
        if previous and previous.get("passed") and previous.get("tag") == submission.release_tag:
            expected = previous.get("commit") if isinstance(previous.get("commit"), str) else None
        submitter = issue.user.login
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
            result = review(request, self.options)
        except SourceError as exc:
            return IssueOutcome(number, None, error=exc.finding.message)
        if not self.config.post:
            return IssueOutcome(number, result)
        comment_id = self._publish(
            issue, labels, comment, previous, render_markdown(result), result.record(), auto_approve
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
        issue: Issue = _guard(lambda: self._repo().get_issue(number))
        if record.get("issue") not in (None, number):
            raise GitHubError(f"报告属于另一个 issue / the report is for issue {record.get('issue')}")
        if body_sha256(issue.body or "") != record.get("body_sha256"):
            return IssueOutcome(
                number, None, skipped="issue 已再次修改 / the issue was edited again since the analysis"
            )
        labels = {label.name for label in issue.labels}
        comment = self.sticky_comment(issue)
        previous = parse_record(comment.body) if comment else None
        comment_id = self._publish(issue, labels, comment, previous, markdown, record, auto_approve)
        return IssueOutcome(number, None, comment_id=comment_id)

    def _publish(
        self,
        issue: Issue,
        labels: set[str],
        comment: IssueComment | None,
        previous: dict[str, Any] | None,
        markdown: str,
        record: dict[str, Any],
        auto_approve: bool,
    ) -> int:
        if comment is None:
            comment = _guard(lambda: issue.create_comment(markdown))
        elif comment.body != markdown:
            _guard(lambda: comment.edit(markdown))
        passed = record.get("passed") is True
        wanted, unwanted = (PASSED_LABEL, FAILED_LABEL) if passed else (FAILED_LABEL, PASSED_LABEL)
        if unwanted in labels:
            _guard(lambda: issue.remove_from_labels(unwanted))
        if wanted not in labels:
            _guard(lambda: issue.add_to_labels(wanted))
        edited = previous is not None and previous.get("body_sha256") != record.get("body_sha256")
        if APPROVED_LABEL in labels and edited:
            _guard(lambda: issue.remove_from_labels(APPROVED_LABEL))
            _guard(lambda: issue.create_comment(APPROVAL_REVOKED))
        elif auto_approve and passed and APPROVED_LABEL not in labels and self.may_approve(self.bot_login):
            _guard(lambda: issue.add_to_labels(APPROVED_LABEL))
        return int(comment.id)

    def may_approve(self, login: str) -> bool:
        """Fail closed: only admin, maintain or write (``role_name``) may approve; any error means no.

        Never the workflow token's bot: a label it adds starts no workflow on GitHub, so its approval
        would sit there doing nothing. ``--auto-approve`` needs a person's or an app's token."""
        if login in {self.config.bot_login, "github-actions[bot]"}:
            return False
        try:
            role = self._repo().get_collaborator_role_name(login)
        except (GitHubError, GithubException):
            return False
        return str(role) in APPROVER_ROLES
