"""Typed, immutable registry documents: an entry, its nested objects, categories and tombstones.

Each class has ``from_dict`` / ``to_dict`` that round-trip JSON exactly (python-tuf metadata style).
``to_dict`` emits keys in one fixed order, which is what makes ``registry.json`` byte-deterministic.
Unknown keys in nested objects are rejected because the WXAUTO-MGT client drops the whole entry
when it meets one. Value rules (patterns, ranges) belong to ``schemas/registry.schema.json``; these
classes check structure and types so code that builds entries cannot produce the wrong shape.
An optional key is ``None`` when absent; the registry never stores JSON ``null``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from wxreg.errors import ModelError

T = TypeVar("T")
JsonObject = dict[str, Any]


def _object(data: Any, pointer: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ModelError(pointer, "应为对象 / must be an object")
    for key in required:
        if key not in data:
            raise ModelError(f"{pointer}/{key}", "缺少必填字段 / required key missing")
    allowed = set(required) | set(optional)
    for key in data:
        if key not in allowed:
            raise ModelError(f"{pointer}/{key}", "未知字段 / unknown key")
    return data


def _typed(data: Mapping[str, Any], key: str, pointer: str, kind: type[T]) -> T:
    value = data[key]
    # bool is an int in Python, but not in JSON Schema: keep them apart.
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ModelError(f"{pointer}/{key}", f"类型应为 {kind.__name__} / must be of type {kind.__name__}")
    return value


def _optional(data: Mapping[str, Any], key: str, pointer: str, kind: type[T]) -> T | None:
    return _typed(data, key, pointer, kind) if key in data else None


def _number(data: Mapping[str, Any], key: str, pointer: str) -> float | int | None:
    if key not in data:
        return None
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ModelError(f"{pointer}/{key}", "应为数字 / must be a number")
    return value


def _strings(data: Mapping[str, Any], key: str, pointer: str) -> tuple[str, ...] | None:
    if key not in data:
        return None
    value = data[key]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ModelError(f"{pointer}/{key}", "应为字符串数组 / must be an array of strings")
    return tuple(value)


def _put(out: JsonObject, key: str, value: Any) -> None:
    """Set ``key`` unless the value is absent; tuples become JSON arrays."""
    if value is None:
        return
    out[key] = list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class Author:
    name: str
    github: str
    email: str
    website: str | None = None

    KEYS = ("name", "github", "email", "website")

    @classmethod
    def from_dict(cls, data: Any, pointer: str = "/author") -> Author:
        obj = _object(data, pointer, ("name", "github", "email"), ("website",))
        return cls(_typed(obj, "name", pointer, str), _typed(obj, "github", pointer, str),
                   _typed(obj, "email", pointer, str), _optional(obj, "website", pointer, str))

    def to_dict(self) -> JsonObject:
        out: JsonObject = {"name": self.name, "github": self.github, "email": self.email}
        _put(out, "website", self.website)
        return out


@dataclass(frozen=True)
class RepositoryLocation:
    url: str
    api_url: str
    releases_url: str

    KEYS = ("url", "api_url", "releases_url")

    @classmethod
    def from_dict(cls, data: Any, pointer: str) -> RepositoryLocation:
        obj = _object(data, pointer, cls.KEYS)
        return cls(*(_typed(obj, key, pointer, str) for key in cls.KEYS))

    def to_dict(self) -> JsonObject:
        return {"url": self.url, "api_url": self.api_url, "releases_url": self.releases_url}


@dataclass(frozen=True)
class Repository:
    primary: RepositoryLocation
    mirror: RepositoryLocation | None = None
    type: str | None = None
    """``"git"``; a non-object key the client skips."""

    KEYS = ("type", "primary", "mirror")

    @classmethod
    def from_dict(cls, data: Any, pointer: str = "/repository") -> Repository:
        obj = _object(data, pointer, ("primary",), ("type", "mirror"))
        mirror = obj.get("mirror")
        return cls(RepositoryLocation.from_dict(obj["primary"], f"{pointer}/primary"),
                   None if mirror is None else RepositoryLocation.from_dict(mirror, f"{pointer}/mirror"),
                   _optional(obj, "type", pointer, str))

    def to_dict(self) -> JsonObject:
        out: JsonObject = {}
        _put(out, "type", self.type)
        out["primary"] = self.primary.to_dict()
        if self.mirror is not None:
            out["mirror"] = self.mirror.to_dict()
        return out


@dataclass(frozen=True)
class Versions:
    latest: str
    stable: str
    minimum_supported: str

    KEYS = ("latest", "stable", "minimum_supported")

    @classmethod
    def from_dict(cls, data: Any, pointer: str = "/versions") -> Versions:
        obj = _object(data, pointer, cls.KEYS)
        return cls(*(_typed(obj, key, pointer, str) for key in cls.KEYS))

    def to_dict(self) -> JsonObject:
        return {"latest": self.latest, "stable": self.stable, "minimum_supported": self.minimum_supported}


@dataclass(frozen=True)
class Compatibility:
    min_wxauto_version: str
    max_wxauto_version: str | None = None
    python_version: str | None = None
    supported_os: tuple[str, ...] | None = None

    KEYS = ("min_wxauto_version", "max_wxauto_version", "python_version", "supported_os")

    @classmethod
    def from_dict(cls, data: Any, pointer: str = "/compatibility") -> Compatibility:
        obj = _object(data, pointer, cls.KEYS[:1], cls.KEYS[1:])
        return cls(_typed(obj, "min_wxauto_version", pointer, str), _optional(obj, "max_wxauto_version", pointer, str),
                   _optional(obj, "python_version", pointer, str), _strings(obj, "supported_os", pointer))

    def to_dict(self) -> JsonObject:
        out: JsonObject = {"min_wxauto_version": self.min_wxauto_version}
        _put(out, "max_wxauto_version", self.max_wxauto_version)
        _put(out, "python_version", self.python_version)
        _put(out, "supported_os", self.supported_os)
        return out


@dataclass(frozen=True)
class Stats:
    downloads: int | None = None
    stars: int | None = None
    forks: int | None = None
    rating: float | int | None = None
    rating_count: int | None = None

    KEYS = ("downloads", "stars", "forks", "rating", "rating_count")

    @classmethod
    def from_dict(cls, data: Any, pointer: str = "/stats") -> Stats:
        obj = _object(data, pointer, (), cls.KEYS)
        return cls(_optional(obj, "downloads", pointer, int), _optional(obj, "stars", pointer, int),
                   _optional(obj, "forks", pointer, int), _number(obj, "rating", pointer),
                   _optional(obj, "rating_count", pointer, int))

    def to_dict(self) -> JsonObject:
        out: JsonObject = {}
        for key in self.KEYS:
            _put(out, key, getattr(self, key))
        return out


@dataclass(frozen=True)
class Review:
    reviewer: str
    review_date: str
    security_score: int
    quality_score: int
    comments: str

    KEYS = ("reviewer", "review_date", "security_score", "quality_score", "comments")

    @classmethod
    def from_dict(cls, data: Any, pointer: str = "/review") -> Review:
        obj = _object(data, pointer, cls.KEYS)
        return cls(_typed(obj, "reviewer", pointer, str), _typed(obj, "review_date", pointer, str),
                   _typed(obj, "security_score", pointer, int), _typed(obj, "quality_score", pointer, int),
                   _typed(obj, "comments", pointer, str))

    def to_dict(self) -> JsonObject:
        return {key: getattr(self, key) for key in self.KEYS}


@dataclass(frozen=True)
class Release:
    """The reviewed release: tag, the commit it resolved to, and the content digest of that tree."""

    tag: str
    commit: str
    digest: str

    KEYS = ("tag", "commit", "digest")

    @classmethod
    def from_dict(cls, data: Any, pointer: str = "/release") -> Release:
        obj = _object(data, pointer, cls.KEYS)
        return cls(*(_typed(obj, key, pointer, str) for key in cls.KEYS))

    def to_dict(self) -> JsonObject:
        return {"tag": self.tag, "commit": self.commit, "digest": self.digest}


@dataclass(frozen=True)
class Submission:
    issue: int
    url: str

    KEYS = ("issue", "url")

    @classmethod
    def from_dict(cls, data: Any, pointer: str = "/submission") -> Submission:
        obj = _object(data, pointer, cls.KEYS)
        return cls(_typed(obj, "issue", pointer, int), _typed(obj, "url", pointer, str))

    def to_dict(self) -> JsonObject:
        return {"issue": self.issue, "url": self.url}


@dataclass(frozen=True)
class Waiver:
    """A maintainer's waiver of one review finding on the reviewed commit (registry-only, top-level list)."""

    finding: str
    commit: str
    path: str | None
    line: int | None
    reason: str
    by: str

    KEYS = ("finding", "commit", "path", "line", "reason", "by")
    REQUIRED = ("finding", "commit", "reason", "by")

    @classmethod
    def from_dict(cls, data: Any, pointer: str = "/waivers") -> Waiver:
        obj = _object(data, pointer, cls.REQUIRED, ("path", "line"))
        return cls(_typed(obj, "finding", pointer, str), _typed(obj, "commit", pointer, str),
                   _typed(obj, "path", pointer, str) if "path" in obj else None,
                   _typed(obj, "line", pointer, int) if "line" in obj else None,
                   _typed(obj, "reason", pointer, str), _typed(obj, "by", pointer, str))

    def to_dict(self) -> JsonObject:
        out: JsonObject = {}
        for key in self.KEYS:
            _put(out, key, getattr(self, key))
        return out


