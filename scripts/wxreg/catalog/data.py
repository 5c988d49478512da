"""What the catalog shows, read from the published registry: plugins, revocations, history and the queue.

The catalog reads ``registry/registry.json`` as plain JSON (not through :mod:`wxreg.models`) so that
top-level entry keys added by other features (``waivers``, ``endpoints`` ...) are shown rather than
refused. Files other features may publish (``registry/revoked.json``, a queue file) are optional and
read tolerantly: an unknown shape shows nothing instead of breaking the site.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wxreg import revocations
from wxreg.models import ENTRY_KEYS
from wxreg.revocations import Revocation

PLUGIN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
"""Ids that become file names; the schema allows no other."""
QUEUE_FILES = ("registry/queue.json", ".wxreg/queue.json")
"""Where a review-queue snapshot may be published; the first that exists is shown."""
HISTORY_LIMIT = 50
"""Versions shown per plugin, newest first."""


@dataclass(frozen=True)
class HistoryItem:
    version: str
    tag: str
    commit: str
    date: str


@dataclass(frozen=True)
class QueueItem:
    title: str
    plugin_id: str
    issue: int | None
    url: str | None
    state: str
    since: str


@dataclass(frozen=True)
class CatalogData:
    registry_bytes: bytes
    registry: Mapping[str, Any]
    plugins: Sequence[Mapping[str, Any]]
    revocations: Mapping[str, Sequence[Revocation]] = field(default_factory=dict)
    history: Mapping[str, Sequence[HistoryItem]] = field(default_factory=dict)
    queue: Sequence[QueueItem] | None = None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def read_revocations(root: Path) -> dict[str, list[Revocation]]:
    """``registry/revoked.json`` by plugin id, newest first, read by :mod:`wxreg.revocations` (the one reader
    and the one :class:`Revocation`, schema-checked; a file that does not fit its schema fails the build rather
    than hiding a revocation)."""
    found: dict[str, list[Revocation]] = {}
    for item in revocations.load(root):
        found.setdefault(item.plugin_id, []).append(item)
    for items in found.values():
        items.sort(key=lambda r: (r.date, r.versions), reverse=True)
    return found


def read_queue(root: Path) -> list[QueueItem] | None:
    """The review queue if a snapshot file exists (``None`` otherwise), oldest first."""
    for name in QUEUE_FILES:
        path = root / name
        if not path.is_file():
            continue
        try:
            document = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return []
        raw = document if isinstance(document, list) else (
            next((document[key] for key in ("queue", "items", "waiting")
                  if isinstance(document, Mapping) and isinstance(document.get(key), list)), []))
        items = []
        for item in raw:
            if not isinstance(item, Mapping):
                continue
            issue = item.get("issue", item.get("number"))
            items.append(QueueItem(
                _text(item.get("title")) or _text(item.get("name")), _text(item.get("plugin_id")),
                issue if isinstance(issue, int) and not isinstance(issue, bool) else None,
                next((item[k] for k in ("url", "html_url") if isinstance(item.get(k), str)), None),
                _text(item.get("state")) or _text(item.get("status")),
                next((item[k] for k in ("since", "opened_at", "created_at", "waiting_since")
                      if isinstance(item.get(k), str)), "")))
        items.sort(key=lambda q: (q.since, q.issue or 0))
        return items
    return None


def read_history(root: Path, plugins: Sequence[Mapping[str, Any]]) -> dict[str, list[HistoryItem]]:
    """Every version each plugin's source file ever published, from git history (two git processes).

    Outside a git checkout (or in a shallow one) this is just the current release; the current
    release is always the first item, so the page never contradicts ``registry.json``.
    """
    past_versions = _git_versions(root)
    history: dict[str, list[HistoryItem]] = {}
    for entry in plugins:
        release = entry.get("release") or {}
        current = HistoryItem(entry["versions"]["latest"], _text(release.get("tag")), _text(release.get("commit")),
                              _text(entry.get("updated_at")))
        items = [current]
        seen = {current.version}
        for item in sorted(past_versions.get(entry["plugin_id"], []), key=lambda item: item.date, reverse=True):
            if item.version not in seen:
                seen.add(item.version)
                items.append(item)
        history[entry["plugin_id"]] = items[:HISTORY_LIMIT]
    return history


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    try:
        return subprocess.run(["git", "-C", str(root), *args], input=stdin, check=True, capture_output=True,
                              timeout=120).stdout
    except (OSError, subprocess.SubprocessError):
        return None


def _git_versions(root: Path) -> dict[str, list[HistoryItem]]:
    """plugin id -> the versions past revisions of ``registry/plugins/<id>.json`` published."""
    log = _git(root, "log", "--format=C %H %cI", "--raw", "--no-abbrev", "--no-renames", "--",
               "registry/plugins/")
    blobs: list[tuple[str, str]] = []  # (plugin id, commit date), in the order of the batch request
    request: list[str] = []
    date = ""
    for line in (log or b"").decode("utf-8", "replace").splitlines():
        if line.startswith("C "):
            date = line.split(" ")[2]
        elif line.startswith(":"):
            meta, _, path = line.partition("\t")
            blob = meta.split(" ")[3]
            name = Path(path).name
            if name.endswith(".json") and set(blob) != {"0"}:
                blobs.append((name.removesuffix(".json"), date))
                request.append(blob)
    out = _git(root, "cat-file", "--batch", stdin="".join(f"{blob}\n" for blob in request).encode()) if blobs else None
    found: dict[str, list[HistoryItem]] = {}
    position = 0
    for plugin_id, commit_date in blobs if out else ():
        assert out is not None
        header_end = out.index(b"\n", position)
        header = out[position:header_end].split(b" ")
        position = header_end + 1
        if len(header) < 3:  # "<sha> missing"
            continue
        size = int(header[2])
        body = out[position:position + size]
        position += size + 1
        try:
            document = json.loads(body)
            version = document["versions"]["latest"]
            release = document.get("release") or {}
        except (ValueError, KeyError, TypeError):
            continue
        if isinstance(version, str) and isinstance(release, Mapping):
            found.setdefault(plugin_id, []).append(HistoryItem(
                version, _text(release.get("tag")), _text(release.get("commit")),
                _text(document.get("updated_at")) or commit_date))
    return found


SHOWN_KEYS = ("endpoints", "waivers")
"""Registry-only top-level data the shipped client ignores and people should see: where the plugin talks to,
and which review findings a maintainer waived (and why)."""


def extra_keys(entry: Mapping[str, Any]) -> list[str]:
    """Top-level keys of ``entry`` shown as their own sections: the registry-only data above, when present, and
    any key the registry format does not define (published by a later feature)."""
    return sorted(key for key in entry
                  if (key not in ENTRY_KEYS or key in SHOWN_KEYS) and entry[key] not in (None, [], {}))


def load(root: Path) -> CatalogData:
    """Everything the site needs from the checkout at ``root``."""
    registry_bytes = (root / "registry" / "registry.json").read_bytes()
    registry = json.loads(registry_bytes)
    plugins = [entry for entry in registry.get("plugins", [])
               if isinstance(entry, Mapping) and PLUGIN_ID.match(str(entry.get("plugin_id", "")))]
    return CatalogData(registry_bytes, registry, plugins, read_revocations(root), read_history(root, plugins),
                       read_queue(root))
