"""Validation of the registry sources and of the committed ``registry.json``.

Schema rules come from ``schemas/registry.schema.json`` (compiled once, see :mod:`wxreg.schema`);
the rules a schema cannot express live here: file name equals id, unique ids, known categories,
version order, tombstones, real dates, https, and ``registry.json`` equal to a fresh build.
Every problem names the file, a JSON pointer and a fix, in Chinese first, then English.
"""

from __future__ import annotations

import gc
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

from wxreg import versions
from wxreg.build import ListedEntry, iter_registry_pieces, one_line, registry_document_from_listed
from wxreg.config import RegistryConfig
from wxreg.errors import ModelError, Problem, json_pointer
from wxreg.models import Category, PluginEntry, Tombstone, canonical_entry, is_canonical, normalized_id
from wxreg.schema import CompiledSchema, SchemaIssue, registry_schema

# The six category ids: one list, the schema's ``category_id`` enum; categories.json must name exactly these.
CATEGORY_IDS: tuple[str, ...] = tuple(registry_schema().document["$defs"]["category_id"]["enum"])
CONFIG_FILE = "registry/config.json"
CATEGORIES_FILE = "registry/categories.json"
REMOVED_FILE = "registry/removed.json"
REGISTRY_FILE = "registry/registry.json"
PLUGINS_DIR = "registry/plugins"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# What a pattern means, for messages: pattern -> (zh, en, example).
_PATTERN_HINTS: dict[str, tuple[str, str, str]] = {
    "^[a-z][a-z0-9_]{2,63}$": ("小写字母开头，仅含小写字母、数字和下划线，3–64 个字符",
                               "a lower-case letter, then lower-case letters, digits or _; 3-64 characters",
                               "smart_reply"),
    "^[0-9]+(\\.[0-9]+){1,3}$": ("2 到 4 段数字的版本号，不带 v（预发布版本不上架）",
                                 "2 to 4 all-digit parts, no leading v (pre-releases are not listed)", "1.2.0"),
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$": ("UTC 时间，精确到秒，以 Z 结尾",
                                                                 "a UTC timestamp in whole seconds ending in Z",
                                                                 "2026-01-31T08:00:00Z"),
    "^[0-9a-f]{40}$": ("40 位小写十六进制提交 SHA", "a full 40-hex lower-case commit SHA",
                       "git rev-parse TAG^{commit}"),
    "^h1:[A-Za-z0-9+/]{43}=$": ("h1: 内容摘要（wxreg.digest）", "an h1: content digest (wxreg.digest)",
                                "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="),
    "^https?://[^\\s]+$": ("http(s) 链接", "an http(s) URL", "https://github.com/owner/repo"),
    # plugin.json (schemas/plugin-manifest.schema.json)
    "^(?!/)(?!.*(^|/)\\.\\.(/|$))[A-Za-z0-9_./-]+\\.py$": ("插件内的相对 .py 路径，不含 ..",
                                                         "a relative .py path inside the plugin, without ..",
                                                         "main.py"),
    "^[A-Za-z_][A-Za-z0-9_]*$": ("Python 标识符", "a Python identifier", "Plugin"),
    "^https://": ("https 链接", "an https URL", "https://github.com/owner/repo"),
    "^v?[0-9]+(\\.[0-9]+){1,3}$": ("2 到 4 段数字的版本号", "a version of 2 to 4 all-digit parts", "1.2.0"),
    "^\\s*(~=|==|!=|<=|>=|<|>|===)\\s*[0-9]+(\\.[0-9]+)*(\\.\\*)?\\s*(,\\s*(~=|==|!=|<=|>=|<|>|===)\\s*[0-9]+(\\.[0-9]+)*(\\.\\*)?\\s*)*$":
        ("版本约束", "a version constraint", ">=3.8"),
}