# The order of keys in every emitted entry: the seed's order, then registry-only data.
ENTRY_KEYS = (
    "plugin_id", "name", "short_description", "description", "category", "tags", "author", "license", "homepage",
    "repository", "versions", "compatibility", "dependencies", "permissions", "features", "screenshots",
    "demo_video", "documentation", "issue_tracker", "stats", "status", "verified", "featured", "created_at",
    "updated_at", "review", "release", "submission", "waivers", "endpoints",
)
ENTRY_REQUIRED = (
    "plugin_id", "name", "short_description", "description", "category", "tags", "author", "license",
    "repository", "versions", "compatibility", "permissions", "status", "verified", "featured", "created_at",
    "updated_at", "release",
)
_STRING_LISTS = ("tags", "dependencies", "permissions", "features", "screenshots", "endpoints")
_OPTIONAL_STRINGS = ("homepage", "demo_video", "documentation", "issue_tracker")
_NESTED: dict[str, Any] = {
    "author": Author, "repository": Repository, "versions": Versions, "compatibility": Compatibility,
    "stats": Stats, "review": Review, "release": Release, "submission": Submission,
}


@dataclass(frozen=True)
class PluginEntry:
    """One listed plugin: the content of ``registry/plugins/<plugin_id>.json``."""

    plugin_id: str
    name: str
    short_description: str
    description: str
    category: str
    tags: tuple[str, ...]
    author: Author
    license: str
    repository: Repository
    versions: Versions
    compatibility: Compatibility
    permissions: tuple[str, ...]
    status: str
    verified: bool
    featured: bool
    created_at: str
    updated_at: str
    release: Release
    homepage: str | None = None
    dependencies: tuple[str, ...] | None = None
    features: tuple[str, ...] | None = None
    screenshots: tuple[str, ...] | None = None
    demo_video: str | None = None
    documentation: str | None = None
    issue_tracker: str | None = None
    stats: Stats | None = None
    review: Review | None = None
    submission: Submission | None = None
    waivers: tuple[Waiver, ...] | None = None
    endpoints: tuple[str, ...] | None = None
    """Origins the reviewed code can contact (top level: the client ignores unknown top-level keys)."""

    @classmethod
    def from_dict(cls, data: Any) -> PluginEntry:
        obj = _object(data, "", ENTRY_REQUIRED, tuple(key for key in ENTRY_KEYS if key not in ENTRY_REQUIRED))
        values: dict[str, Any] = {}
        for key in obj:
            if key in _NESTED:
                values[key] = _NESTED[key].from_dict(obj[key], f"/{key}")
            elif key == "waivers":
                if not isinstance(obj[key], list):
                    raise ModelError("/waivers", "应为数组 / must be an array")
                values[key] = tuple(Waiver.from_dict(item, f"/waivers/{i}") for i, item in enumerate(obj[key]))
            elif key in _STRING_LISTS:
                values[key] = _strings(obj, key, "")
            elif key in ("verified", "featured"):
                values[key] = _typed(obj, key, "", bool)
            else:
                values[key] = _typed(obj, key, "", str)
        return cls(**values)

    def to_dict(self) -> JsonObject:
        out: JsonObject = {}
        for key in ENTRY_KEYS:
            value = getattr(self, key)
            if key == "waivers" and value is not None:
                value = [waiver.to_dict() for waiver in value]
            _put(out, key, value.to_dict() if hasattr(value, "to_dict") else value)
        return out


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    description: str
    icon: str

    KEYS = ("id", "name", "description", "icon")

    @classmethod
    def from_dict(cls, data: Any, pointer: str = "") -> Category:
        obj = _object(data, pointer, cls.KEYS)
        return cls(*(_typed(obj, key, pointer, str) for key in cls.KEYS))

    def to_dict(self) -> JsonObject:
        return {key: getattr(self, key) for key in self.KEYS}


