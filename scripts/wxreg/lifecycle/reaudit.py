"""Re-audit listed plugins: today's rules and today's advisories on each plugin's pinned commit.

``scan`` (read-only) reviews every listed plugin at its pinned release exactly as a submission of that
version would be reviewed (the same form body, the same engine, ``expected_commit`` = the pin), and keeps
the error findings. ``report`` (the only writer) opens ONE advisory issue per plugin, or edits it when
new problems appear, and proposes a revocation PR for the pinned version through ``wxreg revoke``'s code.
It never revokes by itself: a maintainer merges (or closes) that PR.

A check that could not run (the audit service down, a crashed scanner, an unreadable repository) is
reported in the job summary and fails the run; it is never an advisory and never a pass.
A second run with nothing new writes nothing: the advisory issue carries the problems it reported in a
record the bot wrote, and only problems missing from it count as new.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from wxreg.forge import labels
from wxreg.forge.interface import Forge, ForgeError, Issue
from wxreg.lifecycle.previous import listed_request
from wxreg.models import PluginEntry
from wxreg.review.compare import hidden_json
from wxreg.review.engine import ReviewOptions, review
from wxreg.review.report import code_span, neutralise
from wxreg.review.source import SourceError
from wxreg.revocations import Revocation

ADVISORY_LABEL = labels.ADVISORY
RECORD_OPEN = "<!-- wxreg-advisory "
RECORD_CLOSE = " -->"
_RECORD = re.compile(re.escape(RECORD_OPEN) + r"(\{.*?\})" + re.escape(RECORD_CLOSE), re.DOTALL)
UNKNOWN_IDS = frozenset({"WXR-D005", "WXR-X001"})
"""Findings that mean "could not check" (audit service failed, a check crashed): never an advisory."""
BLOCKING_CHECKS = frozenset({"dependencies", "security", "source"})
"""Problems found by these checks propose a ``block`` revocation; others a ``warn``."""
ADVISORY_URL = "https://osv.dev/vulnerability/"


@dataclass(frozen=True)
class Problem:
    key: str
    """Stable across runs: finding id, path and English message."""
    id: str
    check: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"key": self.key, "id": self.id, "check": self.check, "message": self.message}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Problem:
        return cls(str(data["key"]), str(data["id"]), str(data["check"]), str(data["message"]))


@dataclass(frozen=True)
class Audit:
    plugin_id: str
    version: str
    commit: str
    problems: tuple[Problem, ...] = ()
    unknown: tuple[str, ...] = ()
    """Why part of the audit could not be done (bilingual)."""

    def to_dict(self) -> dict[str, Any]:
        return {"plugin_id": self.plugin_id, "version": self.version, "commit": self.commit,
                "problems": [p.to_dict() for p in self.problems], "unknown": list(self.unknown)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Audit:
        return cls(str(data["plugin_id"]), str(data["version"]), str(data["commit"]),
                   tuple(Problem.from_dict(p) for p in data.get("problems") or []),
                   tuple(str(x) for x in data.get("unknown") or []))


def audit_entry(entry: PluginEntry, options: ReviewOptions) -> Audit:
    """Review ``entry``'s pinned release as a submission of that version; its error findings."""
    version, commit = entry.versions.latest, entry.release.commit
    try:
        result = review(listed_request(entry), options)
    except SourceError as exc:
        return Audit(entry.plugin_id, version, commit, unknown=(exc.finding.message,))
    problems: list[Problem] = []
    unknown: list[str] = []
    for finding in result.findings:
        if finding.severity != "error":
            continue
        if finding.id in UNKNOWN_IDS:
            unknown.append(finding.message)
            continue
        key = f"{finding.id} {finding.path or ''} {finding.message_en}".strip()
        problems.append(Problem(key, finding.id, finding.check, finding.message))
    unique = {p.key: p for p in problems}
    return Audit(entry.plugin_id, version, commit, tuple(unique[k] for k in sorted(unique)), tuple(unknown))


def scan(entries: Iterable[PluginEntry], options: ReviewOptions) -> list[Audit]:
    return [audit_entry(entry, options) for entry in sorted(entries, key=lambda e: e.plugin_id)]


def parse_advisory_record(body: str) -> dict[str, Any] | None:
    return hidden_json(_RECORD, body)


