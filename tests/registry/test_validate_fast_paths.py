"""The fast paths of ``wxreg validate`` give the verdicts of the straightforward checks they replace.

``wxreg validate`` parses a file without the duplicate-key hook when the file's one-line form proves the hook
could not have fired. These tests run tricky and random files through :func:`wxreg.validate.parse_json` and
through an independent strict parse written here, and require the same value or the same error for each.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from wxreg.build import render_json
from wxreg.validate import (
    _timestamp_problem,
    entry_rule_problems,
    parse_json,
    quick_json,
    read_json,
    validate_registry,
)

EXAMPLE_PLUGINS = Path(__file__).resolve().parents[1] / "fixtures" / "registry-example" / "registry" / "plugins"


class _Duplicate(ValueError):
    pass


class _Constant(ValueError):
    pass


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    for index, key in enumerate(keys):
        if key in keys[:index]:
            raise _Duplicate(key)
    return dict(pairs)


def _refuse_constant(name: str) -> Any:
    raise _Constant(name)


def _typed(value: Any) -> Any:
    """``value`` with every type and key order spelled out (``1 == 1.0 == True`` in Python, not in JSON)."""
    if isinstance(value, dict):
        return ("object", [(key, _typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("array", [_typed(item) for item in value])
    return (type(value).__name__, repr(value))


def _reference(raw: bytes) -> Any:
    """What the strict parse says about ``raw``: the value, or the error and its message."""
    try:
        return _typed(json.loads(raw.decode("utf-8"), object_pairs_hook=_refuse_duplicates,
                                 parse_constant=_refuse_constant))
    except _Duplicate as exc:
        return ("duplicate key", str(exc))
    except _Constant as exc:
        return ("constant", str(exc))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError, JSONDecodeError, too many digits
        return (type(exc).__name__, str(exc))


def _actual(raw: bytes) -> Any:
    try:
        value, line = parse_json(raw)
    except (ValueError, RecursionError) as exc:
        name = type(exc).__name__
        if name == "_DuplicateKey":
            return ("duplicate key", str(exc))
        if name == "_NotJson":
            return ("constant", str(exc).split(" ", 1)[0])
        return (name, str(exc))
    if line is not None:
        assert line == json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
    return _typed(value)


TRICKY: dict[str, bytes] = {
    "duplicate at the top": b'{"a": 1, "a": 1}',
    "duplicate with equal values, indented": b'{\n  "a": {\n    "b": 1\n  },\n  "a": {\n    "b": 1\n  }\n}\n',
    "duplicate in a nested object": b'{"author": {"name": "x", "email": "e", "name": "x"}}',
    "duplicate in an object in an array": b'{"waivers": [{"rule": "a"}, {"rule": "b", "rule": "b"}]}',
    "duplicate spelled with an escape": b'{"a": 1, "\\u0061": 1}',
    "duplicate whose lost value has a colon": b'{"a": "\\u003a", "a": ":"}',
    "duplicate whose lost value is empty": b'{"a": "", "a": ""}',
    "duplicate key holding spaces": b'{"a b": 1, "a b": 1}',
    "keys that differ only by a space": b'{"a b": 1, "ab": 1}',
    "a key with a colon and a quote": b'{"a\\":b": "c: d", "e": "\\"f\\""}',
    "NaN": b'{"rating": NaN}',
    "Infinity": b'{"rating": Infinity}',
    "-Infinity in an array": b'[1, -Infinity]',
    "NaN in a member a duplicate hides": b'{"a": NaN, "a": 1}',
    "a number too large for a float": b'{"rating": 1e400}',
    "a negative number too large": b'[-1e400]',
    "a 5000-digit integer": b'{"downloads": ' + b"9" * 5000 + b"}",
    "a 300-digit integer": b'{"downloads": ' + b"9" * 300 + b"}",
    "numbers in other spellings": b'[1.0, 1.50, 1E2, 1e-7, -0, -0.0, 0.1, 100000000000000000000.0]',
    "a UTF-8 BOM": b'\xef\xbb\xbf{"a": 1}',
    "not UTF-8": b'{"a": "\xff"}',
    "UTF-16": '{"a": 1}'.encode("utf-16"),
    "trailing data": b'{"a": 1} {"a": 1}',
    "a trailing word": b'{"a": 1}x',
    "trailing newlines": b'{"a": 1}\n\n',
    "leading spaces": b'   {"a": 1}',
    "tabs": b'{\t"a":\t1}',
    "CRLF line ends": b'{\r\n  "a": 1\r\n}\r\n',
    "a lone surrogate": b'{"a": "\\ud800"}',
    "a raw newline in a string": b'{"a": "x\ny"}',
    "a raw control character in a string": b'{"a": "x\x01y"}',
    "escapes the one-line form spells otherwise": b'{"a": "\\/\\u00e9\\u4e2d"}',
    "escapes the one-line form keeps": b'{"a": "x\\ny\\t\\"\\\\\\u0001"}',
    "non-ASCII text": '{"名称": "插件 一"}'.encode(),
    "empty file": b"",
    "only spaces": b"   \n",
    "empty containers": b'{"a": {}, "b": [], "c": [{}], "d": ""}',
    "literals": b"[true, false, null]",
    "a bare string": b'"a"',
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "unclosed": b'{"plugin_id": "weather_query",\n',
    "a space inside a number": b"[1 2]",
    "a space inside a literal": b"[tr ue]",
    "a space inside a negative number": b"[- 1]",
    "a character split by a space": b'{"a": "\xe4 \xb8\xad"}',
    "a raw NUL in a string": b'{"a": "x\x00y"}',
    "a raw tab in a string": b'{"a": "x\ty"}',
    "spaces inside strings and keys": b'{" a ": "x  y ", "b": " ", "c": "  "}',
    "a duplicate whose values differ in spaces": b'{"a": "x y", "a": "xy"}',
    "an integer beyond 64 bits": b"[" + b"9" * 30 + b"]",
    "a negative integer beyond 64 bits": b"[-" + b"9" * 20 + b"]",
    "nesting deeper than 1024": b"[" * 2000 + b"]" * 2000,
    "nested objects deeper than 1024": b'{"a": ' * 2000 + b"1" + b"}" * 2000,
}


@pytest.mark.parametrize("raw", TRICKY.values(), ids=TRICKY.keys())
def test_tricky_files_get_the_strict_verdict(raw: bytes) -> None:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(5000)  # room for _typed on 2000 levels
    try:
        assert _actual(raw) == _reference(raw)
    finally:
        sys.setrecursionlimit(limit)


@pytest.mark.parametrize("name", ["duplicate at the top", "duplicate with equal values, indented",
                                  "duplicate in an object in an array", "duplicate spelled with an escape",
                                  "duplicate whose lost value is empty", "NaN in a member a duplicate hides",
                                  "a number too large for a float", "a UTF-8 BOM"])
def test_the_fast_path_declines_what_only_the_strict_parse_can_judge(name: str) -> None:
    assert quick_json(TRICKY[name]) is None


def test_the_fast_path_takes_every_file_the_store_writes() -> None:
    for path in sorted(EXAMPLE_PLUGINS.glob("*.json")):
        raw = path.read_bytes()
        document = json.loads(raw)
        for written in (raw, render_json(document), json.dumps(document, ensure_ascii=False).encode()):
            quick = quick_json(written)
            assert quick is not None, path
            assert _typed(quick[0]) == _typed(document)
    assert quick_json(TRICKY["keys that differ only by a space"]) is not None


_KEYS = ["a", "b", "a b", "ab", "a:b", 'q"', "\\", "名", " ", ""]
_STRINGS = [*_KEYS, "x: y", "  two  spaces ", "line\nbreak", "\u00e9", "https://example.com/a b", "\t"]


def _random_value(rng: random.Random, depth: int) -> Any:
    """A value whose objects are lists of pairs, so a key may repeat."""
    kind = rng.randrange(8 if depth < 4 else 5)
    if kind == 0:
        return rng.choice(_STRINGS)
    if kind == 1:
        return rng.choice([0, -1, 7, 2**70, 1.5, -0.0, 1e-7, 1e22])
    if kind == 2:
        return rng.choice([True, False, None])
    if kind == 3:
        return rng.choice([float("nan"), float("inf"), "plain"])
    if kind == 4:
        return rng.choice(["s", 1])
    if kind == 5:
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    keys = rng.sample(_KEYS, rng.randrange(5))
    if keys and rng.random() < 0.3:
        keys.insert(rng.randrange(len(keys) + 1), rng.choice(keys))  # a duplicate
    return _Pairs((key, _random_value(rng, depth + 1)) for key in keys)


class _Pairs(list[tuple[str, Any]]):
    pass


def _write(value: Any, rng: random.Random, indent: str, level: int = 0) -> str:
    """JSON text, laid out as ``indent`` says ("" is one line), with whatever repeats ``value`` holds."""
    inner, outer = ("\n" + indent * (level + 1), "\n" + indent * level) if indent else ("", "")
    if isinstance(value, _Pairs):
        if not value:
            return "{}"
        members = [json.dumps(key, ensure_ascii=rng.random() < 0.2) + ": " + _write(item, rng, indent, level + 1)
                   for key, item in value]
        return "{" + inner + ("," + (inner or " ")).join(members) + outer + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        items = [_write(item, rng, indent, level + 1) for item in value]
        return "[" + inner + ("," + (inner or " ")).join(items) + outer + "]"
    return json.dumps(value, ensure_ascii=rng.random() < 0.2)


def test_random_files_get_the_strict_verdict() -> None:
    rng = random.Random(12)
    fast = refused = 0
    for _ in range(3000):
        text = _write(_random_value(rng, 0), rng, rng.choice(["", "  ", "    "]))
        raw = (text + rng.choice(["", "\n"])).encode("utf-8")
        assert _actual(raw) == _reference(raw), raw
        fast += quick_json(raw) is not None
        refused += _reference(raw)[0] in ("duplicate key", "constant")
    assert fast > 1000 and refused > 300  # both paths ran, many times


def test_a_nested_duplicate_in_a_valid_plugin_file_is_refused(example_root: Path) -> None:
    file = "registry/plugins/weather_query.json"
    path = example_root / file
    text = path.read_text(encoding="utf-8")
    name = json.loads(text)["author"]["name"]
    assert text.count('"author": {\n') == 1
    path.write_text(text.replace('"author": {\n', f'"author": {{\n    "name": {json.dumps(name)},\n'),
                    encoding="utf-8")
    assert read_json(example_root, file)[1] is not None
    problems = validate_registry(example_root)
    assert [(problem.file, problem.message) for problem in problems] == [
        (file, "重复的键 name / duplicate key name")]


@pytest.mark.parametrize("text", ["2026-01-31T08:00:00Z", "2024-02-29T00:00:00Z", "2026-02-29T00:00:00Z",
                                  "2100-02-29T12:00:00Z", "2000-02-29T12:00:00Z", "0000-01-01T00:00:00Z",
                                  "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-13-01T00:00:00Z",
                                  "2026-00-10T00:00:00Z", "2026-04-31T00:00:00Z", "2026-01-00T00:00:00Z",
                                  "2026-01-31T24:00:00Z", "2026-01-31T23:60:00Z", "2026-01-31T23:59:60Z",
                                  "2026-01-31T23:59:59Z", "2026-01-31T00:00:00Z", "2026-01-31T09:05:07Z",
                                  "2026-01-31", "2026-1-31T1:2:3Z", "+026-01-31T08:00:00Z", "2026-01-31T+1:-0:01Z",
                                  "2026-01-31T١٢:00:00Z", "2026-01-31T23:59:5Z"])
def test_timestamps_get_the_datetime_verdict(text: str) -> None:
    try:
        datetime(int(text[0:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]), int(text[14:16]),
                 int(text[17:19]), tzinfo=UTC)
        real = True
    except ValueError:
        real = False
    for _ in range(2):  # the second time from the cache
        assert (_timestamp_problem("f", "/created_at", text) is None) == real


def test_every_plain_http_link_is_named_by_its_pointer() -> None:
    entry = json.loads((EXAMPLE_PLUGINS / "smart_customer_service.json").read_text(encoding="utf-8"))
    http = "http://example.com/x"
    for key in ("homepage", "documentation", "issue_tracker"):
        entry[key] = http
    entry["author"]["website"] = http
    for location in entry["repository"]["mirror"], entry["repository"]["primary"]:
        location["api_url"] = http
    entry["repository"]["primary"]["url"] = "http://127.0.0.1:8080/owner/repo"  # loopback: allowed
    entry["screenshots"] = ["https://example.com/a.png", http]
    entry["submission"]["url"] = http
    problems = entry_rule_problems("f.json", entry)
    assert [problem.pointer for problem in problems] == [
        "/homepage", "/documentation", "/issue_tracker", "/author/website", "/repository/primary/api_url",
        "/repository/mirror/api_url", "/screenshots/1", "/submission/url"]
    assert all("https" in problem.message for problem in problems)


@pytest.mark.parametrize(("raw", "expected"), [
    (b'{"plugin_id": ' + b"9" * 5000 + b"}\n", "a number too long or nesting too deep"),
    (b'{"plugin_id": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n", "a number too long or nesting too deep"),
])
def test_what_the_parser_cannot_hold_is_a_problem_not_a_crash(example_root: Path, raw: bytes, expected: str) -> None:
    file = "registry/plugins/weather_query.json"
    (example_root / file).write_bytes(raw)
    problems = validate_registry(example_root)
    assert [problem.file for problem in problems] == [file] and expected in problems[0].message, problems
