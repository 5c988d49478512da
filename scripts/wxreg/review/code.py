"""Every code file of a plugin, decoded the way CPython decodes it and parsed once, shared by all checks.

CPython reads a module from **bytes**: a UTF-8 byte-order mark, then a PEP 263 coding declaration on
line one or two (``# -*- coding: utf-7 -*-``) decide how the bytes become text. A reviewer that reads the
same bytes as UTF-8 sees different code from the one that runs, so here anything but UTF-8 is refused
(:attr:`CodeFile.problem`), never guessed.

Which files are code: a case-insensitive ``.py``/``.pyw``/``.pyi`` extension (``main.PY`` imports on
Windows), or a ``#!`` line naming Python. Other files are classified by
:mod:`wxreg.review.checks.files`.

The API, small and typed:

* :class:`CodeIndex` (``ctx.code``): ``files`` (every :class:`CodeFile`, sorted by path), ``get(path)``,
  ``parsed()`` (the files that parse, with their :class:`ast.Module`), ``module_names`` (the plugin's own
  importable top-level names).
* :class:`CodeFile`: ``path``, ``data`` (bytes), ``text`` (``None`` when refused), ``encoding`` (the
  declared one, normalised), ``bom``, ``problem`` (why it was refused), ``role`` (``runtime`` or
  ``tests``), and ``module(feature_version=None)``: the :class:`ast.Module` or the :class:`SyntaxError`,
  parsed at most once per grammar version, lazily, under a lock, cached for every check; ``nodes()`` and
  ``parents()``: every node of that tree and each node's parent, from one shared walk.
"""

from __future__ import annotations

import ast
import codecs
import re
import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, TypeVar, cast

T = TypeVar("T")

CODE_EXTENSIONS = (".py", ".pyw", ".pyi")
SHEBANG_PYTHON = re.compile(rb"^#![^\n]*\bpython", re.IGNORECASE)
# PEP 263, exactly as the tokenizer matches it (first or second line, comment only).
CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
BLANK_OR_COMMENT = re.compile(rb"^[ \t\f]*(?:[#\r\n]|$)")
UTF8_BOM = b"\xef\xbb\xbf"
TEST_DIRS = ("tests", "test", "testing")

# warnings.catch_warnings() swaps process-wide state; checks run in threads, so parse one at a time.
_PARSE_LOCK = threading.Lock()


def is_code_path(path: str, data: bytes = b"") -> bool:
    """Code by extension (any case) or by a ``#!...python`` first line."""
    return path.lower().endswith(CODE_EXTENSIONS) or SHEBANG_PYTHON.match(data[:200]) is not None


def declared_encoding(data: bytes) -> tuple[str | None, bool]:
    """``(encoding from the PEP 263 declaration, normalised, or None; whether a UTF-8 BOM is present)``."""
    bom = data.startswith(UTF8_BOM)
    body = data[len(UTF8_BOM) :] if bom else data
    lines = body.split(b"\n", 2)
    for index, line in enumerate(lines[:2]):
        match = CODING.match(line)
        if match:
            name = match.group(1).decode("ascii", "replace")
            try:
                return codecs.lookup(name).name, bom
            except LookupError:
                return name.lower(), bom
        if index == 0 and not BLANK_OR_COMMENT.match(line):
            break  # the declaration may only be on line 2 when line 1 is blank or a comment
    return None, bom


def decode_source(data: bytes) -> tuple[str | None, str | None, bool, str | None]:
    """``(text, declared encoding, bom, problem)``: the text CPython would run, or why it is refused."""
    encoding, bom = declared_encoding(data)
    if encoding is not None and encoding != "utf-8":
        return None, encoding, bom, f"编码声明 {encoding} 不是 UTF-8 / coding declaration {encoding} is not UTF-8"
    body = data[len(UTF8_BOM) :] if bom else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, encoding, bom, f"源码不是 UTF-8 / source is not UTF-8 (byte {exc.start})"
    if "\0" in text:
        return None, encoding, bom, "源码含 NUL 字节 / source contains a NUL byte"
    return text, encoding, bom, None


def role_of(path: str) -> str:
    """``tests`` for a file under a top-level test folder or named ``test_*.py``/``conftest.py``."""
    parts = PurePosixPath(path).parts
    name = parts[-1].lower()
    if parts[0].lower() in TEST_DIRS or name.startswith("test_") or name == "conftest.py":
        return "tests"
    return "runtime"


def walk(tree: ast.AST) -> tuple[list[ast.AST], dict[int, ast.AST]]:
    """Every node of ``tree`` (breadth first, like ``ast.walk``) and ``id(node) -> parent``, in one
    iterative pass (a hostile thousand-level expression cannot exhaust the stack)."""
    nodes: list[ast.AST] = [tree]
    parents: dict[int, ast.AST] = {}
    index = 0
    while index < len(nodes):
        node = nodes[index]
        index += 1
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                parents[id(value)] = node
                nodes.append(value)
            elif isinstance(value, list):
                for child in value:
                    if isinstance(child, ast.AST):
                        parents[id(child)] = node
                        nodes.append(child)
    return nodes, parents