SEVERITIES = ("deprecated", "removed", "critical")


@dataclass(frozen=True)
class Tombstone:
    """A removed plugin id; it can never be listed again."""

    plugin_id: str
    reason: str
    severity: str
    date: str
    name: str = ""
    """The removed plugin's display name (recorded by ``RegistryStore.remove``): the review refuses names that
    look like it, as it refuses look-alike ids. ``""`` for tombstones written before it was recorded."""

    KEYS = ("plugin_id", "reason", "severity", "date")
    OPTIONAL_KEYS = ("name",)

    @classmethod
    def from_dict(cls, data: Any, pointer: str = "") -> Tombstone:
        obj = _object(data, pointer, cls.KEYS, cls.OPTIONAL_KEYS)
        plugin_id, reason, severity, date = (_typed(obj, key, pointer, str) for key in cls.KEYS)
        return cls(plugin_id, reason, severity, date, _optional(obj, "name", pointer, str) or "")

    def to_dict(self) -> JsonObject:
        document: JsonObject = {key: getattr(self, key) for key in self.KEYS}
        if self.name:
            document["name"] = self.name
        return document


def normalized_id(plugin_id: str) -> str:
    """Ids that differ only in case or ``-``/``_`` name the same plugin (no look-alike re-use)."""
    return plugin_id.casefold().replace("-", "_")


