"""``wxreg watch``, ``wxreg auto-update``, ``wxreg reaudit-scan`` / ``reaudit-report`` and ``wxreg queue``.

Workflows call these with the event file GitHub wrote (``$GITHUB_EVENT_PATH``); nothing from the event
reaches a shell.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from wxreg.approval import maintenance
from wxreg.approval.cli import _summary
from wxreg.approval.forge import make_forge, timestamp
from wxreg.approval.stats import ConditionalClient
from wxreg.lifecycle import queue as queue_module
from wxreg.lifecycle.autoupdate import auto_update
from wxreg.lifecycle.policy import PolicyFileError, load_auto_merge_policy
from wxreg.lifecycle.reaudit import Audit, report, revoke_through, scan
from wxreg.lifecycle.watch import NewRelease, read_manifest, watch
from wxreg.store import RegistryStore, atomic_write

EXIT_OK, EXIT_FAILED = 0, 1


def _event(path: Path | None) -> dict[str, Any]:
    source = path or Path(os.environ.get("GITHUB_EVENT_PATH", ""))
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _plugin_from(event: dict[str, Any]) -> str | None:
    """``repository_dispatch`` ``client_payload.plugin_id`` or ``workflow_dispatch`` ``inputs.plugin_id``."""
    for holder in (event.get("client_payload"), event.get("inputs")):
        if isinstance(holder, dict) and isinstance(holder.get("plugin_id"), str) and holder["plugin_id"]:
            return str(holder["plugin_id"])[:64]
    return None


def _issue_from(args: argparse.Namespace) -> int:
    if args.issue:
        return int(args.issue)
    event = _event(args.event)
    inputs = event.get("inputs") if isinstance(event.get("inputs"), dict) else {}
    assert isinstance(inputs, dict)
    raw = inputs.get("issue") or (event.get("issue") or {}).get("number")
    return int(str(raw)) if str(raw or "").isdigit() else 0


def run_watch(args: argparse.Namespace) -> int:
    settings = maintenance.settings_from_args(args)
    forge = make_forge(settings)
    web = settings.github.web_url.rstrip("/") + "/"
    api = settings.github.api_url

    def reader(release: NewRelease) -> dict[str, Any]:
        url = release.entry.repository.primary.url
        return read_manifest(forge, api, url.removeprefix(web), release.tag) if url.startswith(web) else {}

    only = args.plugin or _plugin_from(_event(args.event))
    polls = ConditionalClient(forge, api)
    run = watch(RegistryStore(args.root).load_entries(), forge, polls, base_branch=settings.base_branch, only=only,
                manifest_reader=reader)
    _summary(f"watch: {run.requests} 次条件请求 / conditional requests, {run.not_modified} × 304; "
             f"{len(run.found)} 个新版本 / new releases; state written: {run.state_written}")
    for filed in run.filed:
        _summary(f"- {filed.plugin_id} {filed.version}: #{filed.issue} {filed.action}")
    for error in run.errors:
        _summary(f"- ❌ {error}")
    return EXIT_FAILED if run.errors else EXIT_OK


def run_auto_update(args: argparse.Namespace) -> int:
    number = _issue_from(args)
    if number <= 0:
        print("需要 issue 编号 / an issue number is needed", file=sys.stderr)
        return EXIT_FAILED
    settings = maintenance.settings_from_args(args)
    try:
        policy = load_auto_merge_policy(args.root / "registry" / "auto-merge-policy.json")
    except PolicyFileError as exc:
        print(exc, file=sys.stderr)
        return EXIT_FAILED
    outcome = auto_update(settings, number, policy, now=timestamp(None), standing=queue_module.standing_of)
    _summary(f"auto-update #{number}: **{outcome.action}**")
    for reason in outcome.reasons:
        _summary(f"- {reason}")
    return EXIT_OK


def run_reaudit_scan(args: argparse.Namespace) -> int:
    settings = maintenance.settings_from_args(args, need_token=False)
    audits = scan(RegistryStore(args.root).load_entries(), settings.review)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps([a.to_dict() for a in audits], ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")
    unknown = [a for a in audits if a.unknown]
    _summary(f"re-audit: {len(audits)} 个插件 / plugins, {sum(1 for a in audits if a.problems)} 个有问题 / with "
             f"problems, {len(unknown)} 个无法完成 / could not be audited")
    for audit in unknown:
        _summary(f"- ⚠️ {audit.plugin_id}: {'; '.join(audit.unknown)[:500]}")
    return EXIT_FAILED if unknown else EXIT_OK


def run_reaudit_report(args: argparse.Namespace) -> int:
    settings = maintenance.settings_from_args(args)
    audits = [Audit.from_dict(item) for item in json.loads(args.input.read_text(encoding="utf-8"))]
    forge = make_forge(settings)
    done = report(audits, forge, revoke_through(forge, settings.base_branch), timestamp(None))
    for item in done:
        _summary(f"- {item.plugin_id}: {item.action} #{item.issue} {item.revocation or ''}")
    return EXIT_OK


def run_queue(args: argparse.Namespace) -> int:
    settings = maintenance.settings_from_args(args)
    queue, _ = queue_module.load_queue(make_forge(settings), settings.base_branch)
    _summary(queue_module.render_table(queue))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(args.out, queue.render())
    return EXIT_OK


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    watcher = subparsers.add_parser("watch", help="新版本 → 更新提交 / file update submissions for new releases")
    watcher.add_argument("--plugin", help="只看这个插件 / only this plugin id")
    watcher.add_argument("--event", type=Path, help="event JSON (default: $GITHUB_EVENT_PATH)")
    maintenance.add_github_arguments(watcher)
    watcher.set_defaults(handler=run_watch)

    auto = subparsers.add_parser("auto-update", help="安全的更新自动合并，否则交给维护者 / merge safe updates, "
                                 "label the rest for a maintainer")
    auto.add_argument("--issue", type=int, help="issue 编号（默认取自事件）/ issue number (default: from the event)")
    auto.add_argument("--event", type=Path, help="event JSON (default: $GITHUB_EVENT_PATH)")
    maintenance.add_github_arguments(auto)
    auto.set_defaults(handler=run_auto_update)

    scan_parser = subparsers.add_parser("reaudit-scan", help="复审已上架插件（只读）/ re-audit listed plugins "
                                        "(read-only)")
    scan_parser.add_argument("--out", type=Path, required=True, help="结果 JSON / results JSON")
    maintenance.add_github_arguments(scan_parser)
    scan_parser.set_defaults(handler=run_reaudit_scan)

    report_parser = subparsers.add_parser("reaudit-report", help="公告 issue 与撤销 PR / advisory issues and "
                                          "revocation PRs")
    report_parser.add_argument("--in", dest="input", type=Path, required=True, help="reaudit-scan 的结果 / results")
    maintenance.add_github_arguments(report_parser)
    report_parser.set_defaults(handler=run_reaudit_report)

    waiting = subparsers.add_parser("queue", help="等待维护者的提交（最早的在前）/ what waits for a maintainer, "
                                    "oldest first")
    waiting.add_argument("--out", type=Path, help="写入 queue.json（供目录站点）/ write queue.json for the catalog")
    maintenance.add_github_arguments(waiting)
    waiting.set_defaults(handler=run_queue)
