"""The stand-in's in-memory state: users, tokens, roles, issues, comments, labels, pulls, releases.

Git objects and refs live in the bare repositories; everything else lives here, guarded by the one
``State.lock``. Ids come from counters, so two runs that do the same things get the same ids.
"""

from __future__ import annotations

import base64
import itertools
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from wxsandbox.github.clock import Clock
from wxsandbox.github.tokens import TokenScope

ROLES = ("none", "read", "triage", "write", "maintain", "admin")
"""GitHub's repository roles, weakest first. ``none`` still reads: every stand-in repository is public."""

BOT_LOGIN = "github-actions[bot]"
BOT_ID = 41898282  # the real id of github-actions[bot]

DEFAULT_LABELS: tuple[tuple[str, str, str], ...] = (
    ("bug", "d73a4a", "Something isn't working"),
    ("documentation", "0075ca", "Improvements or additions to documentation"),
    ("duplicate", "cfd3d7", "This issue or pull request already exists"),
    ("enhancement", "a2eeef", "New feature or request"),
    ("good first issue", "7057ff", "Good for newcomers"),
    ("help wanted", "008672", "Extra attention is needed"),
    ("invalid", "e4e669", "This doesn't seem right"),
    ("question", "d876e3", "Further information is requested"),
    ("wontfix", "ffffff", "This will not be worked on"),
)


def role_at_least(role: str, needed: str) -> bool:
    return ROLES.index(role) >= ROLES.index(needed)


def node_id(kind: str, number: int) -> str:
    """An opaque global id in the style of GitHub's legacy node ids."""
    raw = f"0{len(kind)}:{kind}{number}".encode()
    return base64.b64encode(raw).decode("ascii")


class ApiError(Exception):
    """An error answer: GitHub's ``{"message", "documentation_url"}`` body (plus ``errors`` for 422)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers or []


@dataclass
class User:
    login: str
    id: int
    name: str | None
    email: str | None
    created_at: datetime
    type: str = "User"

    @property
    def is_bot(self) -> bool:
        return self.type == "Bot"

    @property
    def commit_email(self) -> str:
        return self.email or f"{self.id}+{self.login}@users.noreply.github.com"


@dataclass
class Label:
    id: int
    name: str
    color: str
    description: str | None
    default: bool = False


@dataclass
class Comment:
    id: int
    repo: str
    issue_number: int
    user: str
    body: str
    created_at: datetime
    updated_at: datetime


@dataclass
class PullInfo:
    id: int
    head_ref: str
    head_sha: str
    base_ref: str
    base_sha: str
    head_repo: str | None = None
    """Full name of the fork the head branch lives in; ``None``: the base repository itself."""
    draft: bool = False
    maintainer_can_modify: bool = False
    merged: bool = False
    merged_at: datetime | None = None
    merged_by: str | None = None
    merge_commit_sha: str | None = None
    """The test merge commit while open (``refs/pull/N/merge``), the real one once merged."""
    mergeable: bool | None = None


@dataclass
class Issue:
    """An issue, or the issue half of a pull request (``pull`` set): they share one number sequence."""

    id: int
    number: int
    title: str
    body: str | None
    user: str
    created_at: datetime
    updated_at: datetime
    state: str = "open"
    state_reason: str | None = None
    labels: list[str] = field(default_factory=list)
    """Label names, in the order applied (rendered sorted by name, as GitHub does)."""
    assignees: list[str] = field(default_factory=list)
    closed_at: datetime | None = None
    closed_by: str | None = None
    locked: bool = False
    lock_reason: str | None = None
    pull: PullInfo | None = None


@dataclass
class Asset:
    id: int
    name: str
    label: str | None
    content_type: str
    data: bytes
    uploader: str
    created_at: datetime
    download_count: int = 0


@dataclass
class Release:
    id: int
    tag_name: str
    target_commitish: str
    name: str | None
    body: str | None
    draft: bool
    prerelease: bool
    author: str
    created_at: datetime
    published_at: datetime | None
    assets: list[Asset] = field(default_factory=list)


@dataclass
class CommitStatus:
    id: int
    state: str
    context: str
    description: str | None
    target_url: str | None
    creator: str
    created_at: datetime


@dataclass
class Repo:
    id: int
    owner: str
    name: str
    path: Path
    default_branch: str
    description: str
    created_at: datetime
    updated_at: datetime
    pushed_at: datetime | None = None
    parent: str | None = None
    """The full name of the repository this one is a fork of."""
    stargazers: set[str] = field(default_factory=set)
    roles: dict[str, str] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)
    """Keyed by lower-cased name: label names are case-insensitive on GitHub."""
    issues: dict[int, Issue] = field(default_factory=dict)
    releases: dict[int, Release] = field(default_factory=dict)
    next_number: int = 1
    statuses: dict[str, list[CommitStatus]] = field(default_factory=dict)
    """Commit statuses by sha, oldest first (the newest per context counts)."""
    protection: dict[str, list[str]] = field(default_factory=dict)
    """Branch protection: branch name -> required status contexts (a merge without them answers 405)."""
    protection_strict: set[str] = field(default_factory=set)
    """Protected branches that also require a PR's head to be up to date with them ("strict")."""
    git_lock: threading.Lock = field(default_factory=threading.Lock)
    """Serialises ref updates, so before/after snapshots of a push describe that push alone."""

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def label(self, name: str) -> Label | None:
        return self.labels.get(name.lower())

    def open_issue_count(self) -> int:
        return sum(1 for issue in self.issues.values() if issue.state == "open")


