"""Re-check what the review pinned, right before publishing: body hash, tag -> commit, content digest.

The author may edit the issue or move the tag between the review and the approval (SECURITY.md §2.3).
The tag is resolved with ``git ls-remote`` and the tree read through the review's safe clone, so the
content digest is recomputed the same way the review computed it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wxreg.review.engine import RECORD_SCHEMA
from wxreg.review.policy import ReviewPolicy
from wxreg.review.source import CloneSource, PluginTree, SourceError
from wxreg.review.submission import body_sha256


@dataclass(frozen=True)
class Recheck:
    changes: tuple[str, ...]
    """What changed since the review, one bilingual line each (``zh / en``); empty means unchanged."""
    tree: PluginTree | None
    """The plugin at the pinned commit when it could be read."""

    @property
    def unchanged(self) -> bool:
        return not self.changes and self.tree is not None


def record_problem(record: Mapping[str, Any] | None, issue_number: int) -> str | None:
    """Why a record cannot be approved at all (no record, another issue, not passed), else ``None``."""
    if record is None or record.get("schema") != RECORD_SCHEMA:
        return "no-record"
    if record.get("issue") not in (None, issue_number):
        return "no-record"
    if record.get("passed") is not True:
        return "failed"
    for key in ("plugin_id", "version", "repo", "tag", "commit", "digest", "body_sha256"):
        if not isinstance(record.get(key), str) or not record[key]:
            return "no-record"
    return None


def recheck(record: Mapping[str, Any], issue_body: str | None, policy: ReviewPolicy,
            *, check_body: bool = True) -> Recheck:
    changes: list[str] = []
    if check_body:
        current = body_sha256(issue_body or "")
        if current != record["body_sha256"]:
            changes.append(
                f"issue 正文在审核后被修改（审核时 sha256 {record['body_sha256'][:12]}…，现在 {current[:12]}…） / "
                f"the issue body was edited after the review (sha256 {record['body_sha256'][:12]}… at review, "
                f"{current[:12]}… now)"
            )
    source = CloneSource(record["repo"], policy.allowed_url_prefixes, policy.limits)
    tag = record["tag"]
    try:
        advertised = source.remote_tag_commit(tag)
        tree = source.read(tag, expected_commit=record["commit"]) if advertised else None
    except SourceError as exc:
        changes.append(f"无法读取标签 {tag}（{exc.finding.message_zh}） / tag {tag} could not be read "
                       f"({exc.finding.message_en})")
        return Recheck(tuple(changes), None)
    if advertised is None or tree is None or tree.commit is None:
        changes.append(f"标签 {tag} 已不存在 / tag {tag} no longer exists")
        return Recheck(tuple(changes), None)
    if tree.commit != record["commit"]:
        changes.append(f"标签 {tag} 已移动：审核的是 {record['commit'][:12]}，现在指向 {tree.commit[:12]} / "
                       f"tag {tag} moved: the review pinned {record['commit'][:12]}, it now points at "
                       f"{tree.commit[:12]}")
    elif tree.digest != record["digest"]:
        changes.append(f"提交 {tree.commit[:12]} 的内容摘要不同：审核时 {record['digest']}，现在 {tree.digest} / "
                       f"the content digest at {tree.commit[:12]} differs: {record['digest']} at review, "
                       f"{tree.digest} now")
    return Recheck(tuple(changes), tree)
