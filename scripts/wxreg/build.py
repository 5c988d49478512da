"""Render ``registry.json`` from validated sources: the same sources always give the same bytes.

Layout: UTF-8 without ``\\u`` escapes, the root object indented by 2 spaces, and every plugin,
category and tombstone on one line of its own (keys in the published order). One line per plugin
keeps the generated file's diffs to one line per changed plugin, makes it about 40% smaller than a
fully indented file for clients to download, and lets the C JSON encoder do the work (Python's
indenting encoder is pure Python and was the slowest step of a 10k-plugin build).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from wxreg.config import RegistryConfig
from wxreg.models import Category, PluginEntry, Tombstone

REGISTRY_FORMAT_VERSION = "1.0.0"
EPOCH = "1970-01-01T00:00:00Z"
"""``last_updated`` of a registry with no dated data at all; never the clock."""
ONE_LINE_ITEMS = frozenset({"plugins", "categories", "removed"})
"""Root arrays whose items are written one per line."""


def last_updated(entries: Iterable[PluginEntry | Mapping[str, Any]], tombstones: Iterable[Tombstone]) -> str:
    """Newest date in the data. Timestamps are fixed-width UTC ``...Z`` strings, so string order is time order.

    Tombstone dates count too: removing the newest plugin must not move ``last_updated`` backwards,
    or a client that refuses registries older than its cache would keep listing the removed plugin.
    """
    dates = [entry.updated_at if isinstance(entry, PluginEntry) else entry["updated_at"] for entry in entries]
    return max((*dates, *(stone.date for stone in tombstones)), default=EPOCH)


def registry_document_from_dicts(
    config: RegistryConfig,
    entries: Sequence[Mapping[str, Any]],
    categories: Sequence[Category],
    tombstones: Sequence[Tombstone],
) -> dict[str, Any]:
    """The registry as a JSON object from canonical entry dicts (see :func:`wxreg.models.canonical_entry`)."""
    ordered = sorted(entries, key=lambda entry: str(entry["plugin_id"]))
    category_counts = {category.id: 0 for category in categories}
    downloads = active = verified = featured = 0
    for entry in ordered:
        category_counts[entry["category"]] = category_counts.get(entry["category"], 0) + 1
        active += entry["status"] == "active"
        verified += entry["verified"] is True
        featured += entry["featured"] is True
        downloads += int((entry.get("stats") or {}).get("downloads", 0))
    return {
        "version": REGISTRY_FORMAT_VERSION,
        "last_updated": last_updated(ordered, tombstones),
        "registry_url": config.registry_url,
        "mirror_urls": list(config.mirror_urls),
        "plugins": ordered,
        "categories": [category.to_dict() for category in categories],
        "removed": [stone.to_dict() for stone in sorted(tombstones, key=lambda stone: stone.plugin_id)],
        "metadata": {
            "total_plugins": len(ordered),
            "active_plugins": active,
            "verified_plugins": verified,
            "featured_plugins": featured,
            "total_downloads": downloads,
            "category_counts": category_counts,
        },
    }


def registry_document(
    config: RegistryConfig,
    entries: Sequence[PluginEntry],
    categories: Sequence[Category],
    tombstones: Sequence[Tombstone],
) -> dict[str, Any]:
    """The registry as a JSON object, keys in their published order, plugins sorted by id."""
    return registry_document_from_dicts(config, [entry.to_dict() for entry in entries], categories, tombstones)


# One encoder for every line: json.dumps with options builds a new encoder per call.
_ONE_LINE_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)


def _one_line(value: Any) -> str:
    return _ONE_LINE_ENCODER.encode(value)


def render_json(document: Any) -> bytes:
    """How every source file is written: UTF-8, 2-space indent, final newline."""
    return (json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")


def render_registry_document(document: Mapping[str, Any]) -> bytes:
    """The one serialisation of ``registry.json`` (see the module docstring for the layout)."""
    # One list of pieces and a single join: at 100k plugins every extra copy of the text is ~150 MB.
    pieces: list[str] = ["{\n"]
    for index, (key, value) in enumerate(document.items()):
        pieces.append(",\n  " if index else "  ")
        pieces.append(_one_line(key))
        if key in ONE_LINE_ITEMS and value:
            pieces.append(": [\n    ")
            for position, item in enumerate(value):
                if position:
                    pieces.append(",\n    ")
                pieces.append(_one_line(item))
            pieces.append("\n  ]")
        else:
            pieces.append(": ")
            pieces.append(json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False).replace("\n", "\n  "))
    pieces.append("\n}\n")
    return "".join(pieces).encode("utf-8")


def render_registry(
    config: RegistryConfig,
    entries: Sequence[PluginEntry],
    categories: Sequence[Category],
    tombstones: Sequence[Tombstone],
) -> bytes:
    return render_registry_document(registry_document(config, entries, categories, tombstones))
