"""Render ``registry.json`` from validated sources: the same sources always give the same bytes.

Layout: UTF-8 without ``\\u`` escapes, the root object indented by 2 spaces, and every plugin,
category and tombstone on one line of its own (keys in the published order). One line per plugin
keeps the generated file's diffs to one line per changed plugin, makes it about 40% smaller than a
fully indented file for clients to download, and lets the C JSON encoder do the work (Python's
indenting encoder is pure Python and was the slowest step of a 10k-plugin build).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from wxreg.config import RegistryConfig
from wxreg.models import Category, PluginEntry, Tombstone

REGISTRY_FORMAT_VERSION = "1.0.0"
EPOCH = "1970-01-01T00:00:00Z"
"""``last_updated`` of a registry with no dated data at all; never the clock."""
ONE_LINE_ITEMS = frozenset({"plugins", "categories", "removed"})
"""Root arrays whose items are written one per line."""


class RenderedLine(bytes):
    """A registry item already serialised on one line, UTF-8 (what :func:`iter_registry_pieces` writes).

    Kept as bytes: half the memory of a str holding Chinese text, and no re-encoding when written.
    """

    __slots__ = ()


class ListedEntry(NamedTuple):
    """What the index needs of one listed plugin: its rendered line and the fields the totals count.

    A build keeps these instead of parsed documents: about a third of the memory at 100k plugins. A named
    tuple, immutable and made in a third of the time a frozen dataclass takes (10k per check).
    """

    plugin_id: str
    category: str
    status: str
    verified: bool
    featured: bool
    downloads: int
    updated_at: str
    line: RenderedLine

    @classmethod
    def from_document(cls, document: Mapping[str, Any], line: bytes | None = None) -> ListedEntry:
        """From a schema-valid entry whose keys are already in the published order; ``line`` is its
        :func:`one_line` form in UTF-8 when the caller has it already."""
        stats = document.get("stats") or {}
        return cls(document["plugin_id"], document["category"], document["status"], document["verified"] is True,
                   document["featured"] is True, int(stats.get("downloads", 0)), document["updated_at"],
                   RenderedLine(one_line(document).encode("utf-8") if line is None else line))


def last_updated(updated: Iterable[str], tombstones: Iterable[Tombstone]) -> str:
    """Newest of the ``updated`` timestamps and the tombstone dates, else :data:`EPOCH`.

    Timestamps are fixed-width UTC ``...Z`` strings, so string order is time order. Tombstone dates
    count too: removing the newest plugin must not move ``last_updated`` backwards, or a client that
    refuses registries older than its cache would keep listing the removed plugin.
    """
    return max((*updated, *(stone.date for stone in tombstones)), default=EPOCH)


def registry_document_from_listed(
    config: RegistryConfig,
    listed: Sequence[ListedEntry],
    categories: Sequence[Category],
    tombstones: Sequence[Tombstone],
) -> dict[str, Any]:
    """The registry as a JSON object whose ``plugins`` are pre-rendered lines, sorted by id."""
    ordered = sorted(listed, key=lambda entry: entry.plugin_id)
    category_counts = {category.id: 0 for category in categories}
    for entry in ordered:
        category_counts[entry.category] = category_counts.get(entry.category, 0) + 1
    return {
        "version": REGISTRY_FORMAT_VERSION,
        "last_updated": last_updated((entry.updated_at for entry in ordered), tombstones),
        "registry_url": config.registry_url,
        "mirror_urls": list(config.mirror_urls),
        "plugins": [entry.line for entry in ordered],
        "categories": [category.to_dict() for category in categories],
        "removed": [stone.to_dict() for stone in sorted(tombstones, key=lambda stone: stone.plugin_id)],
        "metadata": {
            "total_plugins": len(ordered),
            "active_plugins": sum(entry.status == "active" for entry in ordered),
            "verified_plugins": sum(entry.verified for entry in ordered),
            "featured_plugins": sum(entry.featured for entry in ordered),
            "total_downloads": sum(entry.downloads for entry in ordered),
            "category_counts": category_counts,
        },
    }


def registry_document(
    config: RegistryConfig,
    entries: Sequence[PluginEntry],
    categories: Sequence[Category],
    tombstones: Sequence[Tombstone],
) -> dict[str, Any]:
    """The registry as a plain JSON object: keys in their published order, plugins sorted by id."""
    ordered = sorted(entries, key=lambda entry: entry.plugin_id)
    documents = [entry.to_dict() for entry in ordered]
    document = registry_document_from_listed(
        config, [ListedEntry.from_document(item) for item in documents], categories, tombstones
    )
    document["plugins"] = documents
    return document


# One encoder for every line: json.dumps with options builds a new encoder per call. JSON documents hold no
# cycles, so the encoder need not keep a set of the containers it is inside (a tenth of its time).
_ONE_LINE_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, check_circular=False)


def one_line(value: Any) -> str:
    """``value`` on one line as ``registry.json`` holds an item: UTF-8 text, no NaN or infinities."""
    return _ONE_LINE_ENCODER.encode(value)


def render_json(document: Any) -> bytes:
    """How every source file is written: UTF-8, 2-space indent, final newline."""
    return (json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")


def iter_registry_pieces(document: Mapping[str, Any]) -> Iterator[bytes]:
    """``registry.json`` as a stream of UTF-8 pieces (see the module docstring for the layout).

    Streaming lets a build write, and a validation compare, without holding the whole text twice:
    at 100k plugins the text is about 160 MB.
    """
    yield b"{\n"
    for index, (key, value) in enumerate(document.items()):
        head = (",\n  " if index else "  ") + one_line(key)
        if key in ONE_LINE_ITEMS and value:
            yield (head + ": [\n    ").encode("utf-8")
            for position, item in enumerate(value):
                if position:
                    yield b",\n    "
                yield item if isinstance(item, RenderedLine) else one_line(item).encode("utf-8")
            yield b"\n  ]"
        else:
            text = json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False).replace("\n", "\n  ")
            yield (head + ": " + text).encode("utf-8")
    yield b"\n}\n"


def render_registry_document(document: Mapping[str, Any]) -> bytes:
    """The one serialisation of ``registry.json``, as bytes."""
    return b"".join(iter_registry_pieces(document))


def render_registry(
    config: RegistryConfig,
    entries: Sequence[PluginEntry],
    categories: Sequence[Category],
    tombstones: Sequence[Tombstone],
) -> bytes:
    return render_registry_document(registry_document(config, entries, categories, tombstones))
