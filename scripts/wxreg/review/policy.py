"""The review policy: ``registry/review-policy.json`` (weights, thresholds, limits, rubric version)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wxreg.paths import DEFAULT_POLICY_PATH, REPO_ROOT  # the checkout, or the data an installed wheel carries
from wxreg.review.findings import Severity

FORM_PATH = REPO_ROOT / ".github" / "ISSUE_TEMPLATE" / "plugin-submission.yml"


class PolicyError(ValueError):
    """The policy file is missing or malformed: the review cannot run."""


@dataclass(frozen=True)
class Limits:
    max_files: int = 2000
    max_file_bytes: int = 2_000_000
    max_total_bytes: int = 20_000_000
    git_timeout_seconds: float = 60.0
    scanner_timeout_seconds: float = 120.0


@dataclass(frozen=True)
class ReviewPolicy:
    rubric_version: str
    security_threshold: int
    quality_threshold: int
    errors_fail_review: bool
    deductions: dict[str, dict[Severity, int]]
    max_deducted_per_finding_id: int
    axes: dict[str, str]
    limits: Limits
    allowed_url_prefixes: tuple[str, ...]
    """Where a plugin's primary repository may live (GitHub by default)."""
    mirror_url_prefixes: tuple[str, ...]
    """Where its optional mirror may live (Gitee by default)."""
    reserved_tokens: tuple[str, ...]
    reserved_ids: tuple[str, ...]
    max_edit_distance: int
    base64_blob_min_chars: int
    guarddog: bool = False
    """Also run GuardDog (``engines.guarddog``): off by default. On our adversarial corpus it added no
    detection to the review's own analysis and it costs a second interpreter (≈0.4 s CPU) per review; a
    registry that wants it as defence in depth turns it on."""
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    def axis(self, check: str) -> str:
        return self.axes.get(check, "quality")

    def with_extra_url_prefixes(self, extra: tuple[str, ...]) -> ReviewPolicy:
        """The same policy, also allowing ``extra`` URL prefixes (a local stand-in, a self-hosted forge)."""
        from dataclasses import replace

        return replace(
            self,
            allowed_url_prefixes=self.allowed_url_prefixes + tuple(extra),
            mirror_url_prefixes=self.mirror_url_prefixes + tuple(extra),
        )


def _flag(table: Any, name: str) -> bool:
    """A true/false switch of the policy: anything but a JSON boolean is an invalid policy, not a guess."""
    if not isinstance(table, dict):
        raise TypeError("engines must be an object")
    value = table.get(name, False)
    if not isinstance(value, bool):
        raise TypeError(f"engines.{name} must be true or false")
    return value


def load_policy(path: Path = DEFAULT_POLICY_PATH) -> ReviewPolicy:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        limits = raw.get("limits", {})
        deductions = {
            axis: {Severity(sev): int(points) for sev, points in table.items()}
            for axis, table in raw["deductions"].items()
        }
        for axis in ("security", "quality"):
            if axis not in deductions:
                raise KeyError(f"deductions.{axis}")
        identity = raw.get("identity", {})
        return ReviewPolicy(
            rubric_version=str(raw["rubric_version"]),
            security_threshold=int(raw["thresholds"]["security"]),
            quality_threshold=int(raw["thresholds"]["quality"]),
            errors_fail_review=bool(raw.get("errors_fail_review", True)),
            deductions=deductions,
            max_deducted_per_finding_id=int(raw.get("max_deducted_per_finding_id", 3)),
            axes={str(k): str(v) for k, v in raw.get("axes", {}).items()},
            limits=Limits(
                max_files=int(limits.get("max_files", Limits.max_files)),
                max_file_bytes=int(limits.get("max_file_bytes", Limits.max_file_bytes)),
                max_total_bytes=int(limits.get("max_total_bytes", Limits.max_total_bytes)),
                git_timeout_seconds=float(limits.get("git_timeout_seconds", Limits.git_timeout_seconds)),
                scanner_timeout_seconds=float(limits.get("scanner_timeout_seconds", Limits.scanner_timeout_seconds)),
            ),
            allowed_url_prefixes=tuple(raw.get("sources", {}).get("allowed_url_prefixes", ["https://github.com/"])),
            mirror_url_prefixes=tuple(raw.get("sources", {}).get("mirror_url_prefixes", ["https://gitee.com/"])),
            reserved_tokens=tuple(identity.get("reserved_tokens", [])),
            reserved_ids=tuple(identity.get("reserved_ids", [])),
            max_edit_distance=int(identity.get("max_edit_distance", 1)),
            base64_blob_min_chars=int(raw.get("security", {}).get("base64_blob_min_chars", 200)),
            guarddog=_flag(raw.get("engines", {}), "guarddog"),
            raw=raw,
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PolicyError(f"审核策略文件无效 / review policy is invalid: {path}: {exc}") from exc
