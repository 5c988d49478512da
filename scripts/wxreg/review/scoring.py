"""Scores out of 100 from the policy's deductions: deterministic, order-independent, explained."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from wxreg.review.findings import Finding, Severity
from wxreg.review.policy import ReviewPolicy


@dataclass(frozen=True)
class Scores:
    security: int
    quality: int
    passed: bool
    errors: int
    warnings: int
    infos: int


def deduction(finding: Finding, policy: ReviewPolicy) -> tuple[str, int]:
    """``(axis, points)`` one occurrence of ``finding`` costs."""
    axis = policy.axis(finding.check)
    table = policy.deductions.get(axis, policy.deductions["quality"])
    return axis, table.get(finding.severity, 0)


def score(findings: Iterable[Finding], policy: ReviewPolicy) -> Scores:
    """Each finding deducts its axis' points for its severity; one finding id deducts at most
    ``max_deducted_per_finding_id`` times (forty copies of one warning are one problem, not forty)."""
    totals = {"security": 0, "quality": 0}
    per_id: Counter[str] = Counter()
    counts: Counter[Severity] = Counter()
    for finding in sorted(findings, key=Finding.sort_key):
        counts[finding.severity] += 1
        per_id[finding.id] += 1
        if per_id[finding.id] > policy.max_deducted_per_finding_id:
            continue
        axis, points = deduction(finding, policy)
        totals[axis if axis in totals else "quality"] += points
    security = max(0, 100 - totals["security"])
    quality = max(0, 100 - totals["quality"])
    errors = counts[Severity.ERROR]
    passed = security >= policy.security_threshold and quality >= policy.quality_threshold
    if policy.errors_fail_review and errors:
        passed = False
    return Scores(security, quality, passed, errors, counts[Severity.WARNING], counts[Severity.INFO])