def _encode(data: Mapping[str, Any]) -> str:
    text = json.dumps(dict(data), ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def advisory_title(plugin_id: str) -> str:
    return f"[安全公告 / Advisory] {plugin_id}"


def advisory_body(audit: Audit, problems: Iterable[Problem], revocation_url: str | None) -> str:
    listed = sorted(problems, key=lambda p: p.key)
    lines = [
        f"## 已上架插件的新问题 / New problems in a listed plugin: {code_span(audit.plugin_id, 80)}",
        "",
        f"定期复审在已固定的版本 {code_span(audit.version, 40)}（提交 `{audit.commit}`）上发现了下列问题。"
        "机器人不会自行撤销：维护者审阅后合并（或关闭）撤销 PR。",
        "",
        f"The scheduled re-audit found these problems in the pinned version {code_span(audit.version, 40)} "
        f"(commit `{audit.commit}`). The bot never revokes by itself: a maintainer reviews, then merges (or closes) "
        f"the revocation PR.",
        "",
        *(f"- **{p.id}** `{p.check}` {neutralise(p.message, 400)}" for p in listed),
        "",
        f"撤销 PR / Revocation PR: {revocation_url or '—'}",
        "",
        RECORD_OPEN + _encode({"plugin_id": audit.plugin_id, "version": audit.version, "commit": audit.commit,
                               "problems": [p.key for p in listed], "revocation": revocation_url}) + RECORD_CLOSE,
    ]
    return "\n".join(lines)


def proposed_revocation(audit: Audit, problems: Iterable[Problem], now: str) -> Revocation:
    items = list(problems)
    severity = "block" if any(p.check in BLOCKING_CHECKS for p in items) else "warn"
    pattern = re.compile(r"\b(GHSA|PYSEC|CVE|OSV)-[0-9A-Za-z-]+")
    vuln = next((m.group(0) for p in items if (m := pattern.search(p.message))), None)
    advisory = ADVISORY_URL + vuln if vuln else ADVISORY_URL
    ids = ", ".join(sorted({p.id for p in items}))
    return Revocation(audit.plugin_id, (audit.version,), severity,
                      f"定期复审发现新问题（{ids}），见公告 issue",
                      f"the scheduled re-audit found new problems ({ids}); see the advisory issue", advisory, now)


@dataclass(frozen=True)
class Reported:
    plugin_id: str
    action: str
    """``opened``, ``updated``, ``unchanged`` or ``clean``."""
    issue: int | None = None
    revocation: str | None = None


Propose = Callable[[Revocation], str]
"""Opens (or updates) the revocation PR and returns its URL (``wxreg.revocations.revoke_pull``)."""


def advisory_issues(forge: Forge) -> dict[str, Issue]:
    """plugin id -> the bot's open advisory issue (a forged marker in someone else's issue is ignored)."""
    found: dict[str, Issue] = {}
    for issue in sorted(forge.issues_with_label(ADVISORY_LABEL, "open"), key=lambda i: i.number):
        record = parse_advisory_record(issue.body)
        if record and issue.user == forge.bot_login and isinstance(record.get("plugin_id"), str):
            found.setdefault(record["plugin_id"], issue)
    return found


def report(audits: Iterable[Audit], forge: Forge, propose: Propose, now: str) -> list[Reported]:
    audits = [a for a in audits if a.problems]
    if not audits:
        return []
    existing = advisory_issues(forge)
    done: list[Reported] = []
    for audit in audits:
        issue = existing.get(audit.plugin_id)
        record = parse_advisory_record(issue.body) if issue is not None else None
        known = set(record.get("problems") or []) if record and record.get("commit") == audit.commit else set()
        new = [p for p in audit.problems if p.key not in known]
        if issue is not None and not new:
            done.append(Reported(audit.plugin_id, "unchanged", issue.number,
                                 str(record.get("revocation")) if record else None))
            continue
        url = propose(proposed_revocation(audit, audit.problems, now))
        body = advisory_body(audit, audit.problems, url)
        if issue is None:
            created = forge.create_issue(advisory_title(audit.plugin_id), body, [ADVISORY_LABEL])
            done.append(Reported(audit.plugin_id, "opened", created.number, url))
        else:
            forge.edit_issue(issue.number, body=body)
            done.append(Reported(audit.plugin_id, "updated", issue.number, url))
    return done


def revoke_through(forge: Forge, base_branch: str) -> Propose:
    from wxreg.revocations import revoke_pull

    def propose(revocation: Revocation) -> str:
        try:
            return revoke_pull(forge, base_branch, revocation)
        except ForgeError as exc:
            raise RuntimeError(f"revocation PR for {revocation.plugin_id}: HTTP {exc.status}") from exc

    return propose