def _shorten(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _schema_problem(file: str, issue: SchemaIssue, value: Any) -> Problem:
    """Turn one schema issue into a bilingual problem with a hint."""
    pointer = json_pointer(issue.path)
    key = str(issue.path[-1]) if issue.path else ""
    expected = issue.expected
    shown = _shorten(value)
    if issue.keyword == "required":
        nested_in_entry = file.startswith(PLUGINS_DIR) and len(issue.path) > 1
        where = "客户端要求此字段，缺少会丢弃整个条目" if nested_in_entry else "模式要求此字段"
        where_en = ("the client needs it and drops the whole entry without it" if nested_in_entry
                    else "the schema requires it")
        return Problem(file, pointer, f"缺少必填字段 {key}（{where}） / required key {key} is missing ({where_en})",
                       f"添加 {key} / add {key}")
    if issue.keyword == "additionalProperties":
        allowed = ", ".join(expected)
        if file.startswith(PLUGINS_DIR) and len(issue.path) > 1:
            return Problem(file, pointer,
                           f"未知字段 {key}：客户端遇到嵌套对象中的未知字段会静默丢弃整个插件 / unknown key {key}: "
                           "the client silently drops the whole plugin when a nested object has an unknown key",
                           f"删除它；新数据放在条目顶层 / remove it; new data belongs at the top level. "
                           f"Allowed: {allowed}")
        return Problem(file, pointer, f"未知字段 {key} / unknown key {key}",
                       f"删除它 / remove it. 允许 / Allowed: {allowed}")
    if issue.keyword == "pattern":
        zh, en, example = _PATTERN_HINTS.get(expected, ("规定的格式", "the documented format", ""))
        return Problem(file, pointer, f"格式不对，应为{zh}：{shown} / malformed, expected {en}: {shown}",
                       f"例如 / e.g. {example}" if example else "见该字段在模式中的说明 / see the field in the schema")
    if issue.keyword == "type":
        return Problem(file, pointer, f"类型错误，应为 {expected}：{shown} / wrong type, expected {expected}: {shown}",
                       f"改为 JSON {expected} / use a JSON {expected}")
    if issue.keyword in ("enum", "const"):
        options = expected if isinstance(expected, list) else [expected]
        listed = ", ".join(_shorten(option) for option in options)
        return Problem(file, pointer, f"取值不允许：{shown} / value not allowed: {shown}",
                       f"使用其中之一 / use one of: {listed}")
    limits = {
        "minLength": ("太短", "too short", f"至少 {expected} 个字符 / at least {expected} characters"),
        "maxLength": ("太长", "too long", f"最多 {expected} 个字符 / at most {expected} characters"),
        "minimum": ("太小", "too small", f"不小于 {expected} / not below {expected}"),
        "maximum": ("太大", "too large", f"不大于 {expected} / not above {expected}"),
        "minItems": ("元素太少", "too few items", f"至少 {expected} 项 / at least {expected} items"),
        "maxItems": ("元素太多", "too many items", f"最多 {expected} 项 / at most {expected} items"),
        "uniqueItems": ("有重复元素", "has duplicate items", "删除重复项 / remove the duplicates"),
    }
    fallback = ("不符合 " + issue.keyword, "fails " + issue.keyword, "见 schema / see the schema")
    zh, en, hint = limits.get(issue.keyword, fallback)
    return Problem(file, pointer, f"{zh}：{shown} / {en}: {shown}", hint)


def _lookup(document: Any, path: Iterable[str | int]) -> Any:
    value = document
    for part in path:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def schema_problems(file: str, value: Any, definition: str, schema: CompiledSchema | None = None) -> list[Problem]:
    """Problems of ``value`` against ``$defs/definition`` ("" for the root) of ``schema`` (the registry's by
    default), each a bilingual message with a hint; never a raw pattern."""
    compiled = schema or registry_schema()
    if compiled.is_valid(value, definition):
        return []
    return [_schema_problem(file, issue, _lookup(value, issue.path)) for issue in compiled.issues(value, definition)]


@lru_cache(maxsize=4096)  # a registry's timestamps share few days
def _real_day(text: str) -> bool:
    """Whether ``YYYY-MM-DD`` names a day of the calendar."""
    try:
        date(int(text[0:4]), int(text[5:7]), int(text[8:10]))
    except ValueError:
        return False
    return True


_TIME_OF_DAY = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]")
"""A real time of day in the schema's shape (ASCII digits): no 24:00:00, no leap second."""


