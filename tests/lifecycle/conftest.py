"""The approval tests' registry world on the GitHub stand-in (``tests.support.approval``), plus listing helpers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.approval import World, make_world
from wxreg.models import PluginEntry
from wxreg.store import RegistryStore
from wxsandbox.osv import OsvStandIn


@pytest.fixture(scope="session")
def osv() -> Iterator[OsvStandIn]:
    with OsvStandIn() as stand_in:
        yield stand_in


@pytest.fixture
def life(tmp_path: Path, osv: OsvStandIn) -> Iterator[World]:
    """Reviews run every check but the scanners (the facts an update is compared on come from those);
    ``test_reaudit.py`` audits with every check, pip-audit included."""
    osv.reset()
    built, gh = make_world(tmp_path, osv, scanners=False)
    try:
        yield built
    finally:
        gh.stop()
        osv.reset()


def list_plugin(world: Any, plugin_id: str = "daily_quote_reply", owner: str = "alice") -> PluginEntry:
    """Submit, review, approve and merge ``plugin_id`` 1.0.0 the ordinary way; the entry on main."""
    url = world.plugin(plugin_id, owner=owner)
    number = world.submit(owner, url, plugin_id)
    outcome = world.review(number)
    assert outcome.result is not None and outcome.result.passed, outcome
    opened = world.label(number, "approved")
    assert opened.pull is not None, opened
    world.merge(opened.pull.number)
    entry = RegistryStore(world.checkout).get(plugin_id)
    assert entry is not None
    return entry
