"""Load the JSON Schemas and compile them once into fast checking functions.

The ``jsonschema`` library takes about 0.7 ms per registry entry, which alone would spend 7 s on
10k plugins. The schemas here use a small set of draft 2020-12 keywords, so they are compiled into
plain predicates (about 19 µs per entry, 35x faster) with the same verdict; a keyword outside that set is refused
at compile time rather than silently ignored. The test suite checks the verdicts against ``jsonschema``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from wxreg.config import REPO_ROOT

SCHEMA_DIR = REPO_ROOT / "schemas"
REGISTRY_SCHEMA_PATH = SCHEMA_DIR / "registry.schema.json"

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class SchemaIssue:
    """Where a value breaks the schema (``path`` into the checked value) and by which keyword."""

    path: Path_
    keyword: str
    expected: Any
    """The keyword's value in the schema: the pattern, the enum, the missing key, ..."""


# A compiled node: returns True when ``value`` fits; with ``issues`` given it records every failure
# instead of stopping at the first one.
Check = Callable[[Any, Path_, list[SchemaIssue] | None], bool]

_ANNOTATIONS = {"$schema", "$id", "title", "description", "examples", "$defs", "$comment", "default"}
_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    # JSON Schema counts 1.0 as an integer.
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
}


def _type_predicate(kind: str | list[str]) -> Callable[[Any], bool]:
    """``type`` as one name or a list of names (``["string", "null"]``)."""
    if isinstance(kind, str):
        return _TYPES[kind]
    tests = tuple(_TYPES[name] for name in kind)
    return lambda v: any(test(v) for test in tests)


class UnsupportedSchema(ValueError):
    """The schema uses a keyword this compiler does not implement."""


def _json_equal(left: Any, right: Any) -> bool:
    # JSON distinguishes true from 1, Python does not.
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    return bool(left == right)


def _unique(items: list[Any]) -> bool:
    if all(isinstance(item, str) for item in items):
        return len(set(items)) == len(items)
    return not any(_json_equal(a, b) for i, a in enumerate(items) for b in items[i + 1 :])