@dataclass(frozen=True, eq=False)
class CodeFile:
    """One code file: its bytes, the text CPython would run (or why it is refused), parsed lazily once."""

    path: str
    data: bytes
    text: str | None
    encoding: str | None
    """The declared PEP 263 encoding, normalised by :mod:`codecs` (``None`` when undeclared: UTF-8)."""
    bom: bool
    problem: str | None
    """Why :attr:`text` is ``None`` (a non-UTF-8 declaration, undecodable bytes, a NUL byte)."""
    role: str
    _cache: dict[tuple[int, int] | None, ast.Module | SyntaxError] = field(default_factory=dict, repr=False)
    _nodes: list[tuple[list[ast.AST], dict[int, ast.AST]]] = field(default_factory=list, repr=False)
    _floor: list[tuple[int, int]] = field(default_factory=list, repr=False)
    """The plugin's declared lowest Python (set by :meth:`CodeIndex.declare_floor`): parsed first."""

    @classmethod
    def from_bytes(cls, path: str, data: bytes) -> CodeFile:
        text, encoding, bom, problem = decode_source(data)
        return cls(path, data, text, encoding, bom, problem, role_of(path))

    @property
    def stem(self) -> str:
        return PurePosixPath(self.path).name.split(".", 1)[0]

    def module(self, feature_version: tuple[int, int] | None = None) -> ast.Module | SyntaxError:
        """The syntax tree at ``feature_version`` (``None``: this interpreter's grammar), or the error."""
        if feature_version is not None and feature_version >= sys.version_info[:2]:
            feature_version = None  # this interpreter's own grammar: one tree, parsed once
        with _PARSE_LOCK:
            cached = self._cache.get(feature_version)
            if cached is None and feature_version is None and self._floor:
                # A file that parses at the declared floor has the same tree at this interpreter's grammar
                # (feature_version only narrows what is accepted): one parse serves both.
                floor = self._floor[0]
                at_floor = self._cache.get(floor) or self._parse(floor)
                self._cache[floor] = at_floor
                if isinstance(at_floor, ast.Module):
                    cached = self._cache[None] = at_floor
            if cached is None:
                cached = self._parse(feature_version)
                self._cache[feature_version] = cached
            return cached

    def nodes(self) -> list[ast.AST]:
        """Every node of :meth:`module` (breadth first, like ``ast.walk``), walked once and shared; empty if
        it does not parse."""
        return self._walked()[0]

    def parents(self) -> dict[int, ast.AST]:
        """``id(node) -> parent`` for every node of :meth:`module`, made by the same single walk."""
        return self._walked()[1]

    def _walked(self) -> tuple[list[ast.AST], dict[int, ast.AST]]:
        tree = self.module()
        with _PARSE_LOCK:
            if not self._nodes:
                self._nodes.append(walk(tree) if isinstance(tree, ast.Module) else ([], {}))
            return self._nodes[0]

    def _parse(self, feature_version: tuple[int, int] | None) -> ast.Module | SyntaxError:
        if self.text is None:
            return SyntaxError(self.problem or "unreadable source")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if feature_version is None:
                    return ast.parse(self.text, filename=self.path)
                return ast.parse(self.text, filename=self.path, feature_version=feature_version)
        except SyntaxError as exc:
            return exc
        except (ValueError, MemoryError, RecursionError) as exc:
            return SyntaxError(f"{type(exc).__name__}: {exc}")


@dataclass(frozen=True)
class CodeIndex:
    """The plugin's code files, decoded and (lazily) parsed once for every check."""

    files: tuple[CodeFile, ...] = ()
    _by_path: dict[str, CodeFile] = field(default_factory=dict, repr=False, compare=False)
    _memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _memo_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_path", {f.path: f for f in self.files})

    @classmethod
    def build(cls, items: Iterable[tuple[str, bytes]]) -> CodeIndex:
        found = [CodeFile.from_bytes(path, data) for path, data in items if is_code_path(path, data)]
        return cls(tuple(sorted(found, key=lambda f: f.path)))

    def get(self, path: str) -> CodeFile | None:
        return self._by_path.get(path)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per index, shared by every check that asks for ``key`` (checks run in threads:
        the first caller computes while the others wait, so an analysis several checks need runs once)."""
        with self._memo_lock:
            if key not in self._memo:
                self._memo[key] = compute()
            return cast(T, self._memo[key])

    def declare_floor(self, version: tuple[int, int] | None) -> None:
        """The lowest Python the plugin declares (3.7 or later): every file is parsed at it first, and the
        same tree serves this interpreter's grammar when it parses there (one parse instead of two)."""
        if version is None or not (3, 7) <= version < sys.version_info[:2]:
            return
        with _PARSE_LOCK:
            for item in self.files:
                if not item._cache and not item._floor:
                    item._floor.append(version)

    def parsed(self, feature_version: tuple[int, int] | None = None) -> Iterator[tuple[CodeFile, ast.Module]]:
        """Every file that parses (at ``feature_version``), with its tree; the others are skipped."""
        for item in self.files:
            tree = item.module(feature_version)
            if isinstance(tree, ast.Module):
                yield item, tree

    @property
    def module_names(self) -> frozenset[str]:
        """Top-level names the plugin's own files and folders can be imported as (any folder depth,
        since a plugin may put its own folders on ``sys.path``)."""
        names: set[str] = set()
        for item in self.files:
            parts = PurePosixPath(item.path).parts
            names.add(item.stem)
            names.update(parts[:-1])
        return frozenset(names)