def _real_time_of_day(text: str, start: int) -> bool:
    """Whether ``text[start:start + 8]``, ``HH:MM:SS``, names a time of day."""
    if _TIME_OF_DAY.fullmatch(text, start, start + 8):
        return True
    try:  # not the schema's shape, or not a real time: as datetime.time reads it
        time(int(text[start:start + 2]), int(text[start + 3:start + 5]), int(text[start + 6:start + 8]))
    except ValueError:
        return False
    return True


def _timestamp_problem(file: str, pointer: str, text: str) -> Problem | None:
    """The schema checked the shape (``YYYY-MM-DDTHH:MM:SSZ``); this checks it is a real moment: a real day
    and a real time of day (a UTC moment has no leap second or daylight-saving gap)."""
    if not (_real_day(text[0:10]) and _real_time_of_day(text, 11)):
        return Problem(file, pointer, f"不是真实的日期时间：{text} / not a real date and time: {text}",
                       "例如 / e.g. 2026-01-31T08:00:00Z")
    return None


def _url_problem(file: str, pointer: str, url: str) -> Problem | None:
    if url.startswith("https://"):
        return None
    if url.startswith("http://") and urlsplit(url).hostname in LOOPBACK_HOSTS:
        return None
    return Problem(file, pointer, f"链接必须使用 https：{_shorten(url)} / links must use https: {_shorten(url)}",
                   "改为 https:// 链接（http 仅允许本机测试地址） / use an https:// URL (http only for loopback tests)")


_LINK_KEYS = ("homepage", "demo_video", "documentation", "issue_tracker")


def _entry_urls(entry: Mapping[str, Any]) -> Iterator[tuple[str, tuple[str | int, ...]]]:
    """Every link of an entry and the path to it (a pointer is made only for a link that fails)."""
    for key in _LINK_KEYS:
        if key in entry:
            yield entry[key], (key,)
    author = entry["author"]
    if "website" in author:
        yield author["website"], ("author", "website")
    for name, location in entry["repository"].items():
        if isinstance(location, dict):
            for key, url in location.items():
                yield url, ("repository", name, key)
    for index, url in enumerate(entry.get("screenshots", ())):
        yield url, ("screenshots", index)
    if "submission" in entry:
        yield entry["submission"]["url"], ("submission", "url")


