"""Apply one plugin's change to a copy of main with the store, and say which files it touched.

The store validates every change (schema, tombstones, rebuild of ``registry.json``) before writing;
the whole registry is validated again afterwards, so a PR never carries an invalid registry.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from wxreg.errors import RegistryError
from wxreg.models import PluginEntry, Tombstone
from wxreg.store import RegistryStore
from wxreg.validate import PLUGINS_DIR, REGISTRY_FILE, REMOVED_FILE, validate_registry


def plugin_file(plugin_id: str) -> str:
    return f"{PLUGINS_DIR}/{plugin_id}.json"


def _validated(root: Path) -> None:
    problems = validate_registry(root)
    if problems:
        raise RegistryError(problems)


def apply_upsert(root: Path, entry: PluginEntry) -> dict[str, bytes | None]:
    """Write ``entry`` below ``root`` and rebuild; the changed files (``RegistryError`` when invalid)."""
    store = RegistryStore(root)
    path = store.upsert(entry)
    _validated(root)
    return {plugin_file(entry.plugin_id): path.read_bytes(), REGISTRY_FILE: store.registry_path.read_bytes()}


def apply_removal(root: Path, stone: Tombstone) -> dict[str, bytes | None]:
    """Tombstone ``stone.plugin_id`` below ``root``: its file deleted, ``removed.json`` and the index rebuilt.

    A removal PR rebuilt after newer entries were merged keeps its place in time: its date moves up to
    the registry's ``last_updated`` (the store refuses a removal that would move it backwards)."""
    store = RegistryStore(root)
    listed = store.plugin_path(stone.plugin_id).exists()
    newest = json.loads(store.registry_path.read_bytes()).get("last_updated")
    if isinstance(newest, str) and newest > stone.date:
        stone = replace(stone, date=newest)
    store.remove(stone.plugin_id, stone.reason, stone.severity, stone.date)
    _validated(root)
    files: dict[str, bytes | None] = {
        REMOVED_FILE: (root / REMOVED_FILE).read_bytes(),
        REGISTRY_FILE: store.registry_path.read_bytes(),
    }
    if listed:
        files[plugin_file(stone.plugin_id)] = None
    return files
