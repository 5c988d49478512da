"""Workflow tokens: a ``GITHUB_TOKEN`` per job, limited to one repository and the job's ``permissions:``.

GitHub gives every job a token for the repository the workflow runs in, with the permissions its
``permissions:`` key grants (``{}``: none; ``read-all``/``write-all``; or scope -> ``read|write|none``;
absent: the repository default, here GitHub's restricted one). Writes outside those answer 403
``Resource not accessible by integration``. Reads of the public repositories stay open, as they are
to anyone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

SCOPES = ("actions", "attestations", "checks", "contents", "deployments", "discussions", "id-token", "issues",
          "models", "packages", "pages", "pull-requests", "repository-projects", "security-events", "statuses")
RESTRICTED_DEFAULT = {"contents": "read", "packages": "read", "metadata": "read"}

# Which scope a write needs, by method and API path (relative to /api/v3, or /uploads/... for uploads);
# the first match wins, and a write that matches nothing is never allowed to a workflow token.
WRITE_SCOPES: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...] = (
    ("PUT", re.compile(r"^/repos/[^/]+/[^/]+/pulls/\d+/merge$"), ("contents",)),
    ("*", re.compile(r"^/repos/[^/]+/[^/]+/pulls(/|$)"), ("pull-requests",)),
    ("*", re.compile(r"^/repos/[^/]+/[^/]+/(issues|labels)(/|$)"), ("issues", "pull-requests")),
    ("*", re.compile(r"^/repos/[^/]+/[^/]+/(git|contents|releases)(/|$)"), ("contents",)),
    ("POST", re.compile(r"^/repos/[^/]+/[^/]+/statuses/[0-9a-f]+$"), ("statuses",)),
    ("POST", re.compile(r"^/uploads/repos/[^/]+/[^/]+/releases/\d+/assets$"), ("contents",)),
    ("POST", re.compile(r"^/repos/[^/]+/[^/]+/actions/workflows/[^/]+/dispatches$"), ("actions",)),
    ("POST", re.compile(r"^/repos/[^/]+/[^/]+/dispatches$"), ("contents",)),
    ("POST", re.compile(r"^/repos/[^/]+/[^/]+/pages/deployments$"), ("pages",)),
)


@dataclass(frozen=True)
class TokenScope:
    repository: str
    """The one repository (full name) the token may write to."""
    permissions: Mapping[str, str] = field(default_factory=dict)

    def level(self, scope: str) -> str:
        return self.permissions.get(scope, "none")

    def may_write(self, method: str, path: str, repository: str | None) -> bool:
        if repository is None or repository.lower() != self.repository.lower():
            return False
        for wanted_method, pattern, scopes in WRITE_SCOPES:
            if wanted_method in ("*", method) and pattern.match(path):
                return any(self.level(scope) == "write" for scope in scopes)
        return False

    def may_push(self, repository: str) -> bool:
        return repository.lower() == self.repository.lower() and self.level("contents") == "write"


def normalise_permissions(permissions: Mapping[str, str] | str | None) -> dict[str, str]:
    """A workflow's ``permissions:`` value as scope -> level."""
    if permissions is None:
        return dict(RESTRICTED_DEFAULT)
    if permissions == "read-all":
        return dict.fromkeys(SCOPES, "read")
    if permissions == "write-all":
        return dict.fromkeys(SCOPES, "write")
    if isinstance(permissions, str):
        raise ValueError(f"permissions must be read-all, write-all or a mapping, not {permissions!r}")
    levels: dict[str, str] = {}
    for scope, level in permissions.items():
        if level not in ("read", "write", "none"):
            raise ValueError(f"{scope}: {level!r} is not read, write or none")
        levels[scope] = level
    return levels
