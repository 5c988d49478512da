"""``registry/revoked.json``: schema, canonical bytes, known ids; ``wxreg revoke --local`` and its PR."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from wxreg.catalog import data as catalog_data
from wxreg.cli import main
from wxreg.revocations import REVOKED_FILE, Revocation, dump, parse, problems, revoke_pull
from wxreg.validate import validate_registry
from wxsandbox.github import GitHubStandIn
from wxsandbox.github.testing import forge, pygithub

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "registry-example"
BLOCK = Revocation("weather_query", ("1.2.0",), "block", "窃取聊天记录", "steals chat logs",
                   "https://example.org/advisories/1", "2026-11-01T00:00:00Z")
REVOKE = ["revoke", "--plugin-id", "weather_query", "--version", "1.2.0", "--reason-zh", "窃取聊天记录",
          "--reason-en", "steals chat logs", "--advisory", "https://example.org/advisories/1",
          "--date", "2026-11-01T00:00:00Z"]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(EXAMPLE, target)
    return target


def test_revoke_local_writes_canonical_bytes_that_validate(root: Path) -> None:
    assert main([*REVOKE, "--local", "--root", str(root)]) == 0
    assert main([*REVOKE, "--local", "--root", str(root)]) == 0  # the same revocation again: replaced, not added
    data = (root / REVOKED_FILE).read_bytes()
    assert parse(data) == [BLOCK] and data == dump([BLOCK])
    assert validate_registry(root) == []
    assert main([*REVOKE[:3], "--all-versions", *REVOKE[5:], "--severity", "warn", "--local", "--root",
                 str(root)]) == 0
    assert [r.versions for r in parse((root / REVOKED_FILE).read_bytes())] == [("*",), ("1.2.0",)]


def test_revocation_matching() -> None:
    assert BLOCK.covers("weather_query", "1.2") and BLOCK.covers("weather-query", "v1.2.0")
    assert not BLOCK.covers("weather_query", "1.2.1") and not BLOCK.covers("weather_query_2", "1.2.0")
    assert "steals chat logs" in BLOCK.message() and "窃取聊天记录" in BLOCK.message()


@pytest.mark.parametrize(("document", "expected"), [
    ({"revocations": [{**BLOCK.to_dict(), "plugin_id": "wether_query"}]}, "unknown plugin wether_query"),
    ({"revocations": [{**BLOCK.to_dict(), "severity": "maybe"}]}, "/revocations/0/severity"),
    ({"revocations": [{**BLOCK.to_dict(), "advisory": "http://example.org"}]}, "/revocations/0/advisory"),
    ({"revocations": [{**BLOCK.to_dict(), "reason": {"zh": "只有中文"}}]}, "/revocations/0/reason"),
    ({"revocations": [{**BLOCK.to_dict(), "versions": ["*", "1.0.0"]}]}, "must stand alone"),
    ({"revocations": [BLOCK.to_dict()], "extra": 1}, "additionalProperties"),
])
def test_validate_names_each_broken_revocation(root: Path, document: dict[str, object], expected: str) -> None:
    (root / REVOKED_FILE).write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    found = problems(root)
    assert found and any(expected in f"{p.pointer} {p.message}" for p in found), found
    assert validate_registry(root) == found


def test_hand_formatted_file_is_not_canonical(root: Path) -> None:
    (root / REVOKED_FILE).write_text(json.dumps({"revocations": [BLOCK.to_dict()]}), encoding="utf-8")
    assert [p.message for p in problems(root)] == [
        "不是规范格式（顺序或缩进）/ not in canonical form (order or indent)"]


def test_revoke_opens_one_pr_through_the_publisher_and_updates_it(tmp_path: Path, root: Path) -> None:
    with GitHubStandIn(tmp_path / "github") as github:
        token = github.add_user("maria")
        github.create_repo("maria", "registry")
        github.push_directory("maria/registry", root)
        repo = pygithub(github, token).get_repo("maria/registry")

        maria = forge(github, token, "maria/registry", bot_login="maria")
        first = revoke_pull(maria, "main", BLOCK)
        warn = Revocation(**{**BLOCK.__dict__, "severity": "warn"})
        second = revoke_pull(maria, "main", warn)

        assert first == second
        pulls = list(repo.get_pulls(state="open"))
        assert [pull.head.ref for pull in pulls] == ["revoke/weather_query"]
        files = {f.filename: f for f in pulls[0].get_files()}
        assert list(files) == [REVOKED_FILE]
        content = repo.get_contents(REVOKED_FILE, ref="revoke/weather_query").decoded_content
        assert parse(content) == [warn] and content == dump([warn])


def test_the_catalog_marks_what_clients_refuse_one_revocation_type() -> None:
    """The catalog shows revocations through the one ``Revocation`` (no copy whose version match could drift)."""
    assert catalog_data.Revocation is Revocation
    item = Revocation("p", ("v1.2",), "block", "原因", "reason", "https://example.com/a", "2026-01-01")
    assert item.covers_version("1.2.0") and item.covers("p", "1.2") and not item.covers_version("1.2.1")
    assert Revocation("p", ("*",), "warn", "z", "e", "a", "d").all_versions


@pytest.mark.parametrize(("raw", "expected"), [
    (b'{"revocations": [], "revocations": []}\n', "duplicate key revocations"),
    (b'{"revocations": [{"plugin_id": NaN}]}\n', "NaN"),
    (b'\xff\xfe{}', "not UTF-8"),
])
def test_revoked_json_is_read_as_strictly_as_every_registry_file(root: Path, raw: bytes, expected: str) -> None:
    # A second "revocations" key would hide the first from a lenient reader: one revocation list, one verdict.
    (root / REVOKED_FILE).write_bytes(raw)
    found = problems(root)
    assert len(found) == 1 and found[0].file == REVOKED_FILE and expected in found[0].message, found
