"""The one code path from a reviewed release to a registry PR (labels and maintenance commands share it)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from github.Repository import Repository

from wxreg.approval.changes import apply_removal, apply_upsert
from wxreg.approval.entry import Forges, ReviewedRelease, build_entry
from wxreg.approval.forge import ApprovalSettings
from wxreg.approval.publisher import PublishedPull, RegistryChange, RegistryPublisher
from wxreg.approval.texts import PR_MARKER
from wxreg.approval.workspace import main_snapshot
from wxreg.models import PluginEntry, Tombstone
from wxreg.review.report import code_span, neutralise
from wxreg.review.submission import Submission
from wxreg.store import RegistryStore


def forges_for(settings: ApprovalSettings) -> Forges:
    gitee = settings.registry.gitee
    return Forges(settings.github.web_url, settings.github.api_url, gitee.web_url, gitee.api_url)


def pr_marker(data: Mapping[str, Any]) -> str:
    return f"{PR_MARKER}\n<!-- wxreg-registry-pr {json.dumps(dict(data), sort_keys=True)} -->"


def release_title(entry: PluginEntry, previous: PluginEntry | None) -> str:
    if previous is None:
        return f"上架插件 / Add plugin: {entry.plugin_id} {entry.versions.latest}"
    if entry.prerelease is not None and entry.prerelease != previous.prerelease:
        return f"预发布 / Pre-release: {entry.plugin_id} {entry.prerelease.version}"
    return f"更新插件 / Update plugin: {entry.plugin_id} {previous.versions.latest} → {entry.versions.latest}"


def release_body(entry: PluginEntry, release: ReviewedRelease, issue: int | None) -> str:
    rows = [
        # Names, versions and tags came from the author: made inert for markdown (no mentions, no HTML).
        ("插件 / Plugin", f"{code_span(entry.plugin_id, 80)} — {neutralise(entry.name, 100)}"),
        ("版本 / Version", code_span(release.version, 60)),
        ("仓库 / Repository", neutralise(release.repo, 200)),
        ("标签 / Tag", code_span(release.tag, 100)),
        ("审核的提交 / Reviewed commit", f"`{release.commit}`"),
        ("内容摘要 / Content digest", f"`{release.digest}`"),
        ("安全评分 / Security score", f"{release.security_score}/100"),
        ("质量评分 / Quality score", f"{release.quality_score}/100"),
        ("评分细则 / Rubric", release.rubric_version or "—"),
    ]
    table = "\n".join(["| | |", "|---|---|", *(f"| {name} | {value} |" for name, value in rows)])
    closes = f"\n\nCloses #{issue}" if issue else ""
    return (
        f"{pr_marker({'plugin_id': entry.plugin_id, 'issue': issue, 'version': release.version})}\n"
        f"## 注册表更新 / Registry update\n\n"
        f"由维护者的批准自动生成，只包含本插件的文件和重新生成的 `registry.json`（已校验）。"
        f"main 变化时本分支会自动重建，可按任意顺序合并。\n\n"
        f"Generated from a maintainer's approval: only this plugin's file and the regenerated, validated "
        f"`registry.json`. The branch is rebuilt automatically when main moves, so PRs merge in any order.\n\n"
        f"{table}{closes}\n"
    )


@dataclass(frozen=True)
class Prepared:
    entry: PluginEntry
    previous: PluginEntry | None
    change: RegistryChange


def prepare_release(settings: ApprovalSettings, release: ReviewedRelease, submission: Submission,
                    manifest: Mapping[str, Any], *, now: str, issue: int | None, issue_url: str | None) -> Prepared:
    """Build the entry on a fresh copy of main; :class:`EntryRefused` / ``RegistryError`` when it cannot be."""
    with main_snapshot(settings.checkout, settings.base_branch, fetch=settings.fetch) as snapshot:
        previous = RegistryStore(snapshot.root).get(release.plugin_id)
        entry = build_entry(release, submission, manifest, previous, now=now, issue=issue, issue_url=issue_url,
                            forges=forges_for(settings))
        files = apply_upsert(snapshot.root, entry)
        title = release_title(entry, previous)
        change = RegistryChange(entry.plugin_id, snapshot.sha, files, title, release_body(entry, release, issue),
                                f"{title}\n\nReviewed commit {release.commit} ({release.digest})", now)
        return Prepared(entry, previous, change)


def prepare_removal(settings: ApprovalSettings, stone: Tombstone) -> RegistryChange:
    with main_snapshot(settings.checkout, settings.base_branch, fetch=settings.fetch) as snapshot:
        files = apply_removal(snapshot.root, stone)
        title = f"移除插件 / Remove plugin: {stone.plugin_id} ({stone.severity})"
        body = (f"{pr_marker({'plugin_id': stone.plugin_id, 'removal': True})}\n## 移除插件 / Plugin removal\n\n"
                f"`{stone.plugin_id}` 将被永久移除（墓碑），此 id 不能再次上架。 / `{stone.plugin_id}` is "
                f"tombstoned: the id can never be listed again.\n\n"
                f"| | |\n|---|---|\n| 级别 / Severity | `{stone.severity}` |\n| 日期 / Date | {stone.date} |\n"
                f"| 原因 / Reason | {neutralise(stone.reason, 500)} |\n")
        return RegistryChange(stone.plugin_id, snapshot.sha, files, title, body, title, stone.date)


def publish(settings: ApprovalSettings, repo: Repository, change: RegistryChange) -> PublishedPull:
    return RegistryPublisher(repo, owner=settings.owner, base_branch=settings.base_branch).publish(change)
