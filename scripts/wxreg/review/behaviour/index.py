"""One walk over a module's syntax tree collecting what every behaviour pass needs.

The analysis used to walk each module several times (imports, bindings, nested functions, endpoints,
and each statement of each function again). :func:`index_module` visits every node once, iteratively
(a hostile left-deep ``1 + 1 + ... + 1`` cannot exhaust the stack), dispatching on the node's type, and
records:

* the imports, class and function definitions, calls and bindings of the whole module, in source order;
* for each statement, the calls and the stored names of its *own* expressions (not those of its body,
  handlers, decorators or argument defaults): what the taint analysis of a function body reads;
* the candidates for endpoints (string constants with ``://``, strings assembled with ``+``/``%``/
  f-strings/``.format``, calls) with the extent of their subtree, so an assembled string that folds can
  skip the parts it already covers without walking them again.
"""

from __future__ import annotations

import ast
import typing
from dataclasses import dataclass, field
from typing import Any

_BODY_FIELDS = frozenset({"body", "orelse", "finalbody", "handlers", "cases"})
_SKIP_FIELDS = frozenset({"ctx", "op", "type_comment", "type_ignores"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_REVERSED: dict[type, tuple[str, ...]] = {}
_END = object()
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


_OPERATORS = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)


def _holds_nodes(annotation: object) -> bool:
    """Whether a field annotated ``annotation`` (``ast.expr | None``, ``list[ast.stmt]``...) holds nodes
    worth visiting (not operators or contexts, not strings)."""
    if isinstance(annotation, type):
        return issubclass(annotation, ast.AST) and not issubclass(annotation, _OPERATORS)
    return any(_holds_nodes(arg) for arg in typing.get_args(annotation))


_STATEMENTS: set[type] = set()
_EXPRESSIONS: set[type] = set()


def _is_statement(kind: type) -> bool:
    (_STATEMENTS if issubclass(kind, ast.stmt) else _EXPRESSIONS).add(kind)
    return kind in _STATEMENTS


def _reversed_fields(kind: type) -> tuple[str, ...]:
    found = _REVERSED.get(kind)
    if found is None:
        found = _REVERSED[kind] = tuple(reversed(child_fields(kind)))
    return found


def child_fields(kind: type) -> tuple[str, ...]:
    """The fields of a node type that can hold child nodes (from ``_field_types`` where Python has it)."""
    found = _CHILD_FIELDS.get(kind)
    if found is None:
        names = [name for name in getattr(kind, "_fields", ()) if name not in _SKIP_FIELDS]
        types: dict[str, object] | None = getattr(kind, "_field_types", None)
        if types is not None:
            names = [name for name in names if name not in types or _holds_nodes(types[name])]
        found = _CHILD_FIELDS[kind] = tuple(names)
    return found


@dataclass
class Candidate:
    """A node that may name an endpoint; ``start``/``end`` bound its subtree in walk order."""

    node: ast.expr
    start: int
    end: int = 0


@dataclass
class ModuleIndex:
    imports: list[ast.Import | ast.ImportFrom] = field(default_factory=list)
    defs: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef] = field(default_factory=list)
    calls: list[ast.Call] = field(default_factory=list)
    binds: list[tuple[ast.expr, ast.expr]] = field(default_factory=list)
    """``target = value`` (one target), ``target: T = value`` and ``with value as target``."""
    stmt_calls: dict[int, list[ast.Call]] = field(default_factory=dict)
    stmt_stores: dict[int, list[str]] = field(default_factory=dict)
    candidates: list[Candidate] = field(default_factory=list)


def assembled(node: ast.AST) -> bool:
    """A string built from parts: an f-string, ``+``, ``%`` or ``.format``."""
    kind = type(node)
    if kind is ast.JoinedStr:
        return True
    if kind is ast.BinOp:
        return isinstance(node.op, ast.Add | ast.Mod)  # type: ignore[attr-defined]
    return kind is ast.Call and isinstance(node.func, ast.Attribute) and node.func.attr == "format"  # type: ignore[attr-defined]


