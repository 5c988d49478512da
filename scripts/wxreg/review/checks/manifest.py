"""plugin.json: valid against the schema, agreeing with the submission and the tag, entry point present."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator

from wxreg.review import rules
from wxreg.review.context import ReviewContext
from wxreg.review.findings import Finding
from wxreg.review.policy import MANIFEST_SCHEMA_PATH

MANIFEST = "plugin.json"
MAX_SCHEMA_FINDINGS = 20


@lru_cache(maxsize=1)
def manifest_validator() -> Any:
    schema = json.loads(MANIFEST_SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def load_manifest(data: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """``(manifest, None)`` or ``(None, why not)``."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return None, str(exc)[:200]
    if not isinstance(value, dict):
        return None, "不是 JSON 对象 / not a JSON object"
    return value, None


class ManifestCheck:
    name = "manifest"

    def run(self, ctx: ReviewContext) -> Iterator[Finding]:
        item = ctx.tree.get(MANIFEST)
        if item is None:
            yield rules.M001.at(MANIFEST)
            return
        manifest, problem = load_manifest(item.data)
        if manifest is None:
            yield rules.M002.at(MANIFEST, detail=problem)
            return
        errors = sorted(manifest_validator().iter_errors(manifest), key=lambda e: list(e.absolute_path))
        for error in errors[:MAX_SCHEMA_FINDINGS]:
            pointer = "/" + "/".join(str(p) for p in error.absolute_path)
            yield rules.M003.at(
                MANIFEST, _line_of(item.data, error.absolute_path), pointer=pointer, detail=error.message
            )

        sub = ctx.submission
        if sub.source == "issue":
            for field, key, submitted in (
                ("插件 ID / plugin id", "plugin_id", sub.plugin_id),
                ("名称 / name", "name", sub.plugin_name),
                ("版本 / version", "version", sub.version),
            ):
                if submitted and manifest.get(key) != submitted:
                    yield rules.M004.at(MANIFEST, field=field, submitted=submitted, manifest=manifest.get(key))
        version = manifest.get("version")
        tag = ctx.tree.tag
        if isinstance(version, str) and tag.removeprefix("v") != version:
            yield rules.M005.at(MANIFEST, version=version, tag=tag)

        entry = manifest.get("entry_point")
        if not isinstance(entry, str) or not entry.endswith(".py"):
            return
        entry_file = ctx.code.get(entry.removeprefix("./"))
        if entry_file is None:
            yield rules.M006.at(MANIFEST, entry=entry)
            return
        parsed = entry_file.module()
        if isinstance(parsed, SyntaxError):
            yield rules.M008.at(entry_file.path, parsed.lineno, detail=parsed.msg or str(parsed))
            return
        class_name = manifest.get("class_name", "Plugin")
        if isinstance(class_name, str) and not any(
            isinstance(node, ast.ClassDef) and node.name == class_name for node in parsed.body
        ):
            yield rules.M007.at(entry_file.path, class_name=class_name)


def _line_of(data: bytes, path: Any) -> int | None:
    """Best effort: the line of the first key named in the JSON pointer."""
    keys = [p for p in path if isinstance(p, str)]
    if not keys:
        return None
    needle = f'"{keys[0]}"'
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        if needle in line:
            return number
    return None
