"""Maintenance commands: add a plugin without an issue, publish a new version, tombstone an id.

Each reviews (add, update) exactly as a submission is reviewed, then goes through the same code path as
an approval: a fresh copy of main, the store, validation, and the one registry PR of that plugin. With
``--local`` only the files of this checkout change (nothing is pushed, no API call is made).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from wxreg.approval.changes import apply_removal, apply_upsert
from wxreg.approval.entry import EntryRefused, ReviewedRelease, build_entry
from wxreg.approval.forge import ApprovalSettings, make_client, timestamp
from wxreg.approval.pinned import recheck
from wxreg.approval.release import forges_for, prepare_release, prepare_removal, publish
from wxreg.config import REPO_ROOT, RegistryConfig
from wxreg.errors import RegistryError
from wxreg.models import SEVERITIES, Tombstone
from wxreg.review.checks.manifest import MANIFEST, load_manifest
from wxreg.review.context import ToolConfig
from wxreg.review.engine import ReviewOptions, ReviewRequest, ReviewResult, review
from wxreg.review.github import GitHubConfig
from wxreg.review.policy import load_policy
from wxreg.review.source import SourceError, git_env
from wxreg.store import RegistryStore
from wxreg.versions import tag_version

EXIT_OK, EXIT_REFUSED, EXIT_CANNOT = 0, 1, 2


class MaintenanceError(Exception):
    """Why a command did nothing (bilingual)."""


@dataclass(frozen=True)
class Done:
    plugin_id: str
    detail: str
    """The PR URL, or the files written with ``--local``."""


def newest_tag(url: str) -> str:
    """The highest release tag (PEP 440, pre-releases last resort) a repository advertises."""
    done = subprocess.run(["git", "ls-remote", "--tags", "--refs", "--end-of-options", url], capture_output=True,
                          timeout=60, env=git_env(), check=False)
    tags = [line.split("\t")[1].removeprefix("refs/tags/") for line in done.stdout.decode().splitlines()
            if "\t" in line]
    versions = [(version, tag) for tag in tags if (version := tag_version(tag)) is not None]
    if not versions:
        raise MaintenanceError(f"{url} 没有版本标签 / {url} has no version tags")
    stable = [item for item in versions if not item[0].is_prerelease] or versions
    return max(stable)[1]


def _review(settings: ApprovalSettings, url: str, tag: str) -> ReviewResult:
    try:
        result = review(ReviewRequest(url, tag, remote_only="://" in url), settings.review)
    except SourceError as exc:
        raise MaintenanceError(exc.finding.message) from exc
    if not result.passed:
        errors = [f"{f.id} {f.message}" for f in result.findings if f.severity == "error"]
        raise MaintenanceError("审核未通过 / the review failed:\n" + "\n".join(errors[:30]))
    return result


def publish_reviewed(settings: ApprovalSettings, plugin_id: str, url: str, tag: str, *, local: bool,
                     now: str) -> Done:
    result = _review(settings, url, tag)
    record = result.record()
    if record["plugin_id"] != plugin_id:
        raise MaintenanceError(f"plugin.json 的 plugin_id 是 {record['plugin_id']}，不是 {plugin_id} / "
                               f"plugin.json says plugin_id {record['plugin_id']}, not {plugin_id}")
    # Read the tree again at the pinned commit (the same safe clone), for the manifest and the pin check.
    check = recheck(record, None, settings.review.policy, check_body=False)
    if not check.unchanged or check.tree is None:
        raise MaintenanceError("; ".join(check.changes))
    manifest_file = check.tree.get(MANIFEST)
    manifest = (load_manifest(manifest_file.data)[0] if manifest_file else None) or {}
    release = ReviewedRelease.from_record(record)
    if local:
        store = RegistryStore(settings.checkout)
        entry = build_entry(release, result.submission, manifest, store.get(plugin_id), now=now, issue=None,
                            issue_url=None, forges=forges_for(settings))
        files = apply_upsert(settings.checkout, entry)
        return Done(plugin_id, ", ".join(sorted(files)))
    prepared = prepare_release(settings, release, result.submission, manifest, now=now, issue=None, issue_url=None)
    repo = make_client(settings.github).withLazy(True).get_repo(settings.github.repo)
    return Done(plugin_id, publish(settings, repo, prepared.change).url)


def add_plugin(settings: ApprovalSettings, plugin_id: str, url: str, tag: str | None, *, local: bool,
               now: str) -> Done:
    if RegistryStore(settings.checkout).get(plugin_id) is not None:
        raise MaintenanceError(f"{plugin_id} 已上架，请用 update_plugin.py / {plugin_id} is listed: use "
                               "update_plugin.py")
    return publish_reviewed(settings, plugin_id, url, tag or newest_tag(url), local=local, now=now)


def update_plugin(settings: ApprovalSettings, plugin_id: str, version: str, *, local: bool, now: str) -> Done:
    listed = RegistryStore(settings.checkout).get(plugin_id)
    if listed is None:
        raise MaintenanceError(f"{plugin_id} 未上架 / {plugin_id} is not listed")
    url = listed.repository.primary.url
    done = subprocess.run(["git", "ls-remote", "--tags", "--refs", "--end-of-options", url], capture_output=True,
                          timeout=60, env=git_env(), check=False)
    advertised = {line.split("\t")[1].removeprefix("refs/tags/") for line in done.stdout.decode().splitlines()
                  if "\t" in line}
    tag = next((t for t in (f"v{version}", version) if t in advertised), None)
    if tag is None:
        raise MaintenanceError(f"{url} 没有 v{version} 或 {version} 标签 / {url} has no tag v{version} or {version}")
    return publish_reviewed(settings, plugin_id, url, tag, local=local, now=now)


def remove_plugin(settings: ApprovalSettings, plugin_id: str, reason: str, severity: str, *, local: bool,
                  now: str) -> Done:
    stone = Tombstone(plugin_id, reason, severity, now)
    if local:
        files = apply_removal(settings.checkout, stone)
        return Done(plugin_id, ", ".join(sorted(files)))
    change = prepare_removal(settings, stone)
    repo = make_client(settings.github).withLazy(True).get_repo(settings.github.repo)
    return Done(plugin_id, publish(settings, repo, change).url)


# -- command line --------------------------------------------------------------------------------------


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--local", action="store_true", help="只修改本地文件 / change the files only, no PR")
    parser.add_argument("--date", help="时间戳 YYYY-MM-DDTHH:MM:SSZ（默认当前时间）/ timestamp (default: now)")
    add_github_arguments(parser)


def add_github_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="registry checkout (origin = the registry)")
    parser.add_argument("--github-repo", default=os.environ.get("GITHUB_REPOSITORY"), help="owner/name of the registry")
    parser.add_argument("--github-api-url", default=os.environ.get("GITHUB_API_URL", "https://api.github.com"))
    parser.add_argument("--github-web-url", default=os.environ.get("GITHUB_SERVER_URL", "https://github.com"))
    parser.add_argument("--bot-login", default=os.environ.get("WXREG_BOT_LOGIN", "github-actions[bot]"))
    parser.add_argument("--osv-url", default=os.environ.get("WXREG_OSV_URL"), help="pip-audit --osv-url")
    parser.add_argument("--allow-url-prefix", action="append", default=[], metavar="URL",
                        help="额外允许的仓库地址前缀 / extra allowed repository URL prefix")


def settings_from_args(args: argparse.Namespace, *, need_token: bool = True) -> ApprovalSettings:
    root: Path = args.root
    registry = RegistryConfig.load(root / "registry" / "config.json")
    repo = args.github_repo or f"{registry.github.owner}/{registry.github.repo}"
    token = os.environ.get("GITHUB_TOKEN", "")
    if need_token and not token:
        raise MaintenanceError("需要 GITHUB_TOKEN（或使用 --local）/ GITHUB_TOKEN is required (or use --local)")
    policy = load_policy()
    extra = [args.github_web_url.rstrip("/") + "/", *args.allow_url_prefix]
    policy = policy.with_extra_url_prefixes(tuple(p for p in extra if p not in policy.allowed_url_prefixes))
    options = ReviewOptions(policy=policy, tools=ToolConfig(osv_url=args.osv_url), registry_dir=root / "registry")
    config = GitHubConfig(token=token, repo=repo, api_url=args.github_api_url, web_url=args.github_web_url,
                          bot_login=args.bot_login)
    return ApprovalSettings(github=config, checkout=root, review=options, registry=registry)


def run(action: str, args: argparse.Namespace) -> int:
    try:
        settings = settings_from_args(args, need_token=not args.local)
        now = timestamp(args.date)
        if action == "add":
            done = add_plugin(settings, args.plugin_id, args.repo, args.tag, local=args.local, now=now)
        elif action == "update":
            done = update_plugin(settings, args.plugin_id, args.version, local=args.local, now=now)
        else:
            done = remove_plugin(settings, args.plugin_id, args.reason, args.severity, local=args.local, now=now)
    except (MaintenanceError, EntryRefused) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_REFUSED
    except RegistryError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_REFUSED
    print(f"{done.plugin_id}: {done.detail}")
    return EXIT_OK


def add_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--plugin-id", required=True)
    parser.add_argument("--repo", required=True, help="插件仓库 URL / plugin repository URL")
    parser.add_argument("--tag", help="默认最新的版本标签 / default: the newest version tag")
    add_common_arguments(parser)
    return parser


def update_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--plugin-id", required=True)
    parser.add_argument("--version", required=True, help="新版本（标签 vX 或 X）/ new version (tag vX or X)")
    add_common_arguments(parser)
    return parser


def remove_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--plugin-id", required=True)
    parser.add_argument("--reason", required=True)
    parser.add_argument("--severity", choices=SEVERITIES, default="removed")
    add_common_arguments(parser)
    return parser


def add_main(argv: Sequence[str] | None = None) -> int:
    parser = add_parser(argparse.ArgumentParser(prog="add_plugin.py", description="审核并上架插件（无需 issue）"
                                                " / review and list a plugin without an issue"))
    return run("add", parser.parse_args(argv))


def update_main(argv: Sequence[str] | None = None) -> int:
    parser = update_parser(argparse.ArgumentParser(prog="update_plugin.py", description="审核并发布新版本"
                                                   " / review and publish a new version"))
    return run("update", parser.parse_args(argv))


def remove_main(argv: Sequence[str] | None = None) -> int:
    parser = remove_parser(argparse.ArgumentParser(prog="remove_plugin.py", description="永久移除插件（墓碑）"
                                                   " / tombstone a plugin id for good"))
    return run("remove", parser.parse_args(argv))
