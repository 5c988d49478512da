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
from dataclasses import dataclass, replace
from pathlib import Path

from wxreg.approval.changes import apply_removal, apply_upsert, plugin_file
from wxreg.approval.claims import claims, entry_sha256, pr_marker
from wxreg.approval.entry import EntryRefused, ReviewedRelease, build_entry
from wxreg.approval.forge import ApprovalSettings, make_forge, timestamp
from wxreg.approval.pinned import recheck
from wxreg.approval.publisher import RegistryChange
from wxreg.approval.release import ClaimRefused, forges_for, prepare_release, prepare_removal, publish
from wxreg.approval.workspace import main_snapshot
from wxreg.config import RegistryConfig, working_root
from wxreg.errors import RegistryError
from wxreg.forge.config import add_forge_arguments, forge_config, forge_url_prefix
from wxreg.forge.interface import Forge
from wxreg.models import SEVERITIES, Tombstone
from wxreg.review.author_cli import load_options
from wxreg.review.checks.manifest import MANIFEST, load_manifest
from wxreg.review.engine import ReviewRequest, ReviewResult, review
from wxreg.review.options import add_configuration
from wxreg.review.policy import PolicyError
from wxreg.review.report import code_span, neutralise
from wxreg.review.source import SourceError, git_env
from wxreg.store import RegistryStore
from wxreg.versions import client_version_key, is_manifest_version

EXIT_OK, EXIT_REFUSED, EXIT_CANNOT = 0, 1, 2


class MaintenanceError(Exception):
    """Why a command did nothing (bilingual)."""


@dataclass(frozen=True)
class Done:
    plugin_id: str
    detail: str
    """The PR URL, or the files written with ``--local``."""


def newest_tag(url: str) -> str:
    """The highest release tag a repository advertises, among tags the client can install (2 to 4 all-digit
    parts, a leading ``v`` allowed): pre-releases are never listed."""
    done = subprocess.run(["git", "ls-remote", "--tags", "--refs", "--end-of-options", url], capture_output=True,
                          timeout=60, env=git_env(), check=False)
    tags = [line.split("\t")[1].removeprefix("refs/tags/") for line in done.stdout.decode().splitlines()
            if "\t" in line]
    versions = [(key, tag) for tag in tags
                if is_manifest_version(tag) and (key := client_version_key(tag)) is not None]
    if not versions:
        raise MaintenanceError(f"{url} 没有 2 到 4 段数字的版本标签（如 v1.2.0）/ {url} has no version tag of 2 to 4 "
                               "all-digit parts (such as v1.2.0)")
    return max(versions)[1]


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
    return Done(plugin_id, publish(settings, make_forge(settings), prepared.change).url)


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
    store = RegistryStore(settings.checkout)
    listed = store.get(plugin_id) if store.plugin_path(plugin_id).is_file() else None
    # The name is kept with the id: the review refuses look-alike names of a removed plugin too.
    stone = Tombstone(plugin_id, reason, severity, now, listed.name if listed else "")
    if local:
        files = apply_removal(settings.checkout, stone)
        return Done(plugin_id, ", ".join(sorted(files)))
    change = prepare_removal(settings, stone)
    return Done(plugin_id, publish(settings, make_forge(settings), change).url)


def transfer_plugin(settings: ApprovalSettings, plugin_id: str, *, author_github: str | None,
                    author_name: str | None, author_email: str | None, repo_url: str | None,
                    mirror_url: str | None, now: str) -> Done:
    """The one way identity (author, repository, mirror) changes: a maintainer's explicit command, as a PR."""
    forges = forges_for(settings)
    with main_snapshot(settings.checkout, settings.base_branch, fetch=settings.fetch) as snapshot:
        listed = RegistryStore(snapshot.root).get(plugin_id)
        if listed is None:
            raise MaintenanceError(f"{plugin_id} 未上架 / {plugin_id} is not listed")
        author = replace(listed.author, github=author_github or listed.author.github,
                         name=author_name or listed.author.name, email=author_email or listed.author.email)
        repository = listed.repository
        if repo_url:
            primary = forges.location(repo_url)
            if primary is None:
                raise MaintenanceError(f"不支持的仓库地址 {repo_url} / unsupported repository URL {repo_url}")
            repository = replace(repository, primary=primary)
        if mirror_url:
            mirror = forges.location(mirror_url)
            if mirror is None:
                raise MaintenanceError(f"不支持的镜像地址 {mirror_url} / unsupported mirror URL {mirror_url}")
            repository = replace(repository, mirror=mirror)
        entry = replace(listed, author=author, repository=repository, updated_at=max(now, listed.updated_at))
        files = apply_upsert(snapshot.root, entry)
        title = f"转移插件 / Transfer plugin: {plugin_id}"
        digest = entry_sha256(files[plugin_file(plugin_id)])
        body = (f"{pr_marker({'plugin_id': plugin_id, 'transfer': True, 'entry_sha256': digest})}\n"
                f"## 转移插件 / Plugin transfer\n\n维护者命令 `wxreg transfer` 修改了身份字段 / identity fields "
                f"changed by a maintainer's `wxreg transfer`:\n\n"
                f"| | |\n|---|---|\n| author.github | {code_span(author.github)} |\n"
                f"| repository | {neutralise(repository.primary.url, 200)} |\n"
                f"| mirror | {neutralise(repository.mirror.url if repository.mirror else '—', 200)} |\n")
        change = RegistryChange(plugin_id, snapshot.sha, files, title, body, title, now)
    return Done(plugin_id, publish(settings, make_forge(settings), change).url)


