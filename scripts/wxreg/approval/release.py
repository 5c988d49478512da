"""The one code path from a reviewed release to a registry PR (labels and maintenance commands share it)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from wxreg.approval.changes import apply_removal, apply_upsert, plugin_file
from wxreg.approval.claims import Claim, claims, conflicting, entry_sha256, pr_marker
from wxreg.approval.entry import EntryRefused, Forges, ReviewedRelease, build_entry
from wxreg.approval.forge import ApprovalSettings
from wxreg.approval.publisher import PublishedPull, RegistryChange, RegistryPublisher
from wxreg.approval.workspace import main_snapshot, newest_main
from wxreg.forge.interface import Forge
from wxreg.models import PluginEntry, Tombstone
from wxreg.review.checks.identity import look_alike
from wxreg.review.report import code_span, neutralise
from wxreg.review.submission import Submission
from wxreg.store import RegistryStore


def forges_for(settings: ApprovalSettings) -> Forges:
    gitee = settings.registry.gitee
    return Forges(settings.github.web_url, settings.github.api_url, gitee.web_url, gitee.api_url)


class ClaimRefused(Exception):
    """Another issue's open registry PR holds this id (or a look-alike)."""

    def __init__(self, claim: Claim, how: str) -> None:
        super().__init__(f"{claim.plugin_id} is claimed by #{claim.issue} ({how})")
        self.claim = claim
        self.how = how


def release_title(entry: PluginEntry, previous: PluginEntry | None) -> str:
    if previous is None:
        return f"上架插件 / Add plugin: {entry.plugin_id} {entry.versions.latest}"
    return f"更新插件 / Update plugin: {entry.plugin_id} {previous.versions.latest} → {entry.versions.latest}"


def release_body(entry: PluginEntry, release: ReviewedRelease, issue: int | None, digest: str) -> str:
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
    marker = pr_marker({"plugin_id": entry.plugin_id, "issue": issue, "version": release.version,
                        "commit": release.commit, "entry_sha256": digest})
    return (
        f"{marker}\n"
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
                    manifest: Mapping[str, Any], *, now: str, issue: int | None, issue_url: str | None,
                    submitter: str | None = None, base: str | None = None) -> Prepared:
    """Build the entry on a fresh copy of main; :class:`EntryRefused` / ``RegistryError`` when it cannot be."""
    with main_snapshot(settings.checkout, settings.base_branch, fetch=settings.fetch, sha=base) as snapshot:
        store = RegistryStore(snapshot.root)
        previous = store.get(release.plugin_id)
        if previous is None:
            # Main may have gained a look-alike since the review: the identity check again, on this main.
            distance = settings.review.policy.max_edit_distance
            for listed in store.load_entries():
                if how := look_alike(release.plugin_id, listed.plugin_id, distance):
                    raise EntryRefused([f"{release.plugin_id} 与已上架的 {listed.plugin_id} 相似"
                                        f"（{how.split(' / ')[0]}） / "
                                        f"{release.plugin_id} looks like the listed {listed.plugin_id} "
                                        f"({how.split(' / ')[-1]})"])
        entry = build_entry(release, submission, manifest, previous, now=now, issue=issue, issue_url=issue_url,
                            forges=forges_for(settings), submitter=submitter)
        files = apply_upsert(snapshot.root, entry)
        title = release_title(entry, previous)
        body = release_body(entry, release, issue, entry_sha256(files[plugin_file(entry.plugin_id)]))
        change = RegistryChange(entry.plugin_id, snapshot.sha, files, title, body,
                                f"{title}\n\nReviewed commit {release.commit} ({release.digest})", now)
        return Prepared(entry, previous, change)


def removal_digest(stone: Tombstone) -> str:
    return entry_sha256(json.dumps([stone.plugin_id, stone.reason, stone.severity]).encode())


def prepare_removal(settings: ApprovalSettings, stone: Tombstone) -> RegistryChange:
    with main_snapshot(settings.checkout, settings.base_branch, fetch=settings.fetch) as snapshot:
        files = apply_removal(snapshot.root, stone)
        marker = {"plugin_id": stone.plugin_id, "removal": True, "entry_sha256": removal_digest(stone)}
        title = f"移除插件 / Remove plugin: {stone.plugin_id} ({stone.severity})"
        body = (f"{pr_marker(marker)}\n## 移除插件 / Plugin removal\n\n"
                f"`{stone.plugin_id}` 将被永久移除（墓碑），此 id 不能再次上架。 / `{stone.plugin_id}` is "
                f"tombstoned: the id can never be listed again.\n\n"
                f"| | |\n|---|---|\n| 级别 / Severity | `{stone.severity}` |\n| 日期 / Date | {stone.date} |\n"
                f"| 原因 / Reason | {neutralise(stone.reason, 500)} |\n")
        return RegistryChange(stone.plugin_id, snapshot.sha, files, title, body, title, stone.date)


def publish(settings: ApprovalSettings, forge: Forge, change: RegistryChange, *, issue: int | None = None
            ) -> PublishedPull:
    """Open or update the plugin's PR, unless another issue's open PR claims this id or a look-alike."""
    pulls = forge.open_pulls(settings.base_branch)
    found = conflicting(change.plugin_id, issue, claims(pulls, forge), settings.review.policy.max_edit_distance)
    if found is not None:
        raise ClaimRefused(*found)
    return RegistryPublisher(forge, base_branch=settings.base_branch).publish(change, pulls)


MAX_REBUILDS = 3


def rebuild_if_main_moved(settings: ApprovalSettings, forge: Forge, prepared: Prepared,
                          pull: PublishedPull) -> PublishedPull:
    """A merge that lands while an approval writes its PR leaves the PR on an older main, and the push's
    refresh may have run before the PR existed: rebuild it here on the newest main (no API call to look)."""
    base = prepared.change.base_sha
    for _ in range(MAX_REBUILDS):
        newest = newest_main(settings.checkout, settings.base_branch, fetch=settings.fetch)
        if newest == base:
            break
        with main_snapshot(settings.checkout, settings.base_branch, sha=newest) as snapshot:
            files = apply_upsert(snapshot.root, prepared.entry)
        change = replace(prepared.change, base_sha=newest, files=files,
                         message=f"{prepared.change.message}\n\nRebuilt on {newest}")
        publisher = RegistryPublisher(forge, base_branch=settings.base_branch)
        sha = publisher.commit(change)
        if not forge.move_branch(pull.branch, sha, expected=pull.commit):
            break  # somebody else (a newer approval, the refresh) rebuilt it meanwhile
        pull, base = replace(pull, commit=sha), newest
    return pull
