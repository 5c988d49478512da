"""Every JSON Schema of the repository, validated by one engine: ``jsonschema-rs`` (draft 2020-12).

The registry schema is checked once per plugin file on every ``wxreg validate`` (10k plugins in well under
a second); the plugin manifest and the submission record go through the same engine. A failure is reported as
:class:`SchemaIssue` values: the JSON path of the offending value, the keyword, and the keyword's value in the
schema, so :mod:`wxreg.validate` and the review can turn each one into a bilingual message with a hint.

``jsonschema-rs`` reports ``required`` and ``additionalProperties`` at the parent object; they are turned
into one issue per missing or unexpected key, at the key's own path, which is where a person looks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

from wxreg.config import REPO_ROOT

SCHEMA_DIR = REPO_ROOT / "schemas"
REGISTRY_SCHEMA_PATH = SCHEMA_DIR / "registry.schema.json"
MANIFEST_SCHEMA_PATH = SCHEMA_DIR / "plugin-manifest.schema.json"
SUBMISSION_SCHEMA_PATH = SCHEMA_DIR / "submission.schema.json"

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class SchemaIssue:
    """Where a value breaks the schema (``path`` into the checked value) and by which keyword."""

    path: Path_
    keyword: str
    expected: Any
    """The keyword's value in the schema: the pattern, the enum, the required keys, the allowed keys, ..."""


def _resolve(document: Any, path: Any) -> Any:
    node = document
    for part in path:
        node = node[part]
    return node


@dataclass(frozen=True)
class CompiledSchema:
    """A schema document and one validator per ``$defs`` name ("" for the root), built on first use."""

    document: Mapping[str, Any]
    _validators: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def _validator(self, definition: str) -> Any:
        validator = self._validators.get(definition)
        if validator is None:
            if definition:
                if definition not in self.document.get("$defs", {}):
                    raise KeyError(f"no $defs/{definition} in the schema")
                root = {key: value for key, value in self.document.items() if key in ("$schema", "$id", "$defs")}
                root["$ref"] = f"#/$defs/{definition}"
            else:
                root = dict(self.document)
            validator = jsonschema_rs.Draft202012Validator(root, validate_formats=False)
            self._validators[definition] = validator
        return validator

    def is_valid(self, value: Any, definition: str = "") -> bool:
        return bool(self._validator(definition).is_valid(value))

    def issues(self, value: Any, definition: str = "") -> list[SchemaIssue]:
        return list(self._issues(value, definition))

    def _issues(self, value: Any, definition: str) -> Iterator[SchemaIssue]:
        for error in self._validator(definition).iter_errors(value):
            path: Path_ = tuple(error.instance_path)
            schema_path = list(error.schema_path)
            keyword = str(schema_path[-1]) if schema_path else error.kind.name
            if keyword == "required":
                yield SchemaIssue((*path, str(error.kind.property)), keyword, _resolve(self.document, schema_path))
            elif keyword == "additionalProperties":
                parent = _resolve(self.document, schema_path[:-1])
                allowed = sorted(parent.get("properties", {}))
                for key in error.kind.unexpected:
                    yield SchemaIssue((*path, str(key)), keyword, allowed)
            else:
                yield SchemaIssue(path, keyword, _resolve(self.document, schema_path))


def compile_schema(document: Mapping[str, Any]) -> CompiledSchema:
    """Check that ``document`` is a valid draft 2020-12 schema and wrap it; validators are built lazily."""
    jsonschema_rs.meta.validate(dict(document))
    return CompiledSchema(document)


def load_schema(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        document: dict[str, Any] = json.load(handle)
    return document


@cache
def registry_schema() -> CompiledSchema:
    """``schemas/registry.schema.json``, compiled once per process."""
    return compile_schema(load_schema(REGISTRY_SCHEMA_PATH))


@cache
def manifest_schema() -> CompiledSchema:
    """``schemas/plugin-manifest.schema.json`` (a plugin's own ``plugin.json``)."""
    return compile_schema(load_schema(MANIFEST_SCHEMA_PATH))


@cache
def submission_schema() -> CompiledSchema:
    """``schemas/submission.schema.json`` (what the issue-form parser produces)."""
    return compile_schema(load_schema(SUBMISSION_SCHEMA_PATH))
