"""``wxsandbox up``: start the whole sandbox, print its URLs and tokens, and wait for Ctrl-C."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

from wxsandbox.world import World


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wxsandbox", description="A local GitHub + Gitee + OSV for the registry.")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start the world, print URLs and tokens, wait for Ctrl-C")
    up.add_argument("--root", type=Path, help="where repositories live (default: a temporary directory)")
    up.add_argument("--seed", type=Path, help="directory to seed wxauto/registry with (default: git archive HEAD)")
    up.add_argument("--no-workflows", action="store_true", help="do not run workflows on events")
    up.add_argument("--json", action="store_true", help="print the summary as JSON")
    return parser


def _print_summary(world: World, as_json: bool) -> None:
    summary = world.summary()
    if as_json:
        print(json.dumps(summary, indent=2), flush=True)
        return
    github, gitee = summary["github"], summary["gitee"]
    lines = [
        "WXAUTO-MGT sandbox is up (Ctrl-C stops it).",
        f"GitHub web/git : {github['url']}    clone: git clone {github['git']}",
        f"GitHub API     : {github['api_url']}    raw: {github['raw_url']}/{world.registry}/main/README.md",
        f"Gitee          : {gitee['url']}    clone: git clone {gitee['git']}    API: {gitee['api_url']}",
        f"OSV            : {summary['osv']['query_url']}    (pip-audit -s osv --osv-url ...)",
        f"PyPI JSON API  : {summary['pypi']['url']}    (WXREG_PYPI_URL / plugin_reviewer.py --pypi-url ...)",
        f"Workflows      : {summary['workflows']} (registry variables GITEE_URL, GITEE_USERNAME; secret GITEE_TOKEN)",
        f"Bot            : {github['bot']['login']}  token {github['bot']['token']}",
        "Users (role on wxauto/registry, GitHub token, Gitee token):",
    ]
    for login, user in summary["users"].items():
        lines.append(f"  {login:<8} {user['role']:<9} {user['github_token']}  {user['gitee_token']}")
    lines += [
        "Try:",
        f"  curl -H 'Authorization: token {summary['users']['alice']['github_token']}' "
        f"{github['api_url']}/repos/{world.registry}",
        f"  python -c \"import github; g = github.Github(auth=github.Auth.Token('<token>'), "
        f"base_url='{github['api_url']}'); print(g.get_repo('{world.registry}').full_name)\"",
    ]
    print("\n".join(lines), flush=True)


def _up(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="wxsandbox-") as scratch:
        root = args.root or Path(scratch)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with World(root, seed=args.seed, run_workflows=not args.no_workflows) as world:
            # Workflow steps run by act inherit this environment: reviews ask the local index, not pypi.org.
            os.environ["WXREG_PYPI_URL"] = world.pypi.url
            _print_summary(world, args.json)
            try:
                while not stop.wait(3600):  # woken by SIGTERM; Ctrl-C raises KeyboardInterrupt
                    pass
            except KeyboardInterrupt:
                print("\nstopping", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "up":
        return _up(args)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
