"""``wxreg`` subcommands of the maintainer workflow: label events, PR refresh, publication, stats, maintenance.

Workflows call these with the event file GitHub wrote (``$GITHUB_EVENT_PATH``), never with values from
the event in the command line (SECURITY.md §2.5).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from wxreg.approval import maintenance
from wxreg.approval.forge import make_forge, timestamp
from wxreg.approval.handlers import handle_label_event
from wxreg.approval.prcheck import check_pull
from wxreg.approval.publication import announce, newly_listed
from wxreg.approval.publisher import RegistryChange, RegistryPublisher
from wxreg.approval.refresh import refresh_open_pulls
from wxreg.approval.stats import STATE_FILE, ConditionalClient, refresh_stats
from wxreg.approval.workspace import newest_main
from wxreg.validate import validate_registry

EXIT_OK, EXIT_FAILED = 0, 1


def _event(path: Path | None) -> dict[str, Any]:
    source = path or Path(os.environ.get("GITHUB_EVENT_PATH", ""))
    data = json.loads(source.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("event payload must be an object")
    return data


def _summary(text: str) -> None:
    """Append to the job summary when running in Actions (and always print)."""
    print(text)
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        with Path(path).open("a", encoding="utf-8") as handle:
            handle.write(text + "\n")


def run_label_event(args: argparse.Namespace) -> int:
    settings = maintenance.settings_from_args(args)
    outcome = handle_label_event(_event(args.event), settings, make_forge(settings))
    _summary(f"**{outcome.action}** {outcome.detail}")
    if outcome.rereview and args.rereview_flag is not None:
        # A file, not GITHUB_OUTPUT: the next step only tests that it exists.
        args.rereview_flag.parent.mkdir(parents=True, exist_ok=True)
        args.rereview_flag.write_text("rereview\n", encoding="utf-8")
    return EXIT_OK


def run_refresh(args: argparse.Namespace) -> int:
    """Every open registry PR, reported on its own; one bad PR never fails the job (a warning shows it)."""
    settings = maintenance.settings_from_args(args)
    for item in refresh_open_pulls(settings, make_forge(settings)):
        _summary(f"- #{item.number} `{item.branch}`: {item.action} {item.detail}")
        if item.action in ("failed", "tampered"):
            print(f"::warning::#{item.number} {item.action}", file=sys.stderr)
    return EXIT_OK


def run_check_pr(args: argparse.Namespace) -> int:
    settings = maintenance.settings_from_args(args)
    number = int((_event(args.event).get("pull_request") or {}).get("number") or 0)
    problems = check_pull(settings, make_forge(settings), number)
    for problem in problems:
        _summary(f"- ❌ {problem}")
    if not problems:
        _summary(f"✅ #{number}: 注册表有效 / registry valid")
    return EXIT_FAILED if problems else EXIT_OK


def run_announce(args: argparse.Namespace) -> int:
    problems = validate_registry(args.root)
    if problems:
        _summary("## ❌ main 上的注册表无效 / the registry on main is INVALID\n")
        for problem in problems:
            _summary(f"- {problem}")
            print(f"::error::{str(problem).splitlines()[0]}", file=sys.stderr)
        return EXIT_FAILED
    _summary("✅ main 上的注册表有效 / the registry on main is valid")
    event = _event(args.event)
    after = str(event.get("after") or "HEAD")
    listed = newly_listed(args.root, str(event.get("before") or ""), after)
    if listed:
        settings = maintenance.settings_from_args(args)
        written = announce(settings, listed, make_forge(settings))
        _summary(f"发布通知 / publication comments: {written}")
    return EXIT_OK


def run_stats(args: argparse.Namespace) -> int:
    settings = maintenance.settings_from_args(args, need_token=args.commit)
    forge = make_forge(settings)
    client = ConditionalClient(forge, settings.github.api_url)
    state = args.root / STATE_FILE
    run = refresh_stats(args.root, client, state)
    _summary(f"stats: {len(run.changed)} 个插件变化 / plugins moved; {run.requests} 次请求 / requests, "
             f"{run.not_modified} × 304")
    if run.files and args.commit:
        base = newest_main(args.root, settings.base_branch, fetch=False)
        publisher = RegistryPublisher(forge, base_branch=settings.base_branch)
        message = f"Refresh stats of {len(run.changed)} plugin(s)"
        sha = publisher.commit_to_base(RegistryChange("stats", base, run.files, message, "", message,
                                                      timestamp(None)))
        _summary(f"已提交 / committed {sha}")
        # Pushes made with the workflow token start no workflow: bring the open registry PRs along here.
        for item in refresh_open_pulls(settings, forge):
            _summary(f"- #{item.number} `{item.branch}`: {item.action}")
    return EXIT_OK


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    label = subparsers.add_parser("label-event", help="handle an issues:labeled event (approved/rejected/needs-info)")
    label.add_argument("--event", type=Path, help="event JSON (default: $GITHUB_EVENT_PATH)")
    label.add_argument("--rereview-flag", type=Path, help="create this file when the review must re-run")
    maintenance.add_github_arguments(label)
    label.set_defaults(handler=run_label_event)

    refresh = subparsers.add_parser("refresh-prs", help="rebuild every open registry PR on the newest main")
    maintenance.add_github_arguments(refresh)
    refresh.set_defaults(handler=run_refresh)

    check = subparsers.add_parser("check-pr", help="validate a pull request's head and set the required status")
    check.add_argument("--event", type=Path, help="pull_request event JSON (default: $GITHUB_EVENT_PATH)")
    maintenance.add_github_arguments(check)
    check.set_defaults(handler=run_check_pr)

    publish = subparsers.add_parser("announce", help="validate main after a push; comment where new releases are")
    publish.add_argument("--event", type=Path, help="push event JSON (default: $GITHUB_EVENT_PATH)")
    maintenance.add_github_arguments(publish)
    publish.set_defaults(handler=run_announce)

    stats = subparsers.add_parser("stats", help="refresh stars, forks and downloads with conditional requests")
    stats.add_argument("--commit", action="store_true", help="commit to main through the API when something moved")
    maintenance.add_github_arguments(stats)
    stats.set_defaults(handler=run_stats)

    for name, build, action in (("add-plugin", maintenance.add_parser, "add"),
                                ("update-plugin", maintenance.update_parser, "update"),
                                ("remove-plugin", maintenance.remove_parser, "remove"),
                                ("transfer", maintenance.transfer_parser, "transfer"),
                                ("release-claim", maintenance.claim_parser, "release-claim")):
        parser = build(subparsers.add_parser(name, help=f"{action} a plugin through a registry PR"))
        parser.set_defaults(handler=lambda args, action=action: maintenance.run(action, args))
