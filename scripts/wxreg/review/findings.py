"""What a review says: findings with a stable id, and the rules that make them.

A :class:`Rule` is the catalogue entry (id, check, default severity, bilingual message template, fix
hint); a :class:`Finding` is one occurrence of a rule at a path and line. Ids never change meaning
once released: the rubric and authors' bookmarks refer to them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


RULE_ID = re.compile(r"^WXR-[A-Z][0-9]{3}$")


@dataclass(frozen=True)
class Finding:
    id: str
    severity: Severity
    check: str
    message_zh: str
    message_en: str
    fix: str
    path: str | None = None
    line: int | None = None

    @property
    def message(self) -> str:
        """Simplified Chinese first, then English."""
        return f"{self.message_zh} / {self.message_en}"

    def sort_key(self) -> tuple[int, str, str, int, str]:
        return (self.severity.rank, self.id, self.path or "", self.line or 0, self.message_en)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": self.severity.value,
            "check": self.check,
            "path": self.path,
            "line": self.line,
            "message": self.message,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "fix": self.fix,
        }


class _SafeDict(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class Rule:
    id: str
    check: str
    severity: Severity
    zh: str
    en: str
    fix: str

    def __post_init__(self) -> None:
        if not RULE_ID.match(self.id):
            raise ValueError(f"bad rule id {self.id!r}")

    def at(
        self, path: str | None = None, line: int | None = None, *, severity: Severity | None = None, **values: Any
    ) -> Finding:
        """One occurrence; ``values`` fill the ``{name}`` placeholders of the message and fix."""
        fill = _SafeDict({key: _short(value) for key, value in values.items()})
        fill.setdefault("path", path or "")
        return Finding(
            id=self.id,
            severity=severity or self.severity,
            check=self.check,
            message_zh=self.zh.format_map(fill),
            message_en=self.en.format_map(fill),
            fix=self.fix.format_map(fill),
            path=path,
            line=line,
        )


def _short(value: Any, limit: int = 300) -> str:
    """A value as shown in a finding, cut at ``limit`` characters (the manifest's 14 permissions, listed as the
    values a field allows, take 251)."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