class State:
    """All mutable state. Hold ``lock`` while reading or writing any of it."""

    def __init__(self, clock: Clock) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self._ids: dict[str, Iterator[int]] = {}
        self.users: dict[str, User] = {}
        self.tokens: dict[str, str] = {}
        """token -> login"""
        self.repos: dict[str, Repo] = {}
        """Keyed by lower-cased full name (GitHub's names are case-insensitive)."""
        self.comments: dict[int, Comment] = {}
        self.delivery_ids = itertools.count(1)
        self.token_scopes: dict[str, TokenScope] = {}
        """Workflow tokens (of the bot) limited to one repository and a job's permissions."""
        self.public_members: dict[str, set[str]] = {}
        """Organisation login (lower-cased) -> logins of its public members."""
        self.bot_scope: set[str] | None = None
        """Repositories (lower-cased full names) the workflow token writes to; ``None``: all of them."""

    def next_id(self, kind: str) -> int:
        """Deterministic ids per kind; the starting points keep kinds apart, as on GitHub."""
        starts = {"user": 1001, "repo": 100001, "issue": 2000001, "comment": 3000001, "label": 4000001,
                  "pull": 5000001, "release": 6000001, "asset": 7000001, "status": 8000001}
        counter = self._ids.get(kind)
        if counter is None:
            counter = self._ids[kind] = itertools.count(starts.get(kind, 9000001))
        return next(counter)

    def add_user(self, login: str, *, name: str | None, email: str | None, user_type: str = "User",
                 user_id: int | None = None, token: str | None = None) -> str:
        with self.lock:
            if login.lower() in {known.lower() for known in self.users}:
                raise ValueError(f"user {login!r} exists")
            uid = user_id if user_id is not None else self.next_id("user")
            self.users[login] = User(login, uid, name, email, self.clock(), user_type)
            prefix = "ghs_" if user_type == "Bot" else "ghp_"
            new_token = token or prefix + secrets.token_hex(18)
            self.tokens[new_token] = login
            return new_token

    def user(self, login: str) -> User | None:
        found = self.users.get(login)
        if found is not None:
            return found
        lowered = login.lower()
        return next((user for key, user in self.users.items() if key.lower() == lowered), None)

    def login_for_token(self, token: str) -> str | None:
        return self.tokens.get(token)

    def repo(self, full_name: str) -> Repo | None:
        return self.repos.get(full_name.lower())

    def role(self, repo: Repo, login: str | None) -> str:
        """The caller's role: owner is admin, the bot writes everywhere, everyone else reads."""
        if login is None:
            return "none"
        user = self.user(login)
        if user is None:
            return "none"
        if user.login.lower() == repo.owner.lower():
            return "admin"
        if user.is_bot:
            in_scope = self.bot_scope is None or repo.full_name.lower() in self.bot_scope
            return "write" if in_scope else "read"
        return repo.roles.get(user.login, "none")
