"""Parsing plugin code with :mod:`ast` only: never imported, never executed."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import cast

from wxreg.review.code import CodeFile
from wxreg.review.source import TreeFile


def parse(item: TreeFile, feature_version: tuple[int, int] | None = None) -> ast.Module | SyntaxError:
    """The syntax tree of a file outside the shared index (``ctx.code`` caches the plugin's code files)."""
    return CodeFile.from_bytes(item.path, item.data).module(feature_version)


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


def aliases(tree: ast.Module, nodes: Iterable[ast.AST] | None = None) -> dict[str, str]:
    """Local name -> fully qualified name, from every import in the module (``nodes``: its walked nodes)."""
    found: dict[str, str] = {}
    for node in ast.walk(tree) if nodes is None else nodes:
        kind = type(node)  # exactly the classes ast.parse makes: one identity test per node, not two isinstance
        if kind is ast.Import:
            for alias in cast(ast.Import, node).names:
                if alias.asname:
                    found[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    found[top] = top
        elif kind is ast.ImportFrom:
            node = cast(ast.ImportFrom, node)
            if not node.module or node.level != 0:
                continue
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
