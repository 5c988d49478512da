"""Helpers of the review tests: the ``review_plugin`` fixture's type and finding ids of a result."""

from __future__ import annotations

from collections.abc import Callable

from wxreg.review.engine import ReviewResult

ReviewFn = Callable[..., ReviewResult]
"""``review_plugin(files, *, tag=..., ...)``: build a plugin repository and review it (tests/review/conftest.py)."""


def ids(result: ReviewResult) -> set[str]:
    return {f.id for f in result.findings}
