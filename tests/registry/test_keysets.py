"""No valid entry can be dropped by the WXAUTO-MGT client: every nested key set equals the client's.

The client's key sets are stated here independently of our schema and models, transcribed from
SECURITY.md §3.1 (which was checked against the client's source at commit c363b2e0).
"""

from __future__ import annotations

import json
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

import pytest

from wxreg import models
from wxreg.build import render_json
from wxreg.schema import registry_schema

EXAMPLE_ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "registry-example"

# (required keys, optional keys) per nested object, as the client builds them with Dataclass(**dict).
CLIENT_KEY_SETS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "author": (frozenset({"name", "github", "email"}), frozenset({"website"})),
    "versions": (frozenset({"latest", "stable", "minimum_supported"}), frozenset()),
    "compatibility": (frozenset({"min_wxauto_version"}),
                      frozenset({"max_wxauto_version", "python_version", "supported_os"})),
    "repository_location": (frozenset({"url", "api_url", "releases_url"}), frozenset()),
    "stats": (frozenset(), frozenset({"downloads", "stars", "forks", "rating", "rating_count"})),
    "review": (frozenset({"reviewer", "review_date", "security_score", "quality_score", "comments"}), frozenset()),
}
SCHEMA_DEFINITION = {name: name for name in CLIENT_KEY_SETS}
MODEL_CLASS: dict[str, Any] = {
    "author": models.Author, "versions": models.Versions, "compatibility": models.Compatibility,
    "repository_location": models.RepositoryLocation, "stats": models.Stats, "review": models.Review,
}


@pytest.mark.parametrize("name", sorted(CLIENT_KEY_SETS))
def test_schema_key_set_equals_the_clients(name: str) -> None:
    required, optional = CLIENT_KEY_SETS[name]
    definition = registry_schema().document["$defs"][SCHEMA_DEFINITION[name]]
    assert definition["additionalProperties"] is False
    assert set(definition["properties"]) == required | optional
    assert set(definition["required"]) == required


@pytest.mark.parametrize("name", sorted(CLIENT_KEY_SETS))
def test_model_key_set_equals_the_clients(name: str) -> None:
    required, optional = CLIENT_KEY_SETS[name]
    assert set(MODEL_CLASS[name].KEYS) == required | optional
    declared = {field.name: field.default is MISSING for field in fields(MODEL_CLASS[name])}
    assert {key for key, needed in declared.items() if needed} == required


def test_registry_only_data_sits_at_the_top_level_of_an_entry() -> None:
    # The client ignores unknown top-level keys, so this is the only safe place for new data.
    entry = registry_schema().document["$defs"]["plugin_entry"]["properties"]
    for key in ("release", "submission"):
        assert key in entry
    assert "prerelease" not in entry  # pre-releases are not listed (the shipped client refuses to install one)
    nested = [registry_schema().document["$defs"][name]["properties"] for name in CLIENT_KEY_SETS]
    assert not any({"release", "submission", "digest", "commit"} & set(props) for props in nested)


# A clean-room model of the client's parse, built from CLIENT_KEY_SETS: Dataclass(**dict) semantics.
def _client_build(name: str, data: Any) -> None:
    required, optional = CLIENT_KEY_SETS[name]
    if not isinstance(data, dict):
        raise TypeError(f"{name}: not a mapping")
    missing, unknown = required - set(data), set(data) - required - optional
    if missing or unknown:
        raise TypeError(f"{name}: missing {sorted(missing)}, unexpected {sorted(unknown)}")


def client_keeps(entry: dict[str, Any]) -> bool:
    """Whether the client would keep ``entry`` (False where it silently drops it)."""
    try:
        entry["plugin_id"], entry["name"]  # a KeyError here is the client dropping the entry
        _client_build("author", entry.get("author", {}))
        for key, location in entry.get("repository", {}).items():
            if key != "type" and isinstance(location, dict):
                _client_build("repository_location", location)
        _client_build("versions", entry.get("versions", {}))
        _client_build("compatibility", entry.get("compatibility", {}))
        if entry.get("stats"):
            _client_build("stats", entry["stats"])
        if entry.get("review"):
            _client_build("review", entry["review"])
    except (TypeError, KeyError):
        return False
    return True


def test_client_keeps_every_entry_of_the_example_registry() -> None:
    document = json.loads((EXAMPLE_ROOT / "registry" / "registry.json").read_text(encoding="utf-8"))
    assert document["plugins"], "the example must list plugins"
    assert all(client_keeps(entry) for entry in document["plugins"])
    for category in document["categories"]:
        assert {"id", "name"} <= set(category)


def test_client_model_drops_an_entry_with_an_unknown_nested_key() -> None:
    # Guard the guard: the clean-room model must really drop what the client drops.
    document = json.loads((EXAMPLE_ROOT / "registry" / "registry.json").read_text(encoding="utf-8"))
    entry = json.loads(render_json(document["plugins"][0]))
    entry["versions"]["beta"] = "1.3.0"
    assert not client_keeps(entry)
    del entry["versions"]["beta"]
    del entry["author"]["email"]
    assert not client_keeps(entry)


def test_schema_examples_are_kept_by_the_client() -> None:
    for example in registry_schema().document["examples"]:
        assert all(client_keeps(entry) for entry in example["plugins"])
