"""Render ``registry.json`` from validated sources: the same sources always give the same bytes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from wxreg.config import RegistryConfig
from wxreg.models import Category, PluginEntry, Tombstone

REGISTRY_FORMAT_VERSION = "1.0.0"
EPOCH = "1970-01-01T00:00:00Z"
"""``last_updated`` of a registry with no dated data at all; never the clock."""


def last_updated(entries: Iterable[PluginEntry], tombstones: Iterable[Tombstone]) -> str:
    """Newest date in the data. Timestamps are fixed-width UTC ``...Z`` strings, so string order is time order.

    Tombstone dates count too: removing the newest plugin must not move ``last_updated`` backwards,
    or a client that refuses registries older than its cache would keep listing the removed plugin.
    """
    return max((*(entry.updated_at for entry in entries), *(stone.date for stone in tombstones)), default=EPOCH)


def registry_document(
    config: RegistryConfig,
    entries: Sequence[PluginEntry],
    categories: Sequence[Category],
    tombstones: Sequence[Tombstone],
) -> dict[str, Any]:
    """The registry as a JSON object, keys in their published order, plugins sorted by id."""
    ordered = sorted(entries, key=lambda entry: entry.plugin_id)
    category_counts = {category.id: 0 for category in categories}
    downloads = active = verified = featured = 0
    for entry in ordered:
        category_counts[entry.category] = category_counts.get(entry.category, 0) + 1
        active += entry.status == "active"
        verified += entry.verified
        featured += entry.featured
        downloads += (entry.stats.downloads or 0) if entry.stats else 0
    return {
        "version": REGISTRY_FORMAT_VERSION,
        "last_updated": last_updated(ordered, tombstones),
        "registry_url": config.registry_url,
        "mirror_urls": list(config.mirror_urls),
        "plugins": [entry.to_dict() for entry in ordered],
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


def render_json(document: Any) -> bytes:
    """The one serialisation of every file this package writes: UTF-8, 2-space indent, final newline."""
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def render_registry(
    config: RegistryConfig,
    entries: Sequence[PluginEntry],
    categories: Sequence[Category],
    tombstones: Sequence[Tombstone],
) -> bytes:
    return render_json(registry_document(config, entries, categories, tombstones))