class SchemaCompiler:
    """Compiles one schema document; ``$ref`` must point inside it (``#/$defs/name``)."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self._refs: dict[str, Check] = {}

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return lambda value, path, issues: True
        if not isinstance(schema, Mapping):
            raise UnsupportedSchema(f"schema must be an object or true: {schema!r}")
        checks: list[Check] = []
        for keyword, expected in schema.items():
            if keyword in _ANNOTATIONS:
                continue
            builder = getattr(self, "_kw_" + keyword.lstrip("$"), None)
            if builder is None:
                raise UnsupportedSchema(f"keyword {keyword!r} is not supported by the compiler")
            checks.append(builder(expected, schema))
        if len(checks) == 1:
            return checks[0]

        def all_of(value: Any, path: Path_, issues: list[SchemaIssue] | None) -> bool:
            ok = True
            for check in checks:
                if not check(value, path, issues):
                    if issues is None:
                        return False
                    ok = False
            return ok

        return all_of

    @staticmethod
    def _simple(keyword: str, expected: Any, test: Callable[[Any], bool]) -> Check:
        def check(value: Any, path: Path_, issues: list[SchemaIssue] | None) -> bool:
            if test(value):
                return True
            if issues is not None:
                issues.append(SchemaIssue(path, keyword, expected))
            return False

        return check

    def _kw_ref(self, target: str, _schema: Mapping[str, Any]) -> Check:
        if not target.startswith("#/$defs/"):
            raise UnsupportedSchema(f"only local $defs references are supported: {target!r}")
        name = target.removeprefix("#/$defs/")
        if name not in self.document.get("$defs", {}):
            raise UnsupportedSchema(f"unresolvable $ref {target!r}")

        # Resolved on first use, so definitions may refer to each other in any order.
        def check(value: Any, path: Path_, issues: list[SchemaIssue] | None) -> bool:
            compiled = self._refs.get(name)
            if compiled is None:
                compiled = self._refs[name] = self.compile(self.document["$defs"][name])
            return compiled(value, path, issues)

        return check

    def _kw_type(self, expected: str | list[str], _schema: Mapping[str, Any]) -> Check:
        return self._simple("type", expected, _type_predicate(expected))

    def _kw_enum(self, expected: list[Any], _schema: Mapping[str, Any]) -> Check:
        if all(isinstance(item, str) for item in expected):
            options = frozenset(expected)
            return self._simple("enum", expected, lambda v: isinstance(v, str) and v in options)
        return self._simple("enum", expected, lambda v: any(_json_equal(v, item) for item in expected))

    def _kw_const(self, expected: Any, _schema: Mapping[str, Any]) -> Check:
        return self._simple("const", expected, lambda v: _json_equal(v, expected))

    def _kw_pattern(self, expected: str, _schema: Mapping[str, Any]) -> Check:
        regex = re.compile(expected)
        return self._simple("pattern", expected, lambda v: not isinstance(v, str) or regex.search(v) is not None)

    def _kw_minLength(self, expected: int, _schema: Mapping[str, Any]) -> Check:
        return self._simple("minLength", expected, lambda v: not isinstance(v, str) or len(v) >= expected)

    def _kw_maxLength(self, expected: int, _schema: Mapping[str, Any]) -> Check:
        return self._simple("maxLength", expected, lambda v: not isinstance(v, str) or len(v) <= expected)

    def _kw_minimum(self, expected: float, _schema: Mapping[str, Any]) -> Check:
        number = _TYPES["number"]
        return self._simple("minimum", expected, lambda v: not number(v) or v >= expected)

    def _kw_maximum(self, expected: float, _schema: Mapping[str, Any]) -> Check:
        number = _TYPES["number"]
        return self._simple("maximum", expected, lambda v: not number(v) or v <= expected)

    def _kw_minItems(self, expected: int, _schema: Mapping[str, Any]) -> Check:
        return self._simple("minItems", expected, lambda v: not isinstance(v, list) or len(v) >= expected)

    def _kw_maxItems(self, expected: int, _schema: Mapping[str, Any]) -> Check:
        return self._simple("maxItems", expected, lambda v: not isinstance(v, list) or len(v) <= expected)

    def _kw_uniqueItems(self, expected: bool, _schema: Mapping[str, Any]) -> Check:
        return self._simple("uniqueItems", expected, lambda v: not expected or not isinstance(v, list) or _unique(v))

    def _kw_required(self, expected: list[str], _schema: Mapping[str, Any]) -> Check:
        def check(value: Any, path: Path_, issues: list[SchemaIssue] | None) -> bool:
            if not isinstance(value, dict):
                return True
            missing = [key for key in expected if key not in value]
            if issues is not None:
                issues.extend(SchemaIssue((*path, key), "required", key) for key in missing)
            return not missing

        return check

    def _kw_items(self, expected: Any, _schema: Mapping[str, Any]) -> Check:
        item_check = self.compile(expected)

        def check(value: Any, path: Path_, issues: list[SchemaIssue] | None) -> bool:
            if not isinstance(value, list):
                return True
            ok = True
            for index, item in enumerate(value):
                if not item_check(item, (*path, index), issues):
                    if issues is None:
                        return False
                    ok = False
            return ok

        return check

    def _kw_properties(self, expected: Mapping[str, Any], _schema: Mapping[str, Any]) -> Check:
        compiled = {key: self.compile(sub) for key, sub in expected.items()}

        def check(value: Any, path: Path_, issues: list[SchemaIssue] | None) -> bool:
            if not isinstance(value, dict):
                return True
            ok = True
            for key, item in value.items():
                sub = compiled.get(key)
                if sub is not None and not sub(item, (*path, key), issues):
                    if issues is None:
                        return False
                    ok = False
            return ok

        return check

    def _kw_additionalProperties(self, expected: Any, schema: Mapping[str, Any]) -> Check:
        known = frozenset(schema.get("properties", {}))
        if expected is False:

            def closed(value: Any, path: Path_, issues: list[SchemaIssue] | None) -> bool:
                if not isinstance(value, dict) or known.issuperset(value):
                    return True
                if issues is not None:
                    unknown = [key for key in value if key not in known]
                    issues.extend(SchemaIssue((*path, key), "additionalProperties", sorted(known)) for key in unknown)
                return False

            return closed
        extra_check = self.compile(expected)

        def extra(value: Any, path: Path_, issues: list[SchemaIssue] | None) -> bool:
            if not isinstance(value, dict):
                return True
            ok = True
            for key, item in value.items():
                if key not in known and not extra_check(item, (*path, key), issues):
                    if issues is None:
                        return False
                    ok = False
            return ok

        return extra

    def _kw_propertyNames(self, expected: Any, _schema: Mapping[str, Any]) -> Check:
        name_check = self.compile(expected)

        def check(value: Any, path: Path_, issues: list[SchemaIssue] | None) -> bool:
            if not isinstance(value, dict):
                return True
            ok = True
            for key in value:
                if not name_check(key, (*path, key), issues):
                    if issues is None:
                        return False
                    ok = False
            return ok

        return check


Predicate = Callable[[Any], bool]


class FastCompiler:
    """Compiles the same schema into plain predicates with the keywords of one object fused into one
    function: no paths, no issue lists, stop at the first failure. Only for the verdict; the
    :class:`SchemaCompiler` closures explain failures."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self._refs: dict[str, Predicate] = {}
        self._pending: set[str] = set()

    def ref(self, target: str) -> Predicate:
        name = target.removeprefix("#/$defs/")
        if name in self._refs:
            return self._refs[name]
        if name in self._pending:  # a recursive definition: resolve on use
            return lambda value: self._refs[name](value)
        self._pending.add(name)
        compiled = self._refs[name] = self.compile(self.document["$defs"][name])
        self._pending.discard(name)
        return compiled

    def compile(self, schema: Any) -> Predicate:
        if schema is True:
            return lambda value: True
        keywords = {key: value for key, value in schema.items() if key not in _ANNOTATIONS}
        predicates: list[Predicate] = []
        if "$ref" in keywords:
            predicates.append(self.ref(keywords.pop("$ref")))
        kind = keywords.pop("type", None)
        if kind == "object":
            predicates.append(self._object(keywords))
        elif kind == "string":
            predicates.append(self._string(keywords))
        elif kind == "array":
            predicates.append(self._array(keywords))
        elif kind in ("integer", "number"):
            predicates.append(self._number(kind, keywords))
        elif kind is not None:
            predicates.append(_type_predicate(kind))
        if "enum" in keywords:
            options = keywords.pop("enum")
            if all(isinstance(option, str) for option in options):
                members = frozenset(options)
                predicates.append(lambda v: isinstance(v, str) and v in members)
            else:
                predicates.append(lambda v: any(_json_equal(v, option) for option in options))
        if "const" in keywords:
            constant = keywords.pop("const")
            predicates.append(lambda v: _json_equal(v, constant))
        number = _TYPES["number"]
        if "minimum" in keywords:
            low = keywords.pop("minimum")
            predicates.append(lambda v: not number(v) or v >= low)
        if "maximum" in keywords:
            high = keywords.pop("maximum")
            predicates.append(lambda v: not number(v) or v <= high)
        if keywords:
            # Keywords that only apply to one type, on a schema without that type: rare, use the slow path.
            slow = SchemaCompiler(self.document).compile(keywords)
            predicates.append(lambda v: slow(v, (), None))
        if len(predicates) == 1:
            return predicates[0]
        if len(predicates) == 2:
            first, second = predicates
            return lambda value: first(value) and second(value)
        return lambda value: all(predicate(value) for predicate in predicates)

    @staticmethod
    def _number(kind: str, keywords: dict[str, Any]) -> Predicate:
        is_kind = _TYPES[kind]
        low = keywords.pop("minimum", float("-inf"))
        high = keywords.pop("maximum", float("inf"))
        return lambda value: is_kind(value) and low <= value <= high

    def _string(self, keywords: dict[str, Any]) -> Predicate:
        low = keywords.pop("minLength", 0)
        high = keywords.pop("maxLength", None)
        pattern = keywords.pop("pattern", None)
        search = re.compile(pattern).search if pattern is not None else None
        if high is None:
            high = float("inf")

        def check(value: Any) -> bool:
            return (isinstance(value, str) and low <= len(value) <= high
                    and (search is None or search(value) is not None))

        return check

    def _array(self, keywords: dict[str, Any]) -> Predicate:
        item = self.compile(keywords.pop("items", True))
        low = keywords.pop("minItems", 0)
        high = keywords.pop("maxItems", None)
        unique = keywords.pop("uniqueItems", False)
        if high is None:
            high = float("inf")

        def check(value: Any) -> bool:
            if not isinstance(value, list) or not low <= len(value) <= high:
                return False
            if unique and not _unique(value):
                return False
            return all(item(element) for element in value)

        return check

    def _object(self, keywords: dict[str, Any]) -> Predicate:
        properties = {key: self.compile(sub) for key, sub in keywords.pop("properties", {}).items()}
        required = keywords.pop("required", ())
        extra = keywords.pop("additionalProperties", True)
        closed = extra is False
        extra_check = None if extra is True or closed else self.compile(extra)
        names = keywords.pop("propertyNames", None)
        name_check = None if names is None else self.compile(names)

        required_keys = frozenset(required)
        known = frozenset(properties)
        if closed and name_check is None:
            # The common case (every object of the registry): key-set tests run in C, then one call per value.
            def closed_check(value: Any) -> bool:
                if not isinstance(value, dict):
                    return False
                keys = value.keys()
                if not (required_keys <= keys and keys <= known):
                    return False
                for key, item in value.items():  # noqa: SIM110 - a loop is faster than all() over a generator
                    if not properties[key](item):
                        return False
                return True

            return closed_check

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return False
            if not required_keys <= value.keys():
                return False
            for key, item in value.items():
                sub = properties.get(key)
                if sub is None:
                    if closed or (extra_check is not None and not extra_check(item)):
                        return False
                elif not sub(item):
                    return False
                if name_check is not None and not name_check(key):
                    return False
            return True

        return check