def entry_rule_problems(file: str, entry: Mapping[str, Any]) -> list[Problem]:
    """Per-entry rules beyond the schema, on a schema-valid entry document."""
    found: list[Problem] = []
    ver = entry["versions"]
    latest, stable, minimum = ver["latest"], ver["stable"], ver["minimum_supported"]
    if not versions.client_version_le(stable, latest):
        found.append(Problem(file, "/versions/stable",
                             f"stable {stable} 高于 latest {latest} / stable {stable} is newer than latest {latest}",
                             "让 latest >= stable >= minimum_supported / keep latest >= stable >= minimum_supported"))
    if not versions.client_version_le(minimum, stable):
        found.append(Problem(file, "/versions/minimum_supported",
                             f"minimum_supported {minimum} 高于 stable {stable} / "
                             f"minimum_supported {minimum} is newer than stable {stable}",
                             "让 latest >= stable >= minimum_supported / keep latest >= stable >= minimum_supported"))
    compat = entry["compatibility"]
    low, high = compat["min_wxauto_version"], compat.get("max_wxauto_version")
    if high is not None and not versions.client_version_le(low, high):
        found.append(Problem(file, "/compatibility/max_wxauto_version",
                             f"max_wxauto_version {high} 低于 min_wxauto_version {low} / "
                             f"max_wxauto_version {high} is below min_wxauto_version {low}",
                             "让 min <= max，或删除 max_wxauto_version / make min <= max, or drop the maximum"))
    python_version = compat.get("python_version")
    if python_version is not None and not versions.is_specifier(python_version):
        found.append(Problem(file, "/compatibility/python_version",
                             f"不是 PEP 440 版本约束：{_shorten(python_version)} / "
                             f"not a PEP 440 specifier: {_shorten(python_version)}", "例如 / e.g. >=3.8"))
    for index, line in enumerate(entry.get("dependencies", ())):
        why = versions.requirement_problem(line)
        if why:
            found.append(Problem(file, f"/dependencies/{index}", why, "例如 / e.g. requests>=2.31"))
    tag = entry["release"]["tag"]
    if tag.removeprefix("v") != latest:
        found.append(Problem(file, "/release/tag",
                             f"发布标签 {tag} 与 versions.latest {latest} 不一致 / "
                             f"release tag {tag} does not name versions.latest {latest}",
                             "固定 latest 对应的标签（可带 v 前缀） / pin the tag of latest (a leading v is fine)"))
    created, updated = entry["created_at"], entry["updated_at"]
    dated = [("/created_at", created), ("/updated_at", updated)]
    if "review" in entry:
        dated.append(("/review/review_date", entry["review"]["review_date"]))
    for pointer, text in dated:
        problem = _timestamp_problem(file, pointer, text)
        if problem:
            found.append(problem)
    if created > updated:
        found.append(Problem(file, "/updated_at", f"updated_at 早于 created_at / updated_at is before created_at "
                             f"({created})", "updated_at 不能早于 created_at / set updated_at >= created_at"))
    for url, path in _entry_urls(entry):
        if not url.startswith("https://"):  # the common case, without a call
            problem = _url_problem(file, json_pointer(path), url)
            if problem:
                found.append(problem)
    return found


def check_entry_document(file: str, data: Any) -> list[Problem]:
    """Schema and per-entry rules for one entry document (cross-entry rules are in :func:`check_sources`)."""
    problems = schema_problems(file, data, "plugin_entry")
    return problems or entry_rule_problems(file, data)


def check_entry(file: str, data: Any) -> tuple[PluginEntry | None, list[Problem]]:
    """:func:`check_entry_document`, then the typed entry; the entry is ``None`` when the schema fails."""
    problems = schema_problems(file, data, "plugin_entry")
    if problems:
        return None, problems
    try:
        entry = PluginEntry.from_dict(data)
    except ModelError as exc:  # the schema and the models disagree: a bug, but say where
        return None, [Problem(file, exc.pointer, str(exc), "按 schemas/registry.schema.json 修改 / follow the schema")]
    return entry, entry_rule_problems(file, data)


class _DuplicateKey(ValueError):
    pass


class _NotJson(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two parsers can disagree on which of two equal keys wins: a reviewer could see one value
    # and the client get the other. Refuse such files outright.
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def _no_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; Python accepts them by default, clients would not.
    raise _NotJson(f"{name} 不是合法的 JSON / {name} is not valid JSON")


def quick_json(raw: bytes) -> tuple[Any, bytes] | None:
    """``raw`` parsed by the fast parser, and its :func:`~wxreg.build.one_line` form as UTF-8 (as
    ``registry.json`` holds it), when that is what the strict parse of :func:`parse_json` gives; ``None``
    when it may not be (then only the strict parse can tell).

    The strict parse costs a Python call per object to refuse duplicate keys. The fast parser, ``orjson``,
    takes only RFC 8259 JSON (UTF-8, no raw control character in a string, no NaN or Infinity) and reads
    strings exactly; unlike the strict parse it keeps the last of two equal keys and reads an integer beyond
    64 bits as a float. The comparison here catches both and more: drop the spaces and newlines of the file
    and of the one-line form of what was parsed; when the two are equal the file has exactly the one-line
    form's objects, members and tokens. Dropping them keeps every token and string boundary (no raw newline
    in a string, no escape contains a space, a separator stands between any two values), so each object of
    the file has as many members as the parsed object has distinct keys (no duplicate key), and every
    number is spelled as the one-line form spells the parsed number (which the strict parse reads back to
    the same value). A BOM, escapes or numbers spelled otherwise, tabs or trailing data make the forms
    differ. What the comparison cannot see, a space inside a string or bytes that are not UTF-8, orjson
    reads exactly or refuses.
    """
    try:
        value = orjson.loads(raw)
        line = one_line(value).encode("utf-8")
    except (ValueError, RecursionError):  # orjson.JSONDecodeError is one; NaN, a lone surrogate, deep nesting
        return None
    if raw.translate(None, b" \n") != line.translate(None, b" \n"):
        return None
    return value, line


def parse_json(raw: bytes) -> tuple[Any, bytes | None]:
    """``raw`` parsed strictly (UTF-8, no duplicate keys, no NaN or Infinity), with its one-line form when
    :func:`quick_json` took its fast path; the strict parse's value or exception otherwise."""
    quick = quick_json(raw)
    if quick is not None:
        return quick
    text = raw.decode("utf-8")
    return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant), None


