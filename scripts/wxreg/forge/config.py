"""How to reach the forge: token, registry repository, URLs, the bot's login (no client library here).

The one place the command line and the runner's environment (``GITHUB_REPOSITORY``, ``GITHUB_API_URL``,
``GITHUB_SERVER_URL``, ``WXREG_BOT_LOGIN``) become a :class:`GitHubConfig`, for every command that talks to it.
"""

from __future__ import annotations

import argparse
import os
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


def add_forge_arguments(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """``--github-repo``, ``--github-api-url``, ``--github-web-url`` and ``--bot-login``, defaulting to the
    environment a workflow runs in."""
    parser.add_argument("--github-repo", default=os.environ.get("GITHUB_REPOSITORY"), help="owner/name of the registry")
    parser.add_argument("--github-api-url", default=os.environ.get("GITHUB_API_URL", "https://api.github.com"))
    parser.add_argument("--github-web-url", default=os.environ.get("GITHUB_SERVER_URL", "https://github.com"))
    parser.add_argument("--bot-login", default=os.environ.get("WXREG_BOT_LOGIN", "github-actions[bot]"),
                        help="写评论的账号；空字符串表示向 API 查询 / the login that writes the comment; "
                             "empty: ask the API")


def forge_config(args: argparse.Namespace, *, token: str, repo: str, post: bool = True) -> GitHubConfig:
    """The :class:`GitHubConfig` of arguments added by :func:`add_forge_arguments`."""
    return GitHubConfig(token=token, repo=repo, api_url=args.github_api_url, web_url=args.github_web_url, post=post,
                        bot_login=args.bot_login or None)


def forge_url_prefix(args: argparse.Namespace) -> str:
    """Where plugin repositories on this forge start (``https://github.com/`` or a GitHub Enterprise host)."""
    return str(args.github_web_url).rstrip("/") + "/"
