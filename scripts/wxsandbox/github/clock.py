"""Clocks for the stand-in: timestamps in bodies and in the commits it writes come from one of these."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Wall-clock UTC, truncated to whole seconds as GitHub's timestamps are."""
    return datetime.now(UTC).replace(microsecond=0)


class StepClock:
    """A deterministic clock: starts at ``start`` and advances ``step`` on every reading."""

    def __init__(self, start: datetime | None = None, step: timedelta = timedelta(seconds=1)) -> None:
        self._now = (start or datetime(2026, 1, 1, tzinfo=UTC)).astimezone(UTC).replace(microsecond=0)
        self._step = step
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            now = self._now
            self._now = now + self._step
            return now


def iso(moment: datetime | None) -> str | None:
    """GitHub's timestamp format: ``2026-01-01T00:00:00Z``."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
