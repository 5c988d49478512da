"""What changed between two reviews of one plugin: the listed version and the submitted update.

Pure functions over two review results as dictionaries (``ReviewResult.to_dict()`` plus, optionally,
``files``), so fields that later reviews add are picked up without changes here:

* **set-valued facts** (:data:`FACT_KEYS`: capabilities, permissions, dependencies, endpoints, ...) are
  read from the top level of the result first, then from its ``submission``; items may be strings or
  objects (named by ``name``/``id``/``module``/``package``); added and dropped items are listed, and a
  dependency whose name stayed but whose pin moved is "changed";
* identity (repository, Gitee mirror, author's GitHub login), scores, new finding ids, files added;
* **waivers**: a finding of the new result marked ``waived`` (or carrying a ``waiver``) is listed
  explicitly. A waiver granted for one version is never applied silently to the next.

:func:`render_markdown` is the sticky comment's section; it carries the diff as a hidden JSON block
(:data:`DIFF_OPEN`) that the auto-merge step reads back, but only from the bot's own comment.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wxreg.review.report import code_span

DIFF_SCHEMA = "wxreg-update-diff/1"
DIFF_OPEN = "<!-- wxreg-update-diff "
DIFF_CLOSE = " -->"
_DIFF = re.compile(re.escape(DIFF_OPEN) + r"(\{.*?\})" + re.escape(DIFF_CLOSE), re.DOTALL)

FACT_KEYS: tuple[str, ...] = ("capabilities", "permissions", "dependencies", "endpoints", "network_hosts")
"""Facts whose growth needs a person's eye. Keys absent from both results are skipped."""
FACT_TITLES = {
    "capabilities": "能力 / Capabilities",
    "permissions": "权限 / Permissions",
    "dependencies": "依赖 / Dependencies",
    "endpoints": "网络端点 / Endpoints",
    "network_hosts": "网络主机 / Network hosts",
}
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
MAX_LISTED = 40


@dataclass(frozen=True)
class FactChange:
    key: str
    added: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    """``old → new`` for items whose name stayed and whose detail (a version pin) moved."""

    @property
    def empty(self) -> bool:
        return not (self.added or self.dropped or self.changed)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "added": list(self.added), "dropped": list(self.dropped),
                "changed": list(self.changed)}


@dataclass(frozen=True)
class ReviewDiff:
    """The update's changes relative to the listed version (a plain value: equal inputs, equal diffs)."""

    previous_version: str
    version: str
    previous_commit: str | None
    commit: str | None
    facts: tuple[FactChange, ...] = ()
    identity: tuple[tuple[str, str, str], ...] = ()
    """``(field, old, new)`` for the repository, the mirror and the author's login."""
    scores: tuple[tuple[str, int, int], ...] = ()
    """``(axis, old, new)`` for every axis both results have."""
    new_findings: tuple[str, ...] = ()
    """Finding ids (``id path``) the update has and the listed version had not."""
    waived: tuple[str, ...] = ()
    """Findings of the update that a waiver hides: a person must confirm each waiver again."""
    files_added: tuple[str, ...] = ()
    files_removed: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    def fact(self, key: str) -> FactChange:
        return next((f for f in self.facts if f.key == key), FactChange(key))

    @property
    def scores_lower(self) -> tuple[tuple[str, int, int], ...]:
        return tuple(item for item in self.scores if item[2] < item[1])

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": DIFF_SCHEMA,
            "previous_version": self.previous_version,
            "version": self.version,
            "previous_commit": self.previous_commit,
            "commit": self.commit,
            "facts": [f.to_dict() for f in self.facts],
            "identity": [list(item) for item in self.identity],
            "scores": [list(item) for item in self.scores],
            "new_findings": list(self.new_findings),
            "waived": list(self.waived),
            "files_added": list(self.files_added),
            "files_removed": list(self.files_removed),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReviewDiff:
        def strings(value: Any) -> tuple[str, ...]:
            return tuple(str(x) for x in value) if isinstance(value, list) else ()

        facts = tuple(FactChange(str(f.get("key")), strings(f.get("added")), strings(f.get("dropped")),
                                 strings(f.get("changed")))
                      for f in data.get("facts") or [] if isinstance(f, Mapping))
        identity = tuple((str(i[0]), str(i[1]), str(i[2])) for i in data.get("identity") or []
                         if isinstance(i, list) and len(i) == 3)
        scores = tuple((str(s[0]), int(s[1]), int(s[2])) for s in data.get("scores") or []
                       if isinstance(s, list) and len(s) == 3 and all(isinstance(x, int) for x in s[1:]))
        return cls(str(data.get("previous_version") or ""), str(data.get("version") or ""),
                   _opt(data.get("previous_commit")), _opt(data.get("commit")), facts, identity, scores,
                   strings(data.get("new_findings")), strings(data.get("waived")), strings(data.get("files_added")),
                   strings(data.get("files_removed")))


