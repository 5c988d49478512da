"""Fixtures of the approval tests: a registry on the GitHub stand-in (``tests.support.approval``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.approval import World, make_world

from wxsandbox.osv import OsvStandIn


@pytest.fixture(scope="session")
def osv() -> Iterator[OsvStandIn]:
    with OsvStandIn() as stand_in:
        yield stand_in


@pytest.fixture
def world(tmp_path: Path, osv: OsvStandIn) -> Iterator[World]:
    """Reviews run every check but the scanners: what approval trusts and re-checks (identity, ownership,
    claims, the manifest) comes from those; the scanners' findings are the review tests' business, and
    ``test_workflows_e2e.py`` runs the whole review before an approval."""
    built, gh = make_world(tmp_path, osv, scanners=False)
    try:
        yield built
    finally:
        gh.stop()


@pytest.fixture
def fast_world(tmp_path: Path, osv: OsvStandIn) -> Iterator[World]:
    """The same world with a review that runs no checks (scores only): for many approvals at once."""
    built, gh = make_world(tmp_path, osv, fast_review=True)
    try:
        yield built
    finally:
        gh.stop()
