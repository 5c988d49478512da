"""A clean-room model of how the WXAUTO-MGT marketplace client parses ``registry.json``.

Written from the behaviour described in SECURITY.md §3.1 (and checked against the
client's published source by reading it): every nested object is built as ``Dataclass(**dict)``,
so an unknown or missing key makes the client drop the whole entry without a word. Our tests load
every registry we produce through this model and require that nothing is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Author:
    name: str
    github: str
    email: str
    website: str | None = None


@dataclass
class RepositoryLocation:
    type: str  # the client adds the key name ("primary"/"mirror") itself
    url: str
    api_url: str
    releases_url: str


@dataclass
class Compatibility:
    min_wxauto_version: str
    max_wxauto_version: str | None = None
    python_version: str = ">=3.8"
    supported_os: list[str] | None = None


@dataclass
class Versions:
    latest: str
    stable: str
    minimum_supported: str


@dataclass
class Stats:
    downloads: int = 0
    stars: int = 0
    forks: int = 0
    rating: float = 0.0
    rating_count: int = 0


@dataclass
class Review:
    reviewer: str
    review_date: str
    security_score: int
    quality_score: int
    comments: str


@dataclass
class Category:
    id: str
    name: str
    icon: str | None = None


def parse_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """Build the entry as the client does; raises where the client would drop it."""
    author = Author(**entry.get("author", {}))
    repository = {}
    for key, value in entry.get("repository", {}).items():
        if key != "type" and isinstance(value, dict):
            repository[key] = RepositoryLocation(**{**value, "type": key})
    versions = Versions(**entry.get("versions", {}))
    compatibility = Compatibility(**entry.get("compatibility", {}))
    stats = Stats(**entry["stats"]) if entry.get("stats") else None
    review = Review(**entry["review"]) if entry.get("review") else None
    return {
        "plugin_id": entry["plugin_id"],
        "name": entry["name"],
        "author": author,
        "repository": repository,
        "versions": versions,
        "compatibility": compatibility,
        "stats": stats,
        "review": review,
    }


def load_registry(document: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str]]]:
    """(plugins the client keeps, [(plugin_id, why it was dropped)])."""
    kept: dict[str, dict[str, Any]] = {}
    dropped: list[tuple[str, str]] = []
    for entry in document.get("plugins", []):
        try:
            parsed = parse_entry(entry)
        except (TypeError, KeyError, AttributeError) as exc:
            dropped.append((str(entry.get("plugin_id", "?")), f"{type(exc).__name__}: {exc}"))
            continue
        kept[parsed["plugin_id"]] = parsed
    return kept, dropped


def client_version_tuple(version: str) -> tuple[int, ...] | None:
    """The client's comparison key; ``None`` where it silently sees "no update"."""
    try:
        return tuple(int(part) for part in version.lstrip("v").split("."))
    except ValueError:
        return None
