"""How the approval code reaches GitHub and the registry checkout: one settings object, one forge."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from wxreg.config import REPO_ROOT, RegistryConfig
from wxreg.forge.config import GitHubConfig
from wxreg.forge.interface import Forge
from wxreg.review.engine import ReviewOptions


@dataclass(frozen=True)
class ApprovalSettings:
    github: GitHubConfig
    """Token, registry ``owner/name``, API and web URLs, the bot's login (as the review uses them)."""
    checkout: Path = REPO_ROOT
    """A git work tree of the registry whose ``origin`` is the registry repository (the workflow's checkout)."""
    review: ReviewOptions = field(default_factory=ReviewOptions)
    registry: RegistryConfig = field(default_factory=RegistryConfig.load)
    base_branch: str = "main"
    fetch: bool = True
    """Fetch ``origin/<base_branch>`` before building, so a PR starts from the newest main."""

    @property
    def owner(self) -> str:
        return self.github.repo.split("/")[0]


def make_forge(settings: ApprovalSettings) -> Forge:
    """The one forge client of a command (PyGithub is imported only by its implementation)."""
    from wxreg.forge.github import GitHubForge

    return GitHubForge(settings.github)


def timestamp(value: str | datetime | None) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` of an event time (ISO 8601 string or datetime); the clock only when absent."""
    if isinstance(value, str) and value:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    elif isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
