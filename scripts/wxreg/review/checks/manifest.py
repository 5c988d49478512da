"""plugin.json: valid against the schema, agreeing with the submission and the tag, entry point present."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from typing import Any

from wxreg.review import rules
from wxreg.review.context import ReviewContext
from wxreg.review.findings import Finding

MANIFEST = "plugin.json"
MAX_SCHEMA_FINDINGS = 20


def load_manifest(data: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """``(manifest, None)`` or ``(None, why not)``."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return None, str(exc)[:200]
    if not isinstance(value, dict):
        return None, "不是 JSON 对象 / not a JSON object"
    return value, None


def _languages(message: str) -> tuple[str, str]:
    """The Chinese and the English half of a registry validator message (``中文 / English``); the whole message
    for both when it does not split into exactly two halves (a value shown in it may itself hold " / ")."""
    halves = message.split(" / ")
    return (halves[0], halves[1]) if len(halves) == 2 else (message, message)


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
        from wxreg.schema import manifest_schema  # the schema validator, loaded once the review is under way

        schema = manifest_schema()
        schema_found = []
        if not schema.is_valid(manifest, ""):
            from wxreg.validate import schema_problems  # the registry validator's messages, only when needed

            schema_found = sorted(schema_problems(MANIFEST, manifest, "", schema), key=lambda p: p.pointer)
        for found in schema_found[:MAX_SCHEMA_FINDINGS]:
            keys = [part for part in found.pointer.split("/") if part]
            zh, en = _languages(found.message)
            yield rules.M003.at(
                MANIFEST, _line_of(item.data, keys), pointer=found.pointer or "/", detail_zh=zh, detail_en=en,
                hint=found.hint,
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