def index_module(tree: ast.Module) -> ModuleIndex:
    out = ModuleIndex()
    calls, stmt_calls, stmt_stores, candidates = out.calls, out.stmt_calls, out.stmt_stores, out.candidates
    # (node, owning statement or None); _END entries close a candidate's subtree
    stack: list[tuple[Any, Any]] = [(tree, None)]
    count = 0
    Call, Name, Constant, Assign, AnnAssign = ast.Call, ast.Name, ast.Constant, ast.Assign, ast.AnnAssign
    while stack:
        item, owner = stack.pop()
        if item is _END:
            owner.end = count
            continue
        node: ast.AST = item
        count += 1
        kind = type(node)
        if kind is Call:
            calls.append(node)  # type: ignore[arg-type]
            if owner is not None:
                stmt_calls.setdefault(id(owner), []).append(node)  # type: ignore[arg-type]
        elif kind is Name:  # a leaf
            if owner is not None and type(node.ctx) is ast.Store:  # type: ignore[attr-defined]
                stmt_stores.setdefault(id(owner), []).append(node.id)  # type: ignore[attr-defined]
            continue
        elif kind is Constant:  # a leaf
            value = node.value  # type: ignore[attr-defined]
            if type(value) is str and "://" in value:
                candidates.append(Candidate(node, count, count))  # type: ignore[arg-type]
            continue
        elif kind is Assign:
            if len(node.targets) == 1:  # type: ignore[attr-defined]
                out.binds.append((node.targets[0], node.value))  # type: ignore[attr-defined]
        elif kind is AnnAssign:
            if node.value is not None:  # type: ignore[attr-defined]
                out.binds.append((node.target, node.value))  # type: ignore[attr-defined]
        elif kind is ast.Import or kind is ast.ImportFrom:
            out.imports.append(node)  # type: ignore[arg-type]
        elif kind in _DEFS:
            out.defs.append(node)  # type: ignore[arg-type]
        if kind is Call or ((kind is ast.JoinedStr or kind is ast.BinOp) and assembled(node)):
            candidate = Candidate(node, count)  # type: ignore[arg-type]
            candidates.append(candidate)
            stack.append((_END, candidate))
        push = stack.append
        if kind in _STATEMENTS or (kind not in _EXPRESSIONS and _is_statement(kind)):
            # a statement owns the expressions of its own fields; its body, handlers, decorators,
            # argument defaults and other non-expression parts are owned by nobody (or by their statements).
            # Children are pushed last first, so they are visited in source order.
            for name in _reversed_fields(kind):
                value = getattr(node, name, None)
                if value is None:
                    continue
                if name in _BODY_FIELDS or name == "decorator_list":
                    stack.extend((child, None) for child in reversed(value))
                elif isinstance(value, list):
                    for child in reversed(value):
                        if isinstance(child, ast.expr):
                            push((child, node))
                        elif type(child) is ast.withitem:
                            if child.optional_vars is not None:  # ``with value as target``
                                push((child.optional_vars, None))
                            push((child.context_expr, node))
                        elif isinstance(child, ast.AST):
                            push((child, None))
                elif isinstance(value, ast.expr):
                    push((value, node))
                elif isinstance(value, ast.AST):
                    push((value, None))
            if kind is ast.With or kind is ast.AsyncWith:
                out.binds.extend(
                    (item.optional_vars, item.context_expr) for item in node.items if item.optional_vars is not None  # type: ignore[attr-defined]
                )
        else:
            for name in _reversed_fields(kind):
                value = getattr(node, name, None)
                if value is None:
                    continue
                if type(value) is list:  # ``Dict.keys`` holds None for ``**mapping``
                    stack.extend([(child, owner) for child in reversed(value) if child is not None])
                else:
                    push((value, owner))
    return out
