"""Everything the workflows ask a forge (GitHub), as one small interface and frozen answers.

Approval and review logic take a :class:`Forge`; :mod:`wxreg.forge.github` implements it with PyGithub
(the only module that imports it), :mod:`wxreg.forge.fake` in memory for fast unit tests. The REST
stand-in in ``scripts/wxsandbox`` serves the integration tests through the real implementation.

Error policy, in one place:

* reads that decide who may do something (:meth:`Forge.role`, :meth:`Forge.is_public_member`) never
  raise and fail closed: an unknown answer is "no" with the reason;
* other failures raise :class:`ForgeError` (the job fails, nothing half-written is blessed);
* writes that create something (comments, pull requests) are idempotent: after a lost answer (timeout,
  5xx, dropped connection) the implementation looks for the object that may have landed (a comment by
  the bot with the same body; a PR by its head branch) before it writes again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

WRITE_ROLES = frozenset({"admin", "maintain", "write"})
"""``role_name`` values with push access to a repository (SECURITY.md §2.4: the legacy ``permission`` field maps
maintain to write and triage to read, so only ``role_name`` is read)."""
DECIDER_ROLES = WRITE_ROLES
"""``role_name`` values that may decide on a submission (triage can label, so a label alone proves nothing)."""


class ForgeError(Exception):
    """The forge could not be reached, or refused; ``status`` is the HTTP status when there was one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Comment:
    id: int
    user: str
    body: str


@dataclass(frozen=True)
class Issue:
    number: int
    title: str
    body: str
    user: str
    labels: frozenset[str]
    state: str
    html_url: str
    is_pull_request: bool = False
    created_at: str = ""
    """``YYYY-MM-DDTHH:MM:SSZ`` (empty when the forge did not say)."""
    closed_at: str = ""
    """``YYYY-MM-DDTHH:MM:SSZ`` when closed, else empty."""


@dataclass(frozen=True)
class Pull:
    number: int
    html_url: str
    title: str
    body: str
    user: str
    head_ref: str
    head_sha: str
    head_repo: str
    """``owner/name`` of the repository the head branch lives in (a fork when it differs from the base)."""
    base_ref: str
    state: str = "open"
    mergeable: bool | None = None


@dataclass(frozen=True)
class Role:
    """A login's ``role_name`` on the registry repository; ``role`` is ``None`` when it could not be read."""

    role: str | None
    error: str | None = None

    @property
    def may_decide(self) -> bool:
        return self.role in DECIDER_ROLES


@dataclass(frozen=True)
class Status:
    context: str
    state: str
    """``success``, ``failure``, ``error`` or ``pending``."""
    description: str = ""


@dataclass(frozen=True)
class Conditional:
    """A conditional GET: ``data`` is ``None`` when the forge answered 304 Not Modified."""

    data: object | None
    etag: str | None


@dataclass(frozen=True)
class PagesSite:
    """The repository's GitHub Pages settings."""

    build_type: str
    """``workflow`` (Source: GitHub Actions) or ``legacy`` (Deploy from a branch)."""
    html_url: str


@dataclass(frozen=True)
class Protection:
    """What branch protection requires of a merge: status contexts, and whether the head must be up to date."""

    contexts: frozenset[str]
    strict: bool


