"""How to reach the forge: token, registry repository, URLs, the bot's login (no client library here)."""

from __future__ import annotations

from dataclasses import dataclass


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
    """The login that writes the bot's comments (Actions' ``GITHUB_TOKEN`` cannot ask ``GET /user``);
    ``None`` asks the API, for a personal or app token."""
    throttle: bool = True
    """PyGithub's pauses and retries of idempotent requests; tests against a local stand-in turn them off."""
