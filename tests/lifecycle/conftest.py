"""The approval tests' registry world on the GitHub stand-in (reused, not copied), plus listing helpers."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_APPROVAL = Path(__file__).resolve().parents[1] / "approval" / "conftest.py"
_spec = importlib.util.spec_from_file_location("approval_world", _APPROVAL)
assert _spec is not None and _spec.loader is not None
approval_world: Any = importlib.util.module_from_spec(_spec)
sys.modules["approval_world"] = approval_world
_spec.loader.exec_module(approval_world)

from wxreg.models import PluginEntry  # noqa: E402
from wxreg.store import RegistryStore  # noqa: E402

OsvStub = approval_world.OsvStub


@pytest.fixture(scope="session")
def osv_stub() -> Iterator[Any]:
    stub = OsvStub().start()
    yield stub
    stub.stop()


@pytest.fixture
def life(tmp_path: Path, osv_stub: Any) -> Iterator[Any]:
    built, gh = approval_world.make_world(tmp_path, osv_stub)
    try:
        yield built
    finally:
        gh.stop()


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
