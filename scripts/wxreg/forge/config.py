"""How to reach the forge: token, registry repository, URLs, the bot's login (no client library here).

The one place the command line and the runner's environment (``GITHUB_REPOSITORY``, ``GITHUB_API_URL``,
``GITHUB_SERVER_URL``, ``WXREG_BOT_LOGIN``) become a :class:`GitHubConfig`, for every command that talks to it.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from wxreg.forge.arguments import add_forge_arguments as add_forge_arguments  # re-exported


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


def forge_config(args: argparse.Namespace, *, token: str, repo: str, post: bool = True) -> GitHubConfig:
    """The :class:`GitHubConfig` of arguments added by :func:`add_forge_arguments`."""
    return GitHubConfig(token=token, repo=repo, api_url=args.github_api_url, web_url=args.github_web_url, post=post,
                        bot_login=args.bot_login or None)


def forge_url_prefix(args: argparse.Namespace) -> str:
    """Where plugin repositories on this forge start (``https://github.com/`` or a GitHub Enterprise host)."""
    return str(args.github_web_url).rstrip("/") + "/"