def _opt(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _item_key(item: Any) -> tuple[str, str] | None:
    """``(name, detail)`` of one fact item: ``("requests", "requests==2.32.3")``, ``("net", "net")``."""
    if isinstance(item, str):
        text = item.strip()
        if not text:
            return None
        match = _NAME.match(text)
        name = match.group(1).lower().replace("_", "-") if match else text
        return name, text
    if isinstance(item, Mapping):
        for key in ("name", "id", "module", "package", "capability"):
            value = item.get(key)
            if isinstance(value, str) and value:
                detail = item.get("version") or item.get("specifier") or item.get("pin") or ""
                return value.lower(), f"{value}{detail}" if isinstance(detail, str) else value
    return None


def _facts(result: Mapping[str, Any], key: str) -> dict[str, str] | None:
    value = result.get(key)
    if value is None:
        submission = result.get("submission")
        value = submission.get(key) if isinstance(submission, Mapping) else None
    if value is None:
        return None
    if isinstance(value, Mapping):  # {"name": detail} or {"name": [...]} maps
        value = [k if not isinstance(v, str) else f"{k}{v}" for k, v in value.items()]
    items: dict[str, str] = {}
    for item in value if isinstance(value, list | tuple) else []:
        parsed = _item_key(item)
        if parsed is not None:
            items.setdefault(parsed[0], parsed[1])
    return items


def compare_facts(old: Mapping[str, Any], new: Mapping[str, Any], key: str) -> FactChange | None:
    before, after = _facts(old, key), _facts(new, key)
    if before is None and after is None:
        return None
    before, after = before or {}, after or {}
    added = tuple(sorted(after[name] for name in after.keys() - before.keys()))
    dropped = tuple(sorted(before[name] for name in before.keys() - after.keys()))
    changed = tuple(sorted(f"{before[name]} → {after[name]}" for name in before.keys() & after.keys()
                           if before[name] != after[name]))
    return FactChange(key, added, dropped, changed)


def _finding_keys(result: Mapping[str, Any], *, waived: bool | None = None) -> set[str]:
    keys: set[str] = set()
    for finding in result.get("findings") or []:
        if not isinstance(finding, Mapping):
            continue
        is_waived = bool(finding.get("waived") or finding.get("waiver"))
        if waived is not None and is_waived != waived:
            continue
        keys.add(f"{finding.get('id')} {finding.get('path') or ''}".strip())
    return keys


def _files(result: Mapping[str, Any]) -> set[str] | None:
    files = result.get("files")
    if isinstance(files, Mapping):
        return {str(k) for k in files}
    if isinstance(files, list):
        return {str(f.get("path")) if isinstance(f, Mapping) else str(f) for f in files}
    return None


def _identity(result: Mapping[str, Any]) -> dict[str, str]:
    submission = result.get("submission") if isinstance(result.get("submission"), Mapping) else {}
    assert isinstance(submission, Mapping)
    return {
        "repository": str(result.get("repo") or submission.get("github_repo") or "").rstrip("/").casefold(),
        "mirror": str(submission.get("gitee_repo") or "").rstrip("/").casefold(),
        "author": str(submission.get("author_github") or "").casefold(),
    }


def _scores(result: Mapping[str, Any]) -> dict[str, int]:
    scores: dict[str, int] = {}
    for key, value in result.items():
        if key.endswith("_score") and isinstance(value, int) and not isinstance(value, bool):
            scores[key.removesuffix("_score")] = value
    nested = result.get("scores")
    if isinstance(nested, Mapping):
        scores.update({str(k): v for k, v in nested.items() if isinstance(v, int) and not isinstance(v, bool)})
    return scores


def compare(old: Mapping[str, Any], new: Mapping[str, Any], *, fact_keys: Sequence[str] = FACT_KEYS) -> ReviewDiff:
    """The diff from ``old`` (the listed version's review) to ``new`` (the update's)."""
    facts = tuple(change for key in fact_keys if (change := compare_facts(old, new, key)) is not None)
    before_id, after_id = _identity(old), _identity(new)
    identity = tuple((name, before_id[name], after_id[name]) for name in before_id
                     if before_id[name] != after_id[name])
    old_scores, new_scores = _scores(old), _scores(new)
    scores = tuple((axis, old_scores[axis], new_scores[axis]) for axis in sorted(old_scores.keys() & new_scores.keys()))
    old_files, new_files = _files(old), _files(new)
    old_sub = old.get("submission") if isinstance(old.get("submission"), Mapping) else {}
    new_sub = new.get("submission") if isinstance(new.get("submission"), Mapping) else {}
    assert isinstance(old_sub, Mapping) and isinstance(new_sub, Mapping)
    return ReviewDiff(
        previous_version=str(old_sub.get("version") or ""),
        version=str(new_sub.get("version") or ""),
        previous_commit=_opt(old.get("commit")),
        commit=_opt(new.get("commit")),
        facts=facts,
        identity=identity,
        scores=scores,
        new_findings=tuple(sorted(_finding_keys(new, waived=False) - _finding_keys(old, waived=False))),
        waived=tuple(sorted(_finding_keys(new, waived=True))),
        files_added=tuple(sorted(new_files - old_files)) if old_files is not None and new_files is not None else (),
        files_removed=tuple(sorted(old_files - new_files)) if old_files is not None and new_files is not None else (),
    )


def _code(text: str) -> str:
    return code_span(text, 120)


def _listing(items: Iterable[str]) -> str:
    values = list(items)
    shown = ", ".join(_code(v) for v in values[:MAX_LISTED])
    return shown + (f" …(+{len(values) - MAX_LISTED})" if len(values) > MAX_LISTED else "")


def encode(diff: ReviewDiff) -> str:
    text = json.dumps(diff.to_dict(), ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def hidden_json(pattern: re.Pattern[str], body: str) -> dict[str, Any] | None:
    """The JSON object in the first hidden block ``pattern`` finds in ``body`` (group 1), or ``None``."""
    match = pattern.search(body or "")
    if not match:
        return None
    try:
        data = json.loads(match.group(1))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def parse_diff(body: str) -> ReviewDiff | None:
    """The diff block of a comment body (trust it only in the bot's own comment)."""
    data = hidden_json(_DIFF, body)
    if data is None or data.get("schema") != DIFF_SCHEMA:
        return None
    try:
        return ReviewDiff.from_dict(data)
    except (TypeError, ValueError):
        return None


def render_markdown(diff: ReviewDiff) -> str:
    """The "changes since the listed version" section of the sticky review comment."""
    lines = [
        f"### 🔄 与已上架版本相比 / Changes since the listed version ({_code(diff.previous_version)} → "
        f"{_code(diff.version)})",
        "",
    ]
    rows: list[str] = []
    for name, before, after in diff.identity:
        rows.append(f"- ⚠️ **身份变化 / identity changed** {name}: {_code(before)} → {_code(after)}")
    for change in diff.facts:
        title = FACT_TITLES.get(change.key, change.key)
        if change.added:
            rows.append(f"- ➕ {title} 新增 / added: {_listing(change.added)}")
        if change.changed:
            rows.append(f"- 🔁 {title} 变更 / changed: {_listing(change.changed)}")
        if change.dropped:
            rows.append(f"- ➖ {title} 移除 / dropped: {_listing(change.dropped)}")
    for axis, old, new in diff.scores:
        if old != new:
            arrow = "⬇️" if new < old else "⬆️"
            rows.append(f"- {arrow} 评分 / score {axis}: {old} → {new}")
    if diff.new_findings:
        rows.append(f"- 🆕 新问题 / new findings: {_listing(diff.new_findings)}")
    if diff.waived:
        rows.append(f"- ⚠️ 豁免不会自动沿用，需维护者重新确认 / waivers do not carry over; a maintainer must "
                    f"confirm them again: {_listing(diff.waived)}")
    if diff.files_added:
        rows.append(f"- 📄 新增文件 / files added: {_listing(diff.files_added)}")
    if diff.files_removed:
        rows.append(f"- 🗑️ 删除文件 / files removed: {_listing(diff.files_removed)}")
    if not rows:
        rows.append("- 无实质变化（权限、能力、依赖、身份、评分均未变）/ nothing material changed (permissions, "
                    "capabilities, dependencies, identity and scores are the same)")
    return "\n".join([*lines, *rows, "", DIFF_OPEN + encode(diff) + DIFF_CLOSE, ""])
