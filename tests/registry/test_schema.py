"""The registry schema is valid draft 2020-12, its examples validate, and our engine (jsonschema-rs) agrees
with the reference ``jsonschema`` implementation on valid and broken documents."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from wxreg.digest import DIGEST_PATTERN
from wxreg.schema import compile_schema, registry_schema
from wxreg.validate import CATEGORY_IDS

EXAMPLE_ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "registry-example"
DOCUMENT = registry_schema().document


def _reference(definition: str) -> Draft202012Validator:
    registry: Registry[Any] = Registry().with_resource(DOCUMENT["$id"], Resource.from_contents(DOCUMENT))
    return Draft202012Validator({"$ref": f"{DOCUMENT['$id']}#/$defs/{definition}"}, registry=registry)


def test_schema_is_valid_draft_2020_12_with_id_and_examples() -> None:
    Draft202012Validator.check_schema(DOCUMENT)
    assert DOCUMENT["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert DOCUMENT["$id"].endswith("/registry.schema.json")
    assert DOCUMENT["examples"]
    for example in DOCUMENT["examples"]:
        assert list(Draft202012Validator(DOCUMENT).iter_errors(example)) == []
        assert registry_schema().is_valid(example)


def test_committed_registries_validate_against_the_root_schema() -> None:
    for path in (EXAMPLE_ROOT / "registry" / "registry.json", Path("registry/registry.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        assert list(Draft202012Validator(DOCUMENT).iter_errors(document)) == []


def test_digest_pattern_is_the_digest_modules() -> None:
    assert DOCUMENT["$defs"]["digest"]["pattern"] == DIGEST_PATTERN.pattern


def test_category_ids_are_the_six_the_client_knows() -> None:
    # The upstream client's categories, plus "other" that its submission form offers.
    assert CATEGORY_IDS == ("ai_platform", "automation", "integration", "utility", "entertainment", "other")
    categories = json.loads(Path("registry/categories.json").read_text(encoding="utf-8"))
    assert tuple(item["id"] for item in categories) == CATEGORY_IDS


def _entries() -> list[dict[str, Any]]:
    paths = sorted((EXAMPLE_ROOT / "registry" / "plugins").glob("*.json"))
    return [json.loads(path.read_text(encoding="utf-8")) for path in paths]


_ODD_VALUES: list[Any] = [None, True, 0, 1.5, -1, "", "x", "v1.2.0", "1.2.0", [], ["a", "a"], {}, {"k": 1}, 10**6,
                          "http://x", "https://example.com/a b", "0" * 40, "h1:" + "A" * 43 + "="]


def _mutations(entry: dict[str, Any], rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Random single-point corruptions: replace, delete or add a key anywhere in the entry."""
    out = []
    for _ in range(count):
        doc = copy.deepcopy(entry)
        node: Any = doc
        for _depth in range(rng.randint(0, 3)):
            pairs: list[tuple[Any, Any]] = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
            children = [(key, value) for key, value in pairs if isinstance(value, dict | list) and value]
            if not children:
                break
            node = rng.choice(children)[1]
        if isinstance(node, dict) and node:
            key = rng.choice(sorted(node))
            action = rng.choice(["replace", "delete", "add"])
            if action == "replace":
                node[key] = rng.choice(_ODD_VALUES)
            elif action == "delete":
                del node[key]
            else:
                node["unexpected_" + key] = rng.choice(_ODD_VALUES)
        elif isinstance(node, list) and node:
            node[rng.randrange(len(node))] = rng.choice(_ODD_VALUES)
        out.append(doc)
    return out


def test_compiled_checker_agrees_with_jsonschema_on_entries() -> None:
    reference = _reference("plugin_entry")
    compiled = registry_schema()
    rng = random.Random(7)
    documents = [*_entries(), *(m for entry in _entries() for m in _mutations(entry, rng, 400))]
    verdicts = {True: 0, False: 0}
    for document in documents:
        expected = reference.is_valid(document)
        assert compiled.is_valid(document, "plugin_entry") == expected, document
        assert (compiled.issues(document, "plugin_entry") == []) == expected
        verdicts[expected] += 1
    assert verdicts[True] > 3 and verdicts[False] > 500  # both outcomes really exercised


def test_compiled_checker_reports_the_same_paths_as_jsonschema() -> None:
    entry = _entries()[1]  # smart_customer_service: has stats
    entry["author"]["email"] = 5
    entry["stats"]["views"] = 1
    del entry["versions"]["stable"]
    reference = {tuple(error.absolute_path) for error in _reference("plugin_entry").iter_errors(entry)}
    paths = {issue.path for issue in registry_schema().issues(entry, "plugin_entry")}
    # jsonschema reports required/additionalProperties at the object; we point at the key itself.
    assert {("author", "email"), ("stats", "views"), ("versions", "stable")} == paths
    assert {("author", "email"), ("stats",), ("versions",)} == reference


def test_an_invalid_schema_is_refused_when_loaded() -> None:
    with pytest.raises(ValueError):
        compile_schema({"type": "objekt"})
    with pytest.raises(ValueError):
        compile_schema({"properties": {"n": {"minLength": -1}}})


def test_json_booleans_are_not_numbers() -> None:
    schema = compile_schema({"type": "object", "properties": {"n": {"type": "integer"}, "e": {"enum": [1]}}})
    assert not schema.is_valid({"n": True})
    assert schema.is_valid({"n": 1.0})  # JSON Schema counts 1.0 as an integer
    assert not schema.is_valid({"e": True})


def test_compiled_root_checker_agrees_with_jsonschema() -> None:
    """The root uses keywords the entry does not (const, propertyNames, additionalProperties as a schema)."""
    reference = Draft202012Validator(DOCUMENT)
    document = json.loads((EXAMPLE_ROOT / "registry" / "registry.json").read_text(encoding="utf-8"))
    rng = random.Random(11)
    variants = [document]
    for key, value in [("version", "2.0.0"), ("mirror_urls", ["a", "a"]), ("extra", 1), ("removed", [{}])]:
        variants.append({**document, key: value})
    for key, value in [("category_counts", {"games": 1}), ("category_counts", {"other": -1}), ("total_plugins", 1.5)]:
        variants.append({**document, "metadata": {**document["metadata"], key: value}})
    variants.extend(_mutations(document, rng, 300))
    outcomes = set()
    for variant in variants:
        expected = reference.is_valid(variant)
        assert registry_schema().is_valid(variant) == expected, variant
        assert (registry_schema().issues(variant) == []) == expected
        outcomes.add(expected)
    assert outcomes == {True, False}
