"""Store operations later issues call: upsert, remove with a tombstone, atomic writes, all-or-nothing."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from wxreg.errors import RegistryError
from wxreg.models import Release
from wxreg.store import RegistryStore, atomic_write
from wxreg.validate import validate_registry


def _files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_load_entries_sorted_and_typed(example_root: Path) -> None:
    entries = RegistryStore(example_root).load_entries()
    assert [entry.plugin_id for entry in entries] == ["group_welcome", "smart_customer_service", "weather_query"]
    assert entries[1].release.tag == "v1.2.0"


def test_upsert_new_version_rebuilds_a_valid_registry(example_root: Path) -> None:
    store = RegistryStore(example_root)
    entry = store.get("weather_query")
    assert entry is not None
    updated = dataclasses.replace(
        entry,
        versions=dataclasses.replace(entry.versions, latest="0.4.0", stable="0.4.0"),
        release=Release("v0.4.0", "1" * 40, entry.release.digest),
        updated_at="2026-04-01T00:00:00Z",
    )
    store.upsert(updated)
    assert validate_registry(example_root) == []
    document = json.loads(store.registry_path.read_bytes())
    listed = {item["plugin_id"]: item for item in document["plugins"]}
    assert listed["weather_query"]["versions"]["latest"] == "0.4.0"
    assert document["last_updated"] == "2026-04-01T00:00:00Z"


def test_upsert_adds_a_new_plugin(example_root: Path) -> None:
    store = RegistryStore(example_root)
    entry = store.get("weather_query")
    assert entry is not None
    store.upsert(dataclasses.replace(entry, plugin_id="weather_query_pro", name="天气查询专业版"))
    assert (example_root / "registry" / "plugins" / "weather_query_pro.json").is_file()
    assert validate_registry(example_root) == []
    assert len(store.load_entries()) == 4


def test_upsert_refuses_invalid_entry_and_writes_nothing(example_root: Path) -> None:
    store = RegistryStore(example_root)
    entry = store.get("weather_query")
    assert entry is not None
    before = _files(example_root)
    bad = dataclasses.replace(entry, versions=dataclasses.replace(entry.versions, stable="9.0.0"))
    with pytest.raises(RegistryError) as caught:
        store.upsert(bad)
    assert ("registry/plugins/weather_query.json", "/versions/stable") in {
        (problem.file, problem.pointer) for problem in caught.value.problems
    }
    assert _files(example_root) == before


def test_upsert_refuses_a_tombstoned_id_even_with_dashes_or_case(example_root: Path) -> None:
    store = RegistryStore(example_root)
    entry = store.get("weather_query")
    assert entry is not None
    before = _files(example_root)
    with pytest.raises(RegistryError, match="can never be listed again"):
        store.upsert(dataclasses.replace(entry, plugin_id="free_vip_unlocker"))
    assert _files(example_root) == before


def test_remove_writes_tombstone_deletes_file_and_rebuilds(example_root: Path) -> None:
    store = RegistryStore(example_root)
    name = json.loads((example_root / "registry" / "plugins" / "weather_query.json").read_text("utf-8"))["name"]
    stone = store.remove("weather_query", "接口停止服务 / the API shut down", "removed", "2026-04-02T00:00:00Z")
    # The name is kept so the review refuses look-alike names of the removed plugin, not only its id.
    assert (stone.plugin_id, stone.name) == ("weather_query", name)
    assert not store.plugin_path("weather_query").exists()
    removed = json.loads((example_root / "registry" / "removed.json").read_text(encoding="utf-8"))
    assert [item["plugin_id"] for item in removed] == ["free_vip_unlocker", "weather_query"]
    assert removed[1]["name"] == name
    document = json.loads(store.registry_path.read_bytes())
    assert "weather_query" not in {item["plugin_id"] for item in document["plugins"]}
    assert validate_registry(example_root) == []
    with pytest.raises(RegistryError):
        store.remove("weather-query", "again", "removed", "2026-04-03T00:00:00Z")


def test_remove_rejects_unknown_severity_and_bad_date(example_root: Path) -> None:
    store = RegistryStore(example_root)
    before = _files(example_root)
    with pytest.raises(ValueError, match="severity"):
        store.remove("weather_query", "x", "urgent", "2026-04-02T00:00:00Z")
    with pytest.raises(RegistryError):
        store.remove("weather_query", "x", "removed", "yesterday")
    assert _files(example_root) == before


def test_build_raises_with_problems_on_invalid_sources(example_root: Path) -> None:
    (example_root / "registry" / "plugins" / "weather_query.json").write_text("{}", encoding="utf-8")
    with pytest.raises(RegistryError) as caught:
        RegistryStore(example_root).build()
    assert any(problem.pointer == "/plugin_id" for problem in caught.value.problems)


def test_atomic_write_replaces_whole_file_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_bytes(b"old")
    atomic_write(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert [path.name for path in tmp_path.iterdir()] == ["out.json"]


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.json"
    target.write_bytes(b"old")

    def fail(_fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("os.fsync", fail)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert [path.name for path in tmp_path.iterdir()] == ["out.json"]


def test_review_policy_file_is_ignored(example_root: Path) -> None:
    (example_root / "registry" / "review-policy.json").write_text('{"anything": "goes"}', encoding="utf-8")
    assert validate_registry(example_root) == []


def test_remove_refuses_a_date_that_would_move_last_updated_backwards(example_root: Path) -> None:
    store = RegistryStore(example_root)
    before = _files(example_root)
    with pytest.raises(RegistryError, match="backwards"):
        store.remove("smart_customer_service", "x", "removed", "2026-01-01T00:00:00Z")
    assert _files(example_root) == before


@pytest.mark.parametrize("plugin_id", ["../config", "a/b", "", ".hidden", "x" * 65])
def test_ids_that_could_name_another_path_are_refused(example_root: Path, plugin_id: str) -> None:
    store = RegistryStore(example_root)
    before = _files(example_root)
    with pytest.raises((ValueError, RegistryError)):
        store.get(plugin_id)
    with pytest.raises((ValueError, RegistryError)):
        store.remove(plugin_id, "x", "removed", "2026-04-02T00:00:00Z")
    assert _files(example_root) == before
