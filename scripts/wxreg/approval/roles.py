"""Who may decide: the sender's ``role_name`` on the registry repository, failing closed on any error."""

from __future__ import annotations

from dataclasses import dataclass

from github import GithubException
from github.Repository import Repository

from wxreg.approval.texts import DECIDER_ROLES


@dataclass(frozen=True)
class RoleCheck:
    allowed: bool
    role: str | None
    """The role GitHub reported, or ``None`` when it could not be read."""
    error: str | None = None


def check_decider(repo: Repository, login: str) -> RoleCheck:
    """Admin, maintain or write may decide. A 404, a 5xx, a dropped connection: not allowed."""
    try:
        role = str(repo.get_collaborator_role_name(login))
    except GithubException as exc:
        return RoleCheck(False, None, f"HTTP {exc.status}")
    except Exception as exc:  # network errors, malformed answers: never a yes
        return RoleCheck(False, None, type(exc).__name__)
    return RoleCheck(role in DECIDER_ROLES, role)
