"""Our JSON Schemas: valid draft 2020-12, with an $id and examples that validate."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from tests.support.plugins import GOOD_PLUGIN

from wxreg.config import REPO_ROOT
from wxreg.review.submission import parse_issue_body

SCHEMAS = REPO_ROOT / "schemas"


def load(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["plugin-manifest.schema.json", "submission.schema.json"])
def test_schema_is_valid_with_id_and_examples(name: str) -> None:
    schema = load(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith(name)
    assert schema["examples"]
    for example in schema["examples"]:
        Draft202012Validator(schema).validate(example)


def test_good_plugin_manifest_is_valid() -> None:
    manifest = json.loads((GOOD_PLUGIN / "plugin.json").read_text(encoding="utf-8"))
    Draft202012Validator(load("plugin-manifest.schema.json")).validate(manifest)


BASE = {"plugin_id": "hello_world", "name": "Hello", "version": "1.0.0", "entry_point": "main.py"}


@pytest.mark.parametrize(
    "change",
    [
        {"plugin_id": "Hello_World"},
        {"plugin_id": "hello-world"},
        {"plugin_id": "hw"},
        {"version": "1.0.0.0.1"},
        {"version": "1.0.0-beta.1"},
        {"version": "1"},
        {"entry_point": "main.js"},
        {"entry_point": "../outside.py"},
        {"entry_point": "/abs/main.py"},
        {"permissions": ["network.ftp"]},
        {"supported_os": ["FreeBSD"]},
        {"category": "games"},
        {"python_version": "python3"},
        {"unknown_key": 1},
    ],
)
def test_manifest_schema_rejects(change: dict[str, Any]) -> None:
    validator = Draft202012Validator(load("plugin-manifest.schema.json"))
    assert not validator.is_valid({**BASE, **change})


def test_manifest_schema_accepts_client_shapes() -> None:
    validator = Draft202012Validator(load("plugin-manifest.schema.json"))
    for version in ("1.0", "1.0.0", "1.0.0.1"):
        assert validator.is_valid({**BASE, "version": version})


def test_parsed_submission_validates_against_its_schema() -> None:
    from tests.support.submission import good_body

    parsed = parse_issue_body(good_body())
    Draft202012Validator(load("submission.schema.json")).validate(parsed.submission.to_dict())


def test_hostile_bodies_still_give_schema_valid_submissions() -> None:
    from tests.support.submission import good_body

    validator = Draft202012Validator(load("submission.schema.json"))
    bodies = [
        None,
        "",
        "### 插件 ID / Plugin ID\n\n" + "x" * 5000,
        good_body(description="y" * 70_000),
        good_body(author_email="a@b.c\nsecond"),
        good_body().replace("- [ ] file.read", "- [X] file.read\n- [X] root.access"),
    ]
    for body in bodies:
        validator.validate(parse_issue_body(body).submission.to_dict())
