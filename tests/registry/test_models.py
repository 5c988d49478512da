"""Models round-trip JSON exactly and refuse the shapes the client would drop."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wxreg.build import render_json
from wxreg.errors import ModelError
from wxreg.models import Author, Category, PluginEntry, Stats, Tombstone, normalized_id

EXAMPLE_PLUGINS = Path(__file__).resolve().parents[1] / "fixtures" / "registry-example" / "registry" / "plugins"


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLE_PLUGINS / name).read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("path", sorted(EXAMPLE_PLUGINS.glob("*.json")), ids=lambda path: path.stem)
def test_entries_round_trip_to_the_same_bytes(path: Path) -> None:
    raw = path.read_bytes()
    document = json.loads(raw)
    entry = PluginEntry.from_dict(document)
    assert entry.to_dict() == document
    assert render_json(entry.to_dict()) == raw  # same key order too


def test_unknown_nested_key_is_rejected_with_its_pointer() -> None:
    document = _load("smart_customer_service.json")
    document["repository"]["primary"]["clone_url"] = "x"
    with pytest.raises(ModelError) as caught:
        PluginEntry.from_dict(document)
    assert caught.value.pointer == "/repository/primary/clone_url"


def test_missing_required_nested_key_is_rejected() -> None:
    with pytest.raises(ModelError) as caught:
        Author.from_dict({"name": "a", "github": "b"})
    assert caught.value.pointer == "/author/email"


def test_unknown_top_level_key_is_rejected_by_the_model() -> None:
    document = _load("weather_query.json")
    document["integrity"] = {}
    with pytest.raises(ModelError):
        PluginEntry.from_dict(document)


def test_json_types_are_kept_apart() -> None:
    with pytest.raises(ModelError):
        Stats.from_dict({"downloads": True})
    assert Stats.from_dict({"rating": 4}).to_dict() == {"rating": 4}
    assert Stats.from_dict({"rating": 4.5}).to_dict() == {"rating": 4.5}


def test_absent_optional_keys_stay_absent() -> None:
    document = _load("weather_query.json")
    entry = PluginEntry.from_dict(document)
    assert entry.homepage is None and entry.stats is None and "homepage" not in entry.to_dict()


def test_frozen() -> None:
    entry = PluginEntry.from_dict(_load("weather_query.json"))
    with pytest.raises(AttributeError):
        entry.name = "x"  # type: ignore[misc]


def test_category_and_tombstone_round_trip() -> None:
    category = {"id": "other", "name": "其他", "description": "d", "icon": "📦"}
    assert Category.from_dict(category).to_dict() == category
    stone = {"plugin_id": "a_b", "reason": "r", "severity": "critical", "date": "2026-01-01T00:00:00Z"}
    assert Tombstone.from_dict(stone).to_dict() == stone


def test_normalized_id_treats_dash_underscore_and_case_alike() -> None:
    assert normalized_id("Free-VIP_unlocker") == normalized_id("free_vip_unlocker")