_NESTED_KEYS: dict[str, tuple[str, ...]] = {key: cls.KEYS for key, cls in _NESTED.items()}


class _KeyOrder(dict[tuple[str, ...], bool]):
    """Whether a tuple of keys appears in ``order``'s order, memoised per order: files written by the store
    share a few key orders, and a lookup by the keys alone hashes no order tuple."""

    def __init__(self, order: tuple[str, ...]) -> None:
        super().__init__()
        self.position = {key: index for index, key in enumerate(order)}

    def __missing__(self, keys: tuple[str, ...]) -> bool:
        indexes = [self.position.get(key, -1) for key in keys]
        known = self[keys] = -1 not in indexes and indexes == sorted(indexes)
        return known


_ENTRY_ORDER = _KeyOrder(ENTRY_KEYS)
_NESTED_ORDERS = tuple((key, _KeyOrder(order)) for key, order in _NESTED_KEYS.items())
_WAIVER_ORDER = _KeyOrder(Waiver.KEYS)
_LOCATION_ORDER = _KeyOrder(RepositoryLocation.KEYS)


def _locations(repository: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return [(name, repository[name]) for name in ("primary", "mirror") if name in repository]


def is_canonical(document: Mapping[str, Any]) -> bool:
    """Whether every object of ``document`` (a schema-valid entry) has its keys in the published order."""
    if not _ENTRY_ORDER[tuple(document)]:
        return False
    for key, in_order in _NESTED_ORDERS:
        nested = document.get(key)
        if nested is not None and not in_order[tuple(nested)]:
            return False
    waivers = document.get("waivers")
    if waivers and not all(_WAIVER_ORDER[tuple(item)] for item in waivers):
        return False
    return all(_LOCATION_ORDER[tuple(location)] for _, location in _locations(document["repository"]))


def canonical_entry(document: Mapping[str, Any]) -> JsonObject:
    """``document`` (a schema-valid entry) with every object's keys in the published order.

    Equal to ``PluginEntry.from_dict(document).to_dict()`` without building the objects: the
    fast path that keeps a 10k-plugin build within its time budget. A document already in order
    (every file the store writes) is returned as a plain copy of its top level.
    """
    if is_canonical(document):
        return dict(document)
    out: JsonObject = {key: document[key] for key in ENTRY_KEYS if key in document}
    for key, order in _NESTED_KEYS.items():
        nested = out.get(key)
        if nested is not None:
            out[key] = {name: nested[name] for name in order if name in nested}
    if isinstance(out.get("waivers"), list):
        out["waivers"] = [{name: item[name] for name in Waiver.KEYS if name in item} for item in out["waivers"]]
    repository = out["repository"]
    for name, location in _locations(repository):
        repository[name] = {key: location[key] for key in RepositoryLocation.KEYS}
    return out