@dataclass(frozen=True)
class CompiledSchema:
    """A schema document and its compiled checks, by ``$defs`` name ("" for the root)."""

    document: Mapping[str, Any]
    checks: Mapping[str, Check]
    predicates: Mapping[str, Predicate]

    def is_valid(self, value: Any, definition: str = "") -> bool:
        return self.predicates[definition](value)

    def issues(self, value: Any, definition: str = "") -> list[SchemaIssue]:
        found: list[SchemaIssue] = []
        self.checks[definition](value, (), found)
        return found


def compile_schema(document: Mapping[str, Any]) -> CompiledSchema:
    compiler, fast = SchemaCompiler(document), FastCompiler(document)
    checks = {"": compiler.compile(document)}
    predicates = {"": fast.compile(document)}
    for name in document.get("$defs", {}):
        checks[name] = compiler.compile({"$ref": f"#/$defs/{name}"})
        predicates[name] = fast.ref(f"#/$defs/{name}")
    return CompiledSchema(document, checks, predicates)


def load_schema(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        document: dict[str, Any] = json.load(handle)
    return document


@cache
def registry_schema() -> CompiledSchema:
    """``schemas/registry.schema.json``, compiled once per process."""
    return compile_schema(load_schema(REGISTRY_SCHEMA_PATH))
