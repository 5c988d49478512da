"""Waivers: a maintainer accepts one finding on one commit, with a reason, in the open.

A maintainer (admin, maintain or write, checked as for ``approved``) comments on the submission::

    /waive WXR-E001 这是用 eval 解析的固定算式 / eval of a fixed arithmetic expression
    /waive WXR-S101/B602@tools/run.py:12 固定命令 / a fixed command

The id may carry ``@path`` or ``@path:line`` to waive one occurrence only. A waiver names the commit
the review pinned, so a new commit (a moved tag, a new release) is reviewed without it. Waived findings
stay in the report as ``info`` marked as waived; the waivers go into the review record and the registry
entry (top level ``waivers``). Pure functions only: the GitHub glue lives in :mod:`wxreg.review.github`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from wxreg.review.findings import Finding, Severity

COMMAND = re.compile(
    r"\A/waive[ \t]+(?P<id>WXR-[A-Z][0-9]{3}(?:/B[0-9]{3})?)(?:@(?P<path>[^\s:]+)(?::(?P<line>[0-9]{1,7}))?)?"
    r"[ \t]+(?P<reason>\S[^\n]*)",
)
MAX_REASON = 300
SHA = re.compile(r"^[0-9a-f]{40}$")


class WaiverError(ValueError):
    """A ``/waive`` comment that cannot be applied; the message is bilingual and says why."""


@dataclass(frozen=True)
class Waiver:
    finding_id: str
    commit: str
    reason: str
    by: str
    path: str | None = None
    line: int | None = None

    def covers(self, finding: Finding, commit: str | None) -> bool:
        return (
            commit == self.commit
            and finding.id == self.finding_id
            and (self.path is None or finding.path == self.path)
            and (self.line is None or finding.line == self.line)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "finding": self.finding_id,
            "commit": self.commit,
            "path": self.path,
            "line": self.line,
            "reason": self.reason,
            "by": self.by,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Waiver:
        line = raw.get("line")
        waiver = cls(
            finding_id=str(raw["finding"]),
            commit=str(raw["commit"]),
            reason=str(raw["reason"])[:MAX_REASON],
            by=str(raw["by"]),
            path=str(raw["path"]) if raw.get("path") else None,
            line=int(line) if isinstance(line, int) and not isinstance(line, bool) else None,
        )
        if not SHA.match(waiver.commit) or not COMMAND.match(f"/waive {waiver.finding_id} x"):
            raise WaiverError(f"豁免记录无效 / invalid waiver record: {dict(raw)!r}"[:300])
        return waiver


def parse_command(body: str, *, commit: str, by: str) -> Waiver:
    """The waiver a ``/waive`` comment asks for on ``commit``; :class:`WaiverError` when malformed."""
    match = COMMAND.match(body.strip())
    if match is None:
        raise WaiverError("格式：/waive WXR-XXXX[@路径[:行]] 理由 / format: /waive WXR-XXXX[@path[:line]] reason")
    if not SHA.match(commit):
        raise WaiverError("没有可豁免的审核 / there is no review to waive a finding of")
    line = match.group("line")
    return Waiver(
        finding_id=match.group("id"),
        commit=commit,
        reason=" ".join(match.group("reason").split())[:MAX_REASON],
        by=by,
        path=match.group("path"),
        line=int(line) if line else None,
    )


def from_record(record: Mapping[str, Any] | None) -> tuple[Waiver, ...]:
    """The waivers kept in a (bot-written) review record; malformed ones are dropped."""
    found: list[Waiver] = []
    raw = record.get("waivers") if record else None
    for item in raw if isinstance(raw, list) else []:
        try:
            found.append(Waiver.from_dict(item))
        except (WaiverError, KeyError, TypeError, ValueError, AttributeError):
            continue
    return tuple(found)


def merge(*groups: Iterable[Waiver]) -> tuple[Waiver, ...]:
    """One waiver per (finding, commit, path, line); a later one replaces the reason of an earlier one."""
    merged: dict[tuple[str, str, str | None, int | None], Waiver] = {}
    for group in groups:
        for waiver in group:
            merged[(waiver.finding_id, waiver.commit, waiver.path, waiver.line)] = waiver
    return tuple(sorted(merged.values(), key=lambda w: (w.finding_id, w.path or "", w.line or 0)))


def apply(
    findings: Sequence[Finding], waivers: Sequence[Waiver], commit: str | None
) -> tuple[list[Finding], tuple[Waiver, ...]]:
    """Findings with the waived ones turned into marked ``info``, and the waivers that matched something."""
    used: list[Waiver] = []
    out: list[Finding] = []
    for finding in findings:
        waiver = next((w for w in waivers if w.covers(finding, commit)), None)
        if waiver is None:
            out.append(finding)
            continue
        if waiver not in used:
            used.append(waiver)
        out.append(
            replace(
                finding,
                severity=Severity.INFO,
                message_zh=f"[已由 {waiver.by} 豁免：{waiver.reason}] {finding.message_zh}",
                message_en=f"[waived by {waiver.by}: {waiver.reason}] {finding.message_en}",
            )
        )
    return out, tuple(sorted(used, key=lambda w: (w.finding_id, w.path or "", w.line or 0)))