def _read_bytes(path: str, directory: int | None = None) -> bytes:
    """The whole file at ``path`` (relative to the open ``directory`` when given), by plain system calls:
    a third less time than a file object for 10k small files."""
    handle = os.open(path, os.O_RDONLY | os.O_CLOEXEC, dir_fd=directory)
    try:
        chunks = []
        while chunk := os.read(handle, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(handle)
    return b"".join(chunks)


def _read_parsed(path: str, file: str, directory: int | None = None) -> tuple[Any, bytes | None, Problem | None]:
    try:
        raw = _read_bytes(path, directory)
    except FileNotFoundError:
        return None, None, Problem(file, "", "文件不存在 / file is missing", "创建该文件 / create it")
    return parse_checked(raw, file)


def parse_checked(raw: bytes, file: str) -> tuple[Any, bytes | None, Problem | None]:
    """:func:`parse_json` of ``file``'s bytes, with a problem naming ``file`` instead of an exception."""
    try:
        data, line = parse_json(raw)
        return data, line, None
    except UnicodeDecodeError as exc:
        problem = Problem(file, "", f"不是 UTF-8 文本 / not UTF-8: {exc}", "以 UTF-8 保存 / save it as UTF-8")
    except _DuplicateKey as exc:
        problem = Problem(file, "", f"重复的键 {exc} / duplicate key {exc}", "只保留一个 / keep one of them")
    except _NotJson as exc:
        problem = Problem(file, "", str(exc), "使用数字或字符串 / use a number or a string")
    except json.JSONDecodeError as exc:
        problem = Problem(file, "", f"JSON 语法错误（第 {exc.lineno} 行第 {exc.colno} 列） / invalid JSON at line "
                          f"{exc.lineno} column {exc.colno}: {exc.msg}", "修正 JSON 语法 / fix the JSON syntax")
    except (ValueError, RecursionError) as exc:
        # What the parser refuses beyond syntax: an integer of more digits than Python converts (4,300), or
        # nesting deeper than the interpreter's stack. No registry document needs either.
        problem = Problem(file, "", f"JSON 数字过长或嵌套过深 / a number too long or nesting too deep: "
                          f"{type(exc).__name__}: {str(exc)[:120]}", "缩短数字，减少嵌套 / shorten it, nest less")
    return None, None, problem


def read_json(root: Path, file: str) -> tuple[Any, Problem | None]:
    """Parse ``root/file`` strictly (UTF-8, no duplicate keys); a problem instead of an exception."""
    data, _, problem = _read_parsed(os.fspath(root / file), file)
    return data, problem


@dataclass
class CheckedSources:
    """Everything under ``registry/`` that a build needs, and what is wrong with it."""

    config: RegistryConfig | None = None
    listed: list[ListedEntry] = field(default_factory=list)
    """Valid entries, rendered, in file-name order."""
    categories: list[Category] = field(default_factory=list)
    tombstones: list[Tombstone] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def entries(self) -> list[PluginEntry]:
        """The valid entries as typed objects (built on demand: a build does not need them)."""
        return [PluginEntry.from_dict(json.loads(entry.line)) for entry in self.listed]

    def pieces(self) -> Iterator[bytes]:
        """The ``registry.json`` these sources give, streamed; only when ``problems`` is empty."""
        if self.config is None or self.problems:
            raise ValueError("sources have problems; nothing to render")
        document = registry_document_from_listed(self.config, self.listed, self.categories, self.tombstones)
        return iter_registry_pieces(document)

    def render(self) -> bytes:
        """The ``registry.json`` bytes these sources give; only when ``problems`` is empty."""
        return b"".join(self.pieces())


def _check_config(root: Path, out: CheckedSources) -> None:
    data, problem = read_json(root, CONFIG_FILE)
    if problem:
        out.problems.append(problem)
        return
    try:
        out.config = RegistryConfig.from_dict(data)
    except ModelError as exc:
        out.problems.append(Problem(CONFIG_FILE, exc.pointer, str(exc),
                                    "见 README 的 fork 一节 / see \"Running your own registry\" in README.md"))


def _check_categories(root: Path, out: CheckedSources) -> None:
    data, problem = read_json(root, CATEGORIES_FILE)
    if problem:
        out.problems.append(problem)
        return
    problems = schema_problems(CATEGORIES_FILE, data, "categories_file")
    if problems:
        out.problems.extend(problems)
        return
    out.categories = [Category.from_dict(item, f"/{index}") for index, item in enumerate(data)]
    ids = [category.id for category in out.categories]
    if sorted(ids) != sorted(CATEGORY_IDS):
        out.problems.append(Problem(CATEGORIES_FILE, "", f"分类必须恰好是 / categories must be exactly: "
                                    f"{' '.join(CATEGORY_IDS)} (found: {' '.join(ids)})",
                                    "每个分类列出一次，不多不少 / list each category once, no more, no fewer"))


def _check_removed(root: Path, out: CheckedSources) -> None:
    data, problem = read_json(root, REMOVED_FILE)
    if problem:
        out.problems.append(problem)
        return
    problems = schema_problems(REMOVED_FILE, data, "removed_file")
    if problems:
        out.problems.extend(problems)
        return
    seen: dict[str, int] = {}
    for index, item in enumerate(data):
        stone = Tombstone.from_dict(item, f"/{index}")
        problem = _timestamp_problem(REMOVED_FILE, f"/{index}/date", stone.date)
        if problem:
            out.problems.append(problem)
        key = normalized_id(stone.plugin_id)
        if key in seen:
            out.problems.append(Problem(REMOVED_FILE, f"/{index}/plugin_id",
                                        f"重复的墓碑 {stone.plugin_id}（与 /{seen[key]} 相同） / duplicate tombstone "
                                        f"{stone.plugin_id} (same as /{seen[key]})", "只保留一条 / keep one"))
        seen[key] = index
        out.tombstones.append(stone)


def _check_plugins(root: Path, out: CheckedSources) -> None:
    plugins_dir = root / PLUGINS_DIR
    if not plugins_dir.is_dir():
        out.problems.append(Problem(PLUGINS_DIR, "", "目录不存在 / directory is missing", "创建它 / create it"))
        return
    # Each file is opened relative to the open directory: no lookup of the whole path for every file.
    directory = os.open(plugins_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        _check_plugin_files(directory, out)
    finally:
        os.close(directory)


def _check_plugin_files(directory: int, out: CheckedSources) -> None:
    category_ids = {category.id for category in out.categories} or set(CATEGORY_IDS)
    tombstoned = {normalized_id(stone.plugin_id): stone for stone in out.tombstones}
    owners: dict[str, str] = {}
    # scandir: one directory read gives names and types, no stat per file.
    with os.scandir(directory) as listing:
        items = sorted((item.name, item.is_file(follow_symlinks=False)) for item in listing)
    for name, is_regular_file in items:
        file = f"{PLUGINS_DIR}/{name}"
        if name == ".gitkeep":
            continue
        if not name.endswith(".json") or not is_regular_file:
            out.problems.append(Problem(file, "", "plugins/ 下只能有 <plugin_id>.json 文件 / only <plugin_id>.json "
                                        "files belong in registry/plugins", "删除或改名 / remove or rename it"))
            continue
        data, line, problem = _read_parsed(name, file, directory)
        if problem:
            out.problems.append(problem)
            continue
        problems = check_entry_document(file, data)
        out.problems.extend(problems)
        if problems and not registry_schema().is_valid(data, "plugin_entry"):
            continue
        plugin_id, stem = data["plugin_id"], name.removesuffix(".json")
        if stem != plugin_id:
            out.problems.append(Problem(file, "/plugin_id",
                                        f"文件名 {name} 与 plugin_id {plugin_id} 不一致 / "
                                        f"file name does not match plugin_id {plugin_id}",
                                        f"把文件改名为 {plugin_id}.json / rename the file to {plugin_id}.json"))
        key = normalized_id(plugin_id)
        if key in owners:
            out.problems.append(Problem(file, "/plugin_id", f"plugin_id {plugin_id} 与 {owners[key]} 重复 / "
                                        f"duplicate plugin_id {plugin_id}, also in {owners[key]}",
                                        "每个插件只有一个文件 / keep one file per plugin"))
            continue
        owners[key] = file
        if data["category"] not in category_ids:
            out.problems.append(Problem(file, "/category", f"分类 {data['category']} 不在 {CATEGORIES_FILE} 中 / "
                                        f"category {data['category']} is not in {CATEGORIES_FILE}",
                                        f"使用 / use one of: {' '.join(sorted(category_ids))}"))
        stone = tombstoned.get(key)
        if stone is not None:
            out.problems.append(Problem(file, "/plugin_id",
                                        f"{plugin_id} 已于 {stone.date} 被移除（{stone.severity}），不能再上架 / "
                                        f"{plugin_id} was removed on {stone.date} ({stone.severity}) "
                                        "and can never be listed again",
                                        "删除该文件并换一个新的 plugin_id / "
                                        "delete this file and choose a new plugin_id"))
            continue
        if line is not None and is_canonical(data):  # the one-line form of the parse is the published one
            out.listed.append(ListedEntry.from_document(data, line))
        else:
            out.listed.append(ListedEntry.from_document(canonical_entry(data)))


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Loading builds many small acyclic containers; the cyclic GC rescanning them all again and
    again cost a quarter of a 10k-plugin check (measured), and nothing here makes cycles."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def check_sources(root: Path) -> CheckedSources:
    """Read and check config, categories, tombstones and every plugin file below ``root/registry``.

    ``registry/review-policy.json`` and other files of other tools are not ours and are ignored.
    """
    out = CheckedSources()
    with _cyclic_gc_paused():
        _check_config(root, out)
        _check_categories(root, out)
        _check_removed(root, out)
        _check_plugins(root, out)
    out.problems.sort()
    return out


def _same_bytes(path: Path, pieces: Iterable[bytes]) -> bool | None:
    """Whether the file holds exactly ``pieces`` (``None`` when it is missing), compared as a stream."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None
    with handle:
        for piece in pieces:
            if handle.read(len(piece)) != piece:
                return False
        return handle.read(1) == b""


def validate_registry(root: Path) -> list[Problem]:
    """All problems of the registry at ``root`` (the repository root), sorted; empty when valid."""
    checked = check_sources(root)
    if checked.problems:
        return checked.problems
    same = _same_bytes(root / REGISTRY_FILE, checked.pieces())
    if not same:
        state = "不存在" if same is None else "与源文件生成的结果不一致"
        state_en = "is missing" if same is None else "differs from a fresh build of the sources"
        return [Problem(REGISTRY_FILE, "", f"registry.json {state} / registry.json {state_en}",
                        "运行 wxreg build 并提交结果，不要手工编辑 / "
                        "run `wxreg build` and commit the result; never edit it by hand")]
    from wxreg.revocations import problems as revocation_problems

    return revocation_problems(root)
