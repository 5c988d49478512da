"""``wxreg mirror``: push this registry's heads and tags to Gitee and check both hosts agree.

Reads the hosts from ``registry/config.json`` and the Gitee credentials from the environment
(``GITEE_USERNAME``, ``GITEE_TOKEN``: a repository secret in the workflow), never from arguments,
so the token cannot appear in a process list or a log line.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from wxreg.config import REGISTRY_JSON_PATH, RegistryConfig, working_root
from wxreg.mirror import MirrorError, MirrorTarget, mirror_registry


def run_mirror(args: argparse.Namespace) -> int:
    config = RegistryConfig.load(args.root / "registry" / "config.json")
    username, token = os.environ.get("GITEE_USERNAME", ""), os.environ.get("GITEE_TOKEN", "")
    if not username or not token:
        print("缺少 GITEE_USERNAME 或 GITEE_TOKEN / GITEE_USERNAME or GITEE_TOKEN is not set", file=sys.stderr)
        return 2
    source = f"{config.github.web_url}/{config.github.owner}/{config.github.repo}.git"
    target = MirrorTarget(f"{config.gitee.web_url}/{config.gitee.owner}/{config.gitee.repo}.git", username, token)
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    try:
        report = mirror_registry(
            source,
            target,
            config.raw_file_url("github", REGISTRY_JSON_PATH),
            config.raw_file_url("gitee", REGISTRY_JSON_PATH),
            push_attempts=args.attempts,
            backoff_seconds=args.backoff,
            raw_attempts=args.raw_attempts,
            raw_delay_seconds=args.raw_delay,
        )
    except MirrorError as exc:
        message = f"## 镜像失败 / Mirror FAILED\n\n```\n{exc}\n```\n"
        if summary_path:
            with Path(summary_path).open("a", encoding="utf-8") as summary:
                summary.write(message)
        print(f"::error::{str(exc).splitlines()[0]}", file=sys.stderr)
        print(exc, file=sys.stderr)
        return 1
    text = report.summary_markdown()
    if summary_path:
        with Path(summary_path).open("a", encoding="utf-8") as summary:
            summary.write(text)
    print(text)
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    mirror = subparsers.add_parser("mirror", help="push heads and tags to the Gitee mirror and verify it")
    mirror.add_argument("--root", type=Path, default=working_root(),
                        help="repository root holding registry/config.json")
    mirror.add_argument("--attempts", type=int, default=4, help="push attempts (exponential backoff)")
    mirror.add_argument("--backoff", type=float, default=2.0, help="seconds before the second attempt")
    mirror.add_argument("--raw-attempts", type=int, default=6, help="checks of raw registry.json on both hosts")
    mirror.add_argument("--raw-delay", type=float, default=5.0, help="seconds between raw checks (Gitee may lag)")
    mirror.set_defaults(handler=run_mirror)
