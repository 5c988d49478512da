"""``registry/auto-merge-policy.json``: when a plugin update needs no maintainer, and why one is needed.

Always required, whatever the file says: the plugin is listed, the update comes from the listed repository
and owner (no identity change), the review passed, its diff against the listed version exists and
belongs to this very review and to the commit listed on main now. The file can only add conditions or
turn automation off (globally or per plugin); it can never waive these.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from wxreg.config import REPO_ROOT
from wxreg.review.compare import ReviewDiff
from wxreg.schema import CompiledSchema, compile_schema, load_schema
from wxreg.versions import client_version_key

POLICY_PATH = REPO_ROOT / "registry" / "auto-merge-policy.json"
SCHEMA_PATH = REPO_ROOT / "schemas" / "auto-merge-policy.schema.json"


@cache
def policy_schema() -> CompiledSchema:
    return compile_schema(load_schema(SCHEMA_PATH))


class PolicyFileError(ValueError):
    """The policy file is unreadable or does not match its schema: nothing merges by itself."""


@dataclass(frozen=True)
class PluginSwitch:
    enabled: bool
    reason: str = ""


@dataclass(frozen=True)
class AutoMergePolicy:
    enabled: bool = True
    allow_major: bool = False
    max_score_drop: int = 0
    blocking_facts: tuple[str, ...] = ("capabilities", "permissions", "dependencies", "endpoints", "network_hosts")
    block_changed_dependencies: bool = True
    plugins: Mapping[str, PluginSwitch] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AutoMergePolicy:
        issues = sorted(policy_schema().issues(dict(data)), key=lambda i: [str(p) for p in i.path])
        if issues:
            where = "/".join(str(p) for p in issues[0].path) or "(root)"
            what = f"{issues[0].keyword} {issues[0].expected!r}"[:200]
            raise PolicyFileError(f"自动合并策略无效 / invalid auto-merge policy at {where}: {what}")
        return cls(bool(data["enabled"]), bool(data["allow_major"]),
                   int(data["max_score_drop"]), tuple(str(x) for x in data["blocking_facts"]),
                   bool(data["block_changed_dependencies"]),
                   {str(k): PluginSwitch(bool(v["enabled"]), str(v.get("reason") or ""))
                    for k, v in data["plugins"].items()})


def load_auto_merge_policy(path: Path = POLICY_PATH) -> AutoMergePolicy:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PolicyFileError(f"无法读取自动合并策略 / cannot read the auto-merge policy {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise PolicyFileError("自动合并策略必须是对象 / the auto-merge policy must be an object")
    return AutoMergePolicy.from_dict(data)


@dataclass(frozen=True)
class Listed:
    """What main lists for the plugin right now (the comparison's baseline)."""

    plugin_id: str
    version: str
    repository: str
    author: str
    commit: str


@dataclass(frozen=True)
class Verdict:
    automatic: bool
    reasons: tuple[str, ...]
    """Why a maintainer is needed (bilingual ``zh / en`` lines); empty when ``automatic``."""


def _same(left: str, right: str) -> bool:
    return left.strip().rstrip("/").removesuffix(".git").casefold() == right.strip().rstrip("/").removesuffix(
        ".git").casefold()


def decide(policy: AutoMergePolicy, record: Mapping[str, Any], diff: ReviewDiff | None, listed: Listed | None,
           submission_author: str) -> Verdict:
    """May this reviewed update merge without a person? Every reason that says no, not just the first."""
    reasons: list[str] = []
    plugin_id = str(record.get("plugin_id") or "")
    version = str(record.get("version") or "")
    if not policy.enabled:
        reasons.append("维护者已全局关闭自动合并 / maintainers turned auto-merge off for every plugin")
    switch = policy.plugins.get(plugin_id)
    if switch is not None and not switch.enabled:
        why = f"（{switch.reason}）" if switch.reason else ""
        reasons.append(f"维护者已为本插件关闭自动合并{why} / maintainers turned auto-merge off for this plugin"
                       + (f" ({switch.reason})" if switch.reason else ""))
    if record.get("passed") is not True:
        reasons.append("审核未通过 / the review did not pass")
    if listed is None:
        reasons.append("首次上架总需维护者批准 / a first listing always needs a maintainer")
        return Verdict(False, tuple(reasons))
    if not _same(str(record.get("repo") or ""), listed.repository):
        reasons.append(f"仓库不同于已上架的 {listed.repository} / the repository differs from the listed "
                       f"{listed.repository}")
    if submission_author.casefold() != listed.author.casefold():
        reasons.append(f"作者不同于已登记的 {listed.author} / the author differs from the owner on record "
                       f"{listed.author}")
    if diff is None:
        reasons.append("没有与已上架版本的比较 / no comparison with the listed version")
        return Verdict(False, tuple(reasons))
    if diff.commit != record.get("commit") or diff.previous_commit != listed.commit:
        reasons.append("比较不是针对本次审核与当前上架版本 / the comparison is not between this review and the "
                       "version listed now")
    for name, before, after in diff.identity:
        reasons.append(f"身份变化 {name}: {before or '—'} → {after or '—'} / identity changed: {name}")
    for key in policy.blocking_facts:
        change = diff.fact(key)
        if change.added:
            reasons.append(f"新增 {key}: {', '.join(change.added)} / new {key}: {', '.join(change.added)}")
        if key == "dependencies" and policy.block_changed_dependencies and change.changed:
            reasons.append(f"依赖版本变化: {', '.join(change.changed)} / dependencies changed: "
                           f"{', '.join(change.changed)}")
    for axis, old, new in diff.scores:
        if old - new > policy.max_score_drop:
            reasons.append(f"{axis} 评分降低 {old} → {new} / the {axis} score went down {old} → {new}")
    if diff.waived:
        reasons.append(f"使用了豁免，需重新确认: {', '.join(diff.waived)} / waivers need a maintainer again: "
                       f"{', '.join(diff.waived)}")
    old_key, new_key = client_version_key(listed.version), client_version_key(version)
    if new_key is None:
        # Never listed (the review refuses it); said plainly should a record ever carry one.
        reasons.append(f"版本 {version} 不是 2 到 4 段数字 / version {version} is not 2 to 4 all-digit parts")
    elif old_key is None or new_key <= old_key:
        reasons.append(f"版本 {version} 不比已上架的 {listed.version} 新 / version {version} is not newer than "
                       f"the listed {listed.version}")
    elif new_key[0] > old_key[0] and not policy.allow_major:
        reasons.append(f"主版本升级 {listed.version} → {version} / major version bump {listed.version} → {version}")
    return Verdict(not reasons, tuple(reasons))
