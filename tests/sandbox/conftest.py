"""Fixtures shared by the GitHub stand-in tests."""

from __future__ import annotations

import pytest

from wxsandbox.github.testing import RecordingSink


@pytest.fixture
def sink() -> RecordingSink:
    """Every event the stand-in delivers, in order."""
    return RecordingSink()