def release_claim(settings: ApprovalSettings, plugin_id: str, forge: Forge) -> Done:
    """Close the open registry PR that claims ``plugin_id``, so another submission may be approved."""
    held = [c for c in claims(forge.open_pulls(settings.base_branch), forge) if c.plugin_id == plugin_id]
    if not held:
        raise MaintenanceError(f"{plugin_id} 没有打开的注册表 PR / no open registry PR claims {plugin_id}")
    for claim in held:
        note = (f"维护者释放了 `{plugin_id}` 的占用，此 PR 已关闭。 / A maintainer released the claim on "
                f"`{plugin_id}`; this PR is closed.")
        forge.create_comment(claim.pull.number, note)
        forge.close_pull(claim.pull.number)
        if claim.issue is not None:
            forge.create_comment(claim.issue, note)
    return Done(plugin_id, ", ".join(f"#{c.pull.number}" for c in held))


# -- command line --------------------------------------------------------------------------------------


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--local", action="store_true", help="只修改本地文件 / change the files only, no PR")
    parser.add_argument("--date", help="时间戳 YYYY-MM-DDTHH:MM:SSZ（默认当前时间）/ timestamp (default: now)")
    add_github_arguments(parser)


def add_github_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=working_root(), help="registry checkout (origin = the registry)")
    add_forge_arguments(parser)
    # The same review configuration as `wxreg review` and plugin_reviewer.py (the registry is --root's).
    add_configuration(parser, registry_dir=False)


def settings_from_args(args: argparse.Namespace, *, need_token: bool = True) -> ApprovalSettings:
    root: Path = args.root
    registry = RegistryConfig.load(root / "registry" / "config.json")
    repo = args.github_repo or f"{registry.github.owner}/{registry.github.repo}"
    token = os.environ.get("GITHUB_TOKEN", "")
    if need_token and not token:
        raise MaintenanceError("需要 GITHUB_TOKEN（或使用 --local）/ GITHUB_TOKEN is required (or use --local)")
    try:
        options = load_options(args, (forge_url_prefix(args),), registry_dir=root / "registry")
    except PolicyError as exc:
        raise MaintenanceError(str(exc)) from exc
    return ApprovalSettings(github=forge_config(args, token=token, repo=repo), checkout=root, review=options,
                            registry=registry)


def run(action: str, args: argparse.Namespace) -> int:
    try:
        settings = settings_from_args(args, need_token=not args.local)
        now = timestamp(args.date)
        if action == "add":
            done = add_plugin(settings, args.plugin_id, args.repo, args.tag, local=args.local, now=now)
        elif action == "update":
            done = update_plugin(settings, args.plugin_id, args.version, local=args.local, now=now)
        elif action == "transfer":
            done = transfer_plugin(settings, args.plugin_id, author_github=args.author_github,
                                   author_name=args.author_name, author_email=args.author_email,
                                   repo_url=args.repo, mirror_url=args.mirror, now=now)
        elif action == "release-claim":
            done = release_claim(settings, args.plugin_id, make_forge(settings))
        else:
            done = remove_plugin(settings, args.plugin_id, args.reason, args.severity, local=args.local, now=now)
    except ClaimRefused as exc:
        print(f"{exc.claim.plugin_id} 已被 #{exc.claim.issue} 占用 / is claimed by #{exc.claim.issue} "
              f"({exc.claim.pull.html_url}): wxreg release-claim --plugin-id {exc.claim.plugin_id}", file=sys.stderr)
        return EXIT_REFUSED
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


def transfer_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--plugin-id", required=True)
    parser.add_argument("--author-github", help="新的所有者登录名 / the new owner's GitHub login")
    parser.add_argument("--author-name", help="新的作者名 / the new author name")
    parser.add_argument("--author-email", help="新的作者邮箱 / the new author e-mail")
    parser.add_argument("--repo", help="新的主仓库地址 / the new primary repository URL")
    parser.add_argument("--mirror", help="新的镜像仓库地址 / the new mirror repository URL")
    parser.add_argument("--date", help="时间戳 YYYY-MM-DDTHH:MM:SSZ（默认当前时间）/ timestamp (default: now)")
    parser.set_defaults(local=False)
    add_github_arguments(parser)
    return parser


def claim_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--plugin-id", required=True)
    parser.set_defaults(local=False, date=None)
    add_github_arguments(parser)
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
