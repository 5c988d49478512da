"""Every registry we produce loads in the WXAUTO-MGT client's strict parser with nothing dropped."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.compat.strict_client import client_version_tuple, load_registry

ROOT = Path(__file__).resolve().parents[2]
REGISTRIES = {
    "committed": ROOT / "registry" / "registry.json",
    "example": ROOT / "tests" / "fixtures" / "registry-example" / "registry" / "registry.json",
}


def read(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return document


@pytest.mark.parametrize("name", sorted(REGISTRIES))
def test_client_keeps_every_entry(name: str) -> None:
    document = read(REGISTRIES[name])
    kept, dropped = load_registry(document)
    assert dropped == []
    assert sorted(kept) == sorted(entry["plugin_id"] for entry in document["plugins"])


@pytest.mark.parametrize("name", sorted(REGISTRIES))
def test_client_sees_updates_for_every_listed_version(name: str) -> None:
    """The client compares integer tuples; a version it cannot parse hides every update."""
    for entry in read(REGISTRIES[name])["plugins"]:
        for key in ("latest", "stable", "minimum_supported"):
            assert client_version_tuple(entry["versions"][key]) is not None, (entry["plugin_id"], key)


def test_example_registry_is_not_empty() -> None:
    assert len(read(REGISTRIES["example"])["plugins"]) >= 2


@pytest.mark.parametrize(
    "mutation",
    [
        lambda e: e["author"].update(twitter="@x"),
        lambda e: e["author"].pop("email"),
        lambda e: e["versions"].update(prerelease="2.0.0-rc.1"),
        lambda e: e["repository"]["primary"].update(ssh_url="git@x"),
        lambda e: e.pop("versions"),
        lambda e: e.pop("author"),
    ],
)
def test_the_model_is_strict_enough_to_catch_a_dropped_entry(mutation: Any) -> None:
    """Guards the guard: the strict model must drop what the client drops."""
    document = read(REGISTRIES["example"])
    broken = copy.deepcopy(document["plugins"][0])
    mutation(broken)
    _, dropped = load_registry({"plugins": [broken]})
    assert [plugin_id for plugin_id, _ in dropped] == [broken["plugin_id"]]
