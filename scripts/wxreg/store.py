"""The registry's files as a library: read entries, upsert one, remove one with a tombstone, rebuild.

Every write goes to a temporary file in the same directory and is moved into place with
``os.replace``, so a reader (or a crash) never sees a half-written file. Every change is checked
before anything is written: the store refuses to produce an invalid registry.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from wxreg.build import last_updated, render_json
from wxreg.errors import Problem, RegistryError
from wxreg.models import SEVERITIES, PluginEntry, Tombstone, normalized_id
from wxreg.validate import (
    PLUGINS_DIR,
    REGISTRY_FILE,
    REMOVED_FILE,
    CheckedSources,
    check_entry,
    check_sources,
    read_json,
    schema_problems,
)


def atomic_write(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Replace ``path`` with ``data`` (bytes or a stream of pieces) in one step: same-directory temp
    file, fsync, ``os.replace``. Readers see the old file or the new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            if isinstance(data, bytes):
                out.write(data)
            else:
                out.writelines(data)
            out.flush()
            os.fsync(out.fileno())
        Path(temp_name).replace(path)  # os.replace: atomic on POSIX and Windows
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(temp_name).unlink()
        raise


SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
"""Any id a tombstone may hold: no dots or slashes, so it can only name a file in ``registry/plugins``."""


class RegistryStore:
    """The registry below ``root`` (the repository root, which holds ``registry/``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def plugin_path(self, plugin_id: str) -> Path:
        """``registry/plugins/<plugin_id>.json``; an id that could name another path is refused."""
        if not SAFE_ID.fullmatch(plugin_id):
            raise ValueError(f"not a plugin id: {plugin_id!r}")
        return self.root / PLUGINS_DIR / f"{plugin_id}.json"

    @property
    def registry_path(self) -> Path:
        return self.root / REGISTRY_FILE

    def check(self) -> CheckedSources:
        """Read and check every source file; problems are returned, not raised."""
        return check_sources(self.root)

    def _checked(self) -> CheckedSources:
        checked = self.check()
        if checked.problems:
            raise RegistryError(checked.problems)
        return checked

    def load_entries(self) -> list[PluginEntry]:
        """Every listed entry, sorted by id; :class:`RegistryError` when any source is invalid."""
        return sorted(self._checked().entries, key=lambda entry: entry.plugin_id)

    def get(self, plugin_id: str) -> PluginEntry | None:
        """One entry read from its file, or ``None`` when it is not listed."""
        if not self.plugin_path(plugin_id).is_file():
            return None
        file = f"{PLUGINS_DIR}/{plugin_id}.json"
        data, problem = read_json(self.root, file)
        if problem:
            raise RegistryError([problem])
        entry, problems = check_entry(file, data)
        if entry is None or problems:
            raise RegistryError(problems)
        return entry

    def tombstones(self) -> list[Tombstone]:
        data, problem = read_json(self.root, REMOVED_FILE)
        if problem:
            raise RegistryError([problem])
        problems = schema_problems(REMOVED_FILE, data, "removed_file")
        if problems:
            raise RegistryError(problems)
        return [Tombstone.from_dict(item, f"/{index}") for index, item in enumerate(data)]

    def build(self) -> bytes:
        """The ``registry.json`` bytes of the current sources; :class:`RegistryError` if any is invalid."""
        return self._checked().render()

    def write(self) -> Path:
        """Regenerate ``registry.json`` from the sources (streamed to disk); :class:`RegistryError` if invalid."""
        atomic_write(self.registry_path, self._checked().pieces())
        return self.registry_path

    def upsert(self, entry: PluginEntry, *, rebuild: bool = True) -> Path:
        """Add or replace one plugin's file (then ``registry.json`` unless ``rebuild=False``).

        Refused, with nothing written, when the entry is invalid or its id was tombstoned.
        """
        file = f"{PLUGINS_DIR}/{entry.plugin_id}.json"
        document = entry.to_dict()
        _, problems = check_entry(file, document)
        removed = {normalized_id(stone.plugin_id): stone for stone in self.tombstones()}
        stone = removed.get(normalized_id(entry.plugin_id))
        if stone is not None:
            problems.append(Problem(file, "/plugin_id",
                                    f"{entry.plugin_id} 已被移除（{stone.date}），不能再上架 / "
                                    f"{entry.plugin_id} was removed on {stone.date} and can never be listed again",
                                    "换一个新的 plugin_id / choose a new plugin_id"))
        if problems:
            raise RegistryError(problems)
        path = self.plugin_path(entry.plugin_id)
        previous = path.read_bytes() if path.exists() else None
        atomic_write(path, render_json(document))
        if rebuild:
            try:
                self.write()
            except RegistryError:
                # Leave the sources as they were: a store operation is all or nothing.
                if previous is None:
                    path.unlink()
                else:
                    atomic_write(path, previous)
                raise
        return path

    def remove(self, plugin_id: str, reason: str, severity: str, date: str) -> Tombstone:
        """Tombstone ``plugin_id`` (it can never return), delete its file and rebuild ``registry.json``.

        ``date`` is an explicit ``YYYY-MM-DDTHH:MM:SSZ`` so the result depends on inputs, not the clock.
        """
        if severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, not {severity!r}")
        listed = self.get(plugin_id) if self.plugin_path(plugin_id).is_file() else None
        stone = Tombstone(plugin_id, reason, severity, date, listed.name if listed else "")
        stones = self.tombstones()
        if any(normalized_id(old.plugin_id) == normalized_id(plugin_id) for old in stones):
            raise RegistryError([Problem(REMOVED_FILE, "", f"{plugin_id} 已有墓碑 / {plugin_id} is already removed",
                                         "无需再次移除 / nothing to do")])
        removed_doc: list[Any] = [old.to_dict() for old in sorted([*stones, stone], key=lambda s: s.plugin_id)]
        problems = schema_problems(REMOVED_FILE, removed_doc, "removed_file")
        if problems:
            raise RegistryError(problems)
        current = self._checked()
        newest = last_updated((entry.updated_at for entry in current.listed), current.tombstones)
        if date < newest:
            # Clients refuse a registry older than their cache: the removal would never reach them.
            raise RegistryError([Problem(REMOVED_FILE, "", f"移除日期 {date} 早于注册表的 last_updated {newest} / "
                                         f"removal date {date} is before last_updated {newest}: it would move "
                                         "last_updated backwards",
                                         f"使用不早于 {newest} 的日期 / use {newest} or later")])
        removed_path = self.root / REMOVED_FILE
        previous_removed = removed_path.read_bytes()
        plugin_path = self.plugin_path(plugin_id)
        previous_plugin = plugin_path.read_bytes() if plugin_path.exists() else None
        atomic_write(removed_path, render_json(removed_doc))
        if previous_plugin is not None:
            plugin_path.unlink()
        try:
            self.write()
        except RegistryError:
            atomic_write(removed_path, previous_removed)
            if previous_plugin is not None:
                atomic_write(plugin_path, previous_plugin)
            raise
        return stone
