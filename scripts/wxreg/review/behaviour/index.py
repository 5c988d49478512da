"""What every behaviour pass needs from a module, from the review's one shared walk of its tree.

The review walks each parsed file once (:meth:`wxreg.review.code.CodeFile.nodes` and ``parents()``, shared
with the capability analysis); :func:`index_module` reads that flat list once, dispatching on each node's
type, and never walks the tree again. It records:

* the imports, class and function definitions, calls and bindings of the whole module (walk order);
* for each statement, the calls and the stored names of its *own* expressions (not those of its body,
  handlers, decorators or argument defaults), found by climbing ``parents`` from the node: what the
  taint analysis of a function body reads;
* the candidates for endpoints (string constants with ``://``, strings assembled with ``+``/``%``/
  f-strings/``.format``, calls), ancestors before descendants, so an assembled string that folds can
  skip the parts it already covers.

Nothing recurses: a hostile thousand-level expression cannot exhaust the stack.
"""

from __future__ import annotations

import ast
import typing
from dataclasses import dataclass, field

from wxreg.review.code import walk

_SKIP_FIELDS = frozenset({"ctx", "op", "type_comment", "type_ignores"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_NAME, _CONSTANT, _CALL, _STRING, _ASSIGN, _ANN_ASSIGN, _WITH, _IMPORT, _DEF = range(9)
_CODES: dict[type, int] = {
    ast.Name: _NAME, ast.Constant: _CONSTANT, ast.Call: _CALL, ast.JoinedStr: _STRING, ast.BinOp: _STRING,
    ast.Assign: _ASSIGN, ast.AnnAssign: _ANN_ASSIGN, ast.With: _WITH, ast.AsyncWith: _WITH,
    ast.Import: _IMPORT, ast.ImportFrom: _IMPORT,
    ast.FunctionDef: _DEF, ast.AsyncFunctionDef: _DEF, ast.ClassDef: _DEF,
}  # fmt: skip
"""What :func:`index_module` records of a node, by its type (one dictionary lookup per node)."""


_OPERATORS = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)


def _holds_nodes(annotation: object) -> bool:
    """Whether a field annotated ``annotation`` (``ast.expr | None``, ``list[ast.stmt]``...) holds nodes
    worth visiting (not operators or contexts, not strings)."""
    if isinstance(annotation, type):
        return issubclass(annotation, ast.AST) and not issubclass(annotation, _OPERATORS)
    return any(_holds_nodes(arg) for arg in typing.get_args(annotation))


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
class ModuleIndex:
    parents: dict[int, ast.AST]
    """``id(node) -> parent`` for every node of the module (from the shared walk)."""
    imports: list[ast.Import | ast.ImportFrom] = field(default_factory=list)
    defs: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef] = field(default_factory=list)
    calls: list[ast.Call] = field(default_factory=list)
    binds: list[tuple[ast.expr, ast.expr]] = field(default_factory=list)
    """``target = value`` (one target), ``target: T = value`` and ``with value as target``."""
    stmt_calls: dict[int, list[ast.Call]] = field(default_factory=dict)
    stmt_stores: dict[int, list[str]] = field(default_factory=dict)
    candidates: list[ast.expr] = field(default_factory=list)
    """Endpoint candidates, every ancestor before its descendants."""

    def inside(self, node: ast.AST, roots: set[int]) -> bool:
        """Whether an ancestor of ``node`` within its statement is one of ``roots`` (ids of expressions)."""
        parent = self.parents.get(id(node))
        while parent is not None and not isinstance(parent, ast.stmt):
            if id(parent) in roots:
                return True
            parent = self.parents.get(id(parent))
        return False


def assembled(node: ast.AST) -> bool:
    """A string built from parts: an f-string, ``+``, ``%`` or ``.format``."""
    kind = type(node)
    if kind is ast.JoinedStr:
        return True
    if kind is ast.BinOp:
        return isinstance(node.op, ast.Add | ast.Mod)  # type: ignore[attr-defined]
    return kind is ast.Call and isinstance(node.func, ast.Attribute) and node.func.attr == "format"  # type: ignore[attr-defined]


def index_module(
    tree: ast.Module, nodes: list[ast.AST] | None = None, parents: dict[int, ast.AST] | None = None
) -> ModuleIndex:
    """The index of ``tree`` from its shared walk (``nodes`` breadth first, ``parents``); walked here when
    the caller has none."""
    if nodes is None or parents is None:
        nodes, parents = walk(tree)
    out = ModuleIndex(parents)
    calls, stmt_calls, stmt_stores, candidates, binds = (
        out.calls, out.stmt_calls, out.stmt_stores, out.candidates, out.binds
    )
    codes = _CODES
    for node in nodes:
        code = codes.get(type(node))
        if code is None:  # most nodes (attributes, operators, contexts...): nothing to record
            continue
        if code == _NAME:
            if type(node.ctx) is ast.Store:  # type: ignore[attr-defined]
                owner = _owner(node, parents)
                if owner is not None:
                    stmt_stores.setdefault(id(owner), []).append(node.id)  # type: ignore[attr-defined]
        elif code == _CONSTANT:
            value = node.value  # type: ignore[attr-defined]
            if type(value) is str and "://" in value:
                candidates.append(node)  # type: ignore[arg-type]
        elif code == _CALL:
            calls.append(node)  # type: ignore[arg-type]
            candidates.append(node)  # type: ignore[arg-type]
            owner = _owner(node, parents)
            if owner is not None:
                stmt_calls.setdefault(id(owner), []).append(node)  # type: ignore[arg-type]
        elif code == _STRING:
            if assembled(node):
                candidates.append(node)  # type: ignore[arg-type]
        elif code == _ASSIGN:
            if len(node.targets) == 1:  # type: ignore[attr-defined]
                binds.append((node.targets[0], node.value))  # type: ignore[attr-defined]
        elif code == _ANN_ASSIGN:
            if node.value is not None:  # type: ignore[attr-defined]
                binds.append((node.target, node.value))  # type: ignore[attr-defined]
        elif code == _WITH:
            binds.extend((i.optional_vars, i.context_expr) for i in node.items if i.optional_vars is not None)  # type: ignore[attr-defined]
        elif code == _IMPORT:
            out.imports.append(node)  # type: ignore[arg-type]
        else:
            out.defs.append(node)  # type: ignore[arg-type]
    return out


def _owner(node: ast.AST, parents: dict[int, ast.AST]) -> ast.stmt | None:
    """The statement whose own expressions hold ``node``: the nearest statement above it, unless the way
    up enters that statement through its body, handlers, cases, decorators, argument defaults, class
    keywords or ``with ... as`` targets (those belong to other statements or to none)."""
    below, child = node, node
    parent = parents.get(id(node))
    while parent is not None and not isinstance(parent, ast.stmt):
        below, child = child, parent
        parent = parents.get(id(parent))
    if parent is None:
        return None
    if isinstance(child, ast.expr):
        decorators = getattr(parent, "decorator_list", None)
        if decorators and any(d is child for d in decorators):
            return None
        return parent
    if type(child) is ast.withitem and below is child.context_expr:
        return parent
    return None