class Forge(Protocol):
    """One registry repository on one forge, seen by one token."""

    @property
    def repo(self) -> str:
        """``owner/name`` of the registry repository."""

    @property
    def bot_login(self) -> str:
        """The login our token writes as (comments by anyone else are never ours)."""

    # -- issues, comments, labels ------------------------------------------------------------------
    def issue(self, number: int) -> Issue: ...
    def open_issues(self, label: str) -> list[Issue]: ...
    def comments(self, number: int) -> list[Comment]: ...
    def create_comment(self, number: int, body: str) -> Comment: ...
    def edit_comment(self, comment_id: int, body: str) -> None: ...
    def add_label(self, number: int, name: str) -> None: ...
    def remove_label(self, number: int, name: str) -> None:
        """Remove ``name``; no error when it is not there."""

    def close_issue(self, number: int, reason: str) -> None: ...
    def issues_with_label(self, label: str, state: str = "all") -> list[Issue]:
        """Issues (not pull requests) carrying ``label``; ``state`` is ``open``, ``closed`` or ``all``."""

    def create_issue(self, title: str, body: str, labels: Sequence[str]) -> Issue:
        """Open an issue as the bot. Idempotent: after a lost answer, an open issue by the bot with the same
        title and body is the one that landed."""

    def edit_issue(self, number: int, *, body: str) -> None: ...

    # -- who -------------------------------------------------------------------------------------
    def role(self, login: str) -> Role:
        """``login``'s role on the registry repository. Never raises: an error is ``Role(None, why)``."""

    def is_public_member(self, org: str, login: str) -> bool | None:
        """Whether ``login`` is a public member of ``org``; ``None`` when the forge could not say."""

    # -- git data --------------------------------------------------------------------------------
    def branch_sha(self, branch: str) -> str | None: ...
    def commit(self, parent: str, files: Mapping[str, bytes | None], message: str, *,
               author: tuple[str, str] | None = None, date: str | None = None) -> str:
        """A new commit on ``parent`` with ``files`` changed (``None`` deletes); its sha. Moves no ref."""

    def create_branch(self, branch: str, sha: str) -> bool:
        """Create ``branch`` at ``sha``; ``False`` when it already exists (nothing done)."""

    def move_branch(self, branch: str, sha: str, *, force: bool = True, expected: str | None = None) -> bool:
        """Point ``branch`` at ``sha``; ``False`` when it no longer pointed at ``expected``."""

    def file_at(self, ref: str, path: str) -> bytes | None:
        """The bytes of ``path`` at ``ref`` (a sha or branch); ``None`` when there is no such file."""

    # -- pull requests and statuses --------------------------------------------------------------
    def open_pulls(self, base: str) -> list[Pull]: ...
    def pull(self, number: int) -> Pull: ...
    def create_pull(self, base: str, head: str, title: str, body: str) -> Pull: ...
    def edit_pull(self, number: int, *, title: str, body: str) -> None: ...
    def close_pull(self, number: int) -> None: ...
    def set_status(self, sha: str, status: Status) -> None: ...
    def statuses(self, sha: str) -> Sequence[Status]:
        """The newest status per context on ``sha``."""

    def merge_pull(self, number: int, sha: str, title: str) -> None:
        """Merge the PR if its head is still ``sha``. Branch protection applies: a head without every required
        status is refused (:class:`ForgeError` with status 405), a moved head too (409)."""

    # -- workflows -------------------------------------------------------------------------------
    def dispatch_workflow(self, workflow: str, ref: str, inputs: Mapping[str, str] | None = None) -> None:
        """Start ``workflow`` (a file name under ``.github/workflows``) on ``ref``: the one event a workflow
        token may start (its pushes, labels and PRs start none)."""

    # -- repository metadata ---------------------------------------------------------------------
    def get_conditional(self, url: str, etag: str | None) -> Conditional:
        """GET an API URL (another repository's metadata or releases) with ``If-None-Match``."""

    # -- repository settings (read by ``wxreg doctor``) -------------------------------------------------
    def label_names(self) -> frozenset[str]:
        """Names of the repository's labels. Raises :class:`ForgeError` (404: no such repository)."""

    def create_label(self, name: str, color: str, description: str) -> None:
        """Create a label; no error when it already exists (a repeat after a lost answer is harmless)."""

    def secret_names(self, environment: str | None = None) -> frozenset[str] | None:
        """Names of the Actions secrets of the repository, or of its deployment ``environment``;
        ``None`` when that environment does not exist."""

    def variables(self) -> Mapping[str, str]:
        """The repository's Actions variables, name -> value (variables are not secret)."""

    def pages(self) -> PagesSite | None:
        """The Pages settings; ``None`` when Pages is not enabled."""

    def is_private(self) -> bool:
        """Whether the registry repository is private (or internal): not readable without credentials."""

    def branch_protection(self, branch: str) -> Protection | None:
        """Branch protection's required status checks on ``branch``; ``None`` when it is not protected."""
