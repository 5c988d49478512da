"""The forge's command-line options, without the rest of :mod:`wxreg.forge.config` (a review command parses its
arguments before it loads anything else; see :mod:`wxreg.review.prestart`)."""

from __future__ import annotations

import argparse
import os


def add_forge_arguments(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """``--github-repo``, ``--github-api-url``, ``--github-web-url`` and ``--bot-login``, defaulting to the
    environment a workflow runs in."""
    parser.add_argument("--github-repo", default=os.environ.get("GITHUB_REPOSITORY"),
                        help="注册表仓库 owner/name（默认 GITHUB_REPOSITORY）/ owner/name of the registry "
                             "(default: $GITHUB_REPOSITORY)")
    parser.add_argument("--github-api-url", default=os.environ.get("GITHUB_API_URL", "https://api.github.com"),
                        help="GitHub API 地址（默认 GITHUB_API_URL 或 api.github.com）/ the GitHub API "
                             "(default: $GITHUB_API_URL or api.github.com)")
    parser.add_argument("--github-web-url", default=os.environ.get("GITHUB_SERVER_URL", "https://github.com"),
                        help="插件仓库所在的网址（默认 GITHUB_SERVER_URL 或 github.com）/ where plugin repositories "
                             "live (default: $GITHUB_SERVER_URL or github.com)")
    parser.add_argument("--bot-login", default=os.environ.get("WXREG_BOT_LOGIN", "github-actions[bot]"),
                        help="写评论的账号；空字符串表示向 API 查询 / the login that writes the comment; "
                             "empty: ask the API")
