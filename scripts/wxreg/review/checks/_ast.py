"""Parsing plugin code with :mod:`ast` only: never imported, never executed."""

from __future__ import annotations

import ast
import threading
import warnings

from wxreg.review.source import TreeFile

# warnings.catch_warnings() swaps process-wide state; checks run in threads, so parse one at a time.
_PARSE_LOCK = threading.Lock()


def parse(item: TreeFile, feature_version: tuple[int, int] | None = None) -> ast.Module | SyntaxError:
    """The module's syntax tree, or the ``SyntaxError`` (also for undecodable source)."""
    text = item.text()
    if text is None:
        return SyntaxError("源码不是 UTF-8 / source is not UTF-8")
    try:
        with _PARSE_LOCK, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if feature_version is None:
                return ast.parse(text, filename=item.path)
            return ast.parse(text, filename=item.path, feature_version=feature_version)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        if isinstance(exc, SyntaxError):
            return exc
        return SyntaxError(f"{type(exc).__name__}: {exc}")


def dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else ``None``."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> fully qualified name, from every import in the module."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    found[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    found[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return found


def qualified(node: ast.expr, names: dict[str, str]) -> str | None:
    """The fully qualified dotted name ``node`` refers to, through the module's imports."""
    name = dotted(node)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    if head in names:
        return names[head] + ("." + rest if rest else "")
    return name
