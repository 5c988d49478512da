"""What plugin code can do, from its syntax trees alone: capabilities used and dynamic code.

Every name the code reaches is resolved through imports (``import x as y``, ``from x import y``), literal
``__import__("x")``/``importlib.import_module("x")``, literal ``getattr(x, "y")``, simple assignments
(``m = os``, tuples, ``for m in (os, sys)``, ``with ... as m``) and the plugin's own modules, then looked
up in the capability table (:mod:`wxreg.review.capabilities`). Assignments are followed flow- and
scope-insensitively (a name bound to a module anywhere may be that module everywhere), which can only
add uses, never hide one.

What cannot be followed is dynamic code, reported as such, never guessed: computed names, a module
object or an introspection builtin passed where it cannot be followed, dunder and frame attributes
outside a small explained set, ``vars()``/``globals()``/``locals()``, three-argument ``type()``.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from wxreg.review.capabilities import UNPERMITTED, CapabilityTable, Caps, ModuleEntry
from wxreg.review.code import CodeFile

BUILTIN_NAMES = frozenset(dir(builtins))
SAFE_DUNDERS = frozenset(
    {
        "__name__",
        "__qualname__",
        "__doc__",
        "__class__",
        "__init__",
        "__module__",
        "__version__",
        "__file__",
        "__all__",
        "__annotations__",
        "__dataclass_fields__",
        "__enter__",
        "__exit__",
        "__aenter__",
        "__aexit__",
        "__eq__",
        "__ne__",
        "__hash__",
        "__str__",
        "__repr__",
        "__len__",
        "__iter__",
        "__aiter__",
        "__next__",
        "__anext__",
        "__call__",
        "__new__",
        "__post_init__",
        "__slots__",
        "__getitem__",
        "__setitem__",
        "__delitem__",
        "__contains__",
        "__bool__",
        "__lt__",
        "__le__",
        "__gt__",
        "__ge__",
        "__add__",
        "__sub__",
        "__mul__",
        "__truediv__",
        "__format__",
        "__await__",
        "__del__",
        "__dict__",
        "__members__",
        "__origin__",
        "__args__",
        "__wrapped__",
        "__author__",
        "__license__",
        "__path__",
        "__setattr__",
        "__getattr__",
        "__init_subclass__",
        "__class_getitem__",
        "__match_args__",
        "__index__",
        "__int__",
        "__float__",
    }
)
"""Dunder attributes with an honest everyday use and no path to code (``__dict__`` of a module is refused
separately). Anything else (``__globals__``, ``__subclasses__``, ``__code__``, ``__builtins__`` ...) is
dynamic code."""
FRAME_ATTRIBUTES = frozenset(
    {
        "gi_frame",
        "gi_code",
        "cr_frame",
        "cr_code",
        "ag_frame",
        "ag_code",
        "f_globals",
        "f_builtins",
        "f_locals",
        "f_back",
        "f_code",
        "tb_frame",
        "tb_next",
        "co_code",
        "func_globals",
        "func_code",
        "im_func",
    }
)
DYNAMIC_NAMES = frozenset({"__builtins__", "__loader__", "__spec__", "__import__"})
RISKY_BUILTINS = frozenset(
    {"exec", "eval", "compile", "breakpoint", "help", "globals", "locals", "open", "__import__", "getattr",
     "setattr", "delattr", "vars", "type"}
)  # fmt: skip
"""Builtins resolved as builtins even where the module binds the same name somewhere (another scope)."""
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
BINDERS = (
    ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.For, ast.AsyncFor, ast.comprehension,
    ast.With, ast.AsyncWith,
)  # fmt: skip
BINDER_TYPES = frozenset(BINDERS)
BOUND_TYPES = frozenset({
    ast.Name, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.arg, ast.alias, ast.ExceptHandler,
    ast.MatchAs, ast.MatchStar, ast.Global, ast.Nonlocal,
})  # fmt: skip
"""The nodes that may bind a name in their scope."""
USE_TYPES = frozenset({
    ast.Import, ast.ImportFrom, ast.Attribute, ast.Name, ast.Call, ast.arg, ast.AnnAssign, ast.FunctionDef,
    ast.AsyncFunctionDef,
})  # fmt: skip
"""The nodes pass two looks at: uses of names and modules, and annotations."""
ANNOTATION_NODES = (
    ast.Expression, ast.Name, ast.Attribute, ast.Subscript, ast.Tuple, ast.List, ast.Constant, ast.BinOp,
    ast.BitOr, ast.Load, ast.Slice,
)  # fmt: skip
IMPORTERS = frozenset({"builtins.__import__", "importlib.import_module", "importlib.__import__"})
SPECIAL_CALLS = frozenset(
    {"builtins.getattr", "builtins.setattr", "builtins.delattr", "builtins.vars", "builtins.type", *IMPORTERS}
)
"""Callables judged at the call by their arguments: referencing them any other way cannot be followed."""
GETTERS = frozenset({"operator.attrgetter", "operator.methodcaller"})
OPENERS = frozenset(
    {"builtins.open", "io.open", "io.FileIO", "codecs.open", "gzip.open", "bz2.open", "lzma.open", "os.fdopen"}
)
PROCESS_INSTALL = re.compile(
    r"(?:\bpip3?(?:\.exe)?\b\s*(?:install|download)|-m\s*pip\b|\bensurepip\b|\beasy_install\b|"
    r"\bconda\s+install\b|\buv\s+pip\b|\bpoetry\s+add\b)",
    re.IGNORECASE,
)
DOWNLOAD_EXEC = re.compile(
    r"(?:\b(?:curl|wget|iwr|invoke-webrequest|irm|invoke-restmethod|certutil|bitsadmin|mshta)\b.*"
    r"(?:\|\s*(?:ba|z|da|k)?sh\b|\|\s*python|\biex\b|invoke-expression|-urlcache|/transfer|&&|;))|"
    r"\b(?:iex|invoke-expression)\b|\bdownloadstring\b|frombase64string",
    re.IGNORECASE | re.DOTALL,
)
MAX_COMMAND_CHARS = 4000
"""Command text looked at for installs and download-and-execute (bounded: the patterns scan it with ``.*``)."""
MODE = re.compile(r"^[rwabxtU+]{1,4}$")


@dataclass(frozen=True)
class Use:
    """One reach of a capability (``caps``) or of something the table cannot explain (``caps is None``)."""

    path: str
    line: int
    evidence: str
    caps: Caps | None


@dataclass(frozen=True)
class Dynamic:
    path: str
    line: int
    kind: str
    """A short key: ``exec``, ``computed-name``, ``escape``, ``dunder`` ..."""
    evidence: str


@dataclass(frozen=True)
class Unknown:
    """An import of a module neither in the table nor one of the plugin's own."""

    path: str
    line: int
    module: str


@dataclass
class FileReport:
    path: str
    uses: list[Use] = field(default_factory=list)
    dynamic: list[Dynamic] = field(default_factory=list)
    unknown: list[Unknown] = field(default_factory=list)
    imports_own: set[str] = field(default_factory=set)
    """Own module names this file imports (a runtime file importing ``tests`` makes it runtime)."""


def _quote(evidence: str | ast.expr) -> str:
    return evidence if isinstance(evidence, str) else ast.unparse(evidence)[:80]


def module_name(path: str) -> str:
    parts = list(PurePosixPath(path).parts)
    parts[-1] = parts[-1].split(".", 1)[0]
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def _own_key(name: str) -> str:
    return "@" + name


class _Env:
    """Name bindings shared by the plugin's modules: ``(module, name) -> {qualified names}``."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], set[str]] = {}
        self.changed = False

    def add(self, module: str, name: str, targets: set[str]) -> None:
        known = self.values.setdefault((module, name), set())
        if not targets <= known:
            known |= targets
            self.changed = True

    def get(self, module: str, name: str) -> set[str]:
        return self.values.get((module, name), set())


class ModuleAnalyzer:
    """One module's bindings (pass one, repeated to a fixed point) and uses (pass two)."""

    def __init__(
        self, item: CodeFile, tree: ast.Module, table: CapabilityTable, env: _Env, own: dict[str, str]
    ) -> None:
        self.item = item
        self.tree = tree
        self.table = table
        self.env = env
        self.own = own
        """Own module names (dotted, and by last part) -> canonical own module name."""
        self.name = module_name(item.path)
        self.package = self.name.rsplit(".", 1)[0] if "." in self.name else ""
        if PurePosixPath(item.path).name.startswith("__init__."):
            self.package = self.name
        self.bound: set[str] = set()
        if item.module() is tree:
            self.nodes, self.parents = item.nodes(), item.parents()
        else:
            self.nodes = list(ast.walk(tree))
            self.parents = {id(child): node for node in self.nodes for child in ast.iter_child_nodes(node)}
        self.binders: list[ast.AST] = []
        self.function_locals: dict[int, frozenset[str]] = {}
        self.module_definitions = {
            name
            for stmt in tree.body
            for name in (
                [stmt.name]
                if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                else [a.asname or a.name.split(".")[0] for a in stmt.names]
                if isinstance(stmt, ast.Import | ast.ImportFrom)
                else []
            )
        }
        self.class_assigns: set[int] = set()
        """Class-body assignments: ``class A: m = os`` is reached as ``A.m``, which names cannot follow."""
        # One pass over the shared walk collects the binders, the class-body assignments and every bound
        # name. ``ast.parse`` makes nodes of exactly these classes, so the node's type picks its case.
        binder_types, bound = BINDER_TYPES, self.bound
        for node in self.nodes:
            kind = type(node)
            if kind in binder_types:
                self.binders.append(node)
            if kind not in BOUND_TYPES:
                continue  # most nodes bind no name
            if isinstance(node, ast.Name):
                if not isinstance(node.ctx, ast.Load):  # Store or Del
                    bound.add(node.id)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                bound.add(node.name)
                if isinstance(node, ast.ClassDef):
                    self.class_assigns.update(
                        id(stmt) for stmt in node.body if isinstance(stmt, ast.Assign | ast.AnnAssign)
                    )
            elif isinstance(node, ast.arg):
                bound.add(node.arg)
            elif isinstance(node, ast.alias):
                bound.add(node.asname or node.name.split(".")[0])
            elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar):
                if node.name:
                    bound.add(node.name)
            elif isinstance(node, ast.Global | ast.Nonlocal):
                bound.update(node.names)

    # --- names -------------------------------------------------------------------------------------
    def _builtin_here(self, node: ast.Name) -> bool:
        """Whether a risky builtin name (``exec``, ``open`` ...) may be the builtin where it is used: not when
        the enclosing function binds it, nor when the module defines or imports it (a ``def open`` or an
        ``import``); a module-level assignment leaves both possible."""
        scope = self.parents.get(id(node))
        while scope is not None and not isinstance(scope, FUNCTIONS):
            scope = self.parents.get(id(scope))
        while scope is not None:
            if node.id in self._locals(scope):
                return False
            scope = self.parents.get(id(scope))
            while scope is not None and not isinstance(scope, FUNCTIONS):
                scope = self.parents.get(id(scope))
        return node.id not in self.module_definitions

    def _locals(self, function: ast.AST) -> frozenset[str]:
        known = self.function_locals.get(id(function))
        if known is None:
            names: set[str] = set()
            declared_global: set[str] = set()
            args = function.args if isinstance(function, FUNCTIONS) else None
            if args is not None:
                every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
                names.update(a.arg for a in every if a is not None)
            stack: list[ast.AST] = list(ast.iter_child_nodes(function))
            while stack:
                inner = stack.pop()
                if isinstance(inner, ast.arguments):
                    continue
                if isinstance(inner, (*FUNCTIONS, ast.ClassDef)):
                    if not isinstance(inner, ast.Lambda):
                        names.add(inner.name)
                    continue  # a nested scope
                if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store | ast.Del):
                    names.add(inner.id)
                elif isinstance(inner, ast.alias):
                    names.add(inner.asname or inner.name.split(".")[0])
                elif isinstance(inner, ast.Global | ast.Nonlocal):
                    declared_global.update(inner.names)
                stack.extend(ast.iter_child_nodes(inner))
            known = self.function_locals[id(function)] = frozenset(names - declared_global)
        return known

    def own_module(self, dotted: str, *, relative: bool = False) -> str | None:
        """The plugin's own module ``dotted`` names. An absolute import of a name the table knows is never
        the plugin's own file: CPython has already imported ``os``, ``json`` ... before any plugin runs, so a
        plugin file named ``os.py`` does not shadow them."""
        head = dotted.split(".")[0]
        if not relative and head in self.table.modules:
            return None
        if dotted in self.own:
            return self.own[dotted]
        if head in self.own:
            return self.own[head]
        return _own_key(dotted)[1:] if relative else None

    def relative(self, level: int, module: str | None) -> str:
        base = self.package.split(".") if self.package else []
        if level > 1:
            base = base[: max(0, len(base) - (level - 1))]
        return ".".join([*base, *([module] if module else [])])

    def qualify_module(self, dotted: str, *, relative: bool = False) -> str:
        """A module name as imported: an own module becomes ``@name``, anything else stays."""
        own = self.own_module(dotted, relative=relative)
        return _own_key(own) if own is not None else dotted

    def resolve(self, node: ast.expr) -> set[str]:
        """The qualified names ``node`` may refer to (empty: nothing the table knows)."""
        if isinstance(node, ast.Name):
            found = self.env.get(self.name, node.id)
            if found:
                risky = node.id in RISKY_BUILTINS and self._builtin_here(node)
                return found | ({f"builtins.{node.id}"} if risky else set())
            if node.id in RISKY_BUILTINS:
                return {f"builtins.{node.id}"} if self._builtin_here(node) else set()
            if node.id in self.bound:
                return set()
            return {f"builtins.{node.id}"} if node.id in BUILTIN_NAMES or node.id in DYNAMIC_NAMES else set()
        if isinstance(node, ast.Attribute):
            return set().union(*(self._members(base, node.attr) for base in self.resolve(node.value)))
        if isinstance(node, ast.Call):
            callee = self.resolve(node.func)
            literal = _literal(node.args[0]) if node.args else None
            if callee & IMPORTERS and literal is not None:
                module = literal
                if "builtins.__import__" in callee and not _has_fromlist(node):
                    module = literal.split(".")[0]
                return {self.qualify_module(module)}
            if "builtins.getattr" in callee and len(node.args) >= 2:
                name = _literal(node.args[1])
                if name is not None:
                    return set().union(*(self._members(base, name) for base in self.resolve(node.args[0])))
            return set()
        if isinstance(node, ast.NamedExpr):
            return self.resolve(node.value)
        if isinstance(node, ast.IfExp):
            return self.resolve(node.body) | self.resolve(node.orelse)
        if isinstance(node, ast.BoolOp):
            return set().union(*(self.resolve(v) for v in node.values))
        return set()

    def _member(self, base: str, attr: str) -> str:
        if base.startswith("@"):
            module = base[1:]
            exported = self.env.get(module, attr)
            if exported:
                return min(exported)  # one representative; bind() records all of them
            child = f"{module}.{attr}"
            if child in self.own:
                return _own_key(self.own[child])
            return f"{base}.{attr}"
        return f"{base}.{attr}"

    def _members(self, base: str, attr: str) -> set[str]:
        if base.startswith("@"):
            exported = self.env.get(base[1:], attr)
            if exported:
                return set(exported)
        return {self._member(base, attr)}

    # --- pass one: bindings ------------------------------------------------------------------------
    def bind(self) -> None:
        for node in self.binders:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.env.add(self.name, alias.asname, {self.qualify_module(alias.name)})
                    else:
                        top = alias.name.split(".")[0]
                        self.env.add(self.name, top, {self.qualify_module(top)})
            elif isinstance(node, ast.ImportFrom):
                source = self.relative(node.level, node.module) if node.level else (node.module or "")
                base = self.qualify_module(source, relative=node.level > 0) if source else ""
                for alias in node.names:
                    if alias.name == "*":
                        continue
                    if not base:
                        targets = {_own_key(self.own.get(alias.name, alias.name))}
                    else:
                        targets = self._members(base, alias.name)
                    self.env.add(self.name, alias.asname or alias.name, targets)
            elif isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr):
                value = node.value
                assigned = node.targets if isinstance(node, ast.Assign) else [node.target]
                if value is not None:
                    for target in assigned:
                        self._bind_target(target, value)
            elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                if isinstance(node.iter, ast.Tuple | ast.List | ast.Set):
                    for element in node.iter.elts:
                        self._bind_target(node.target, element)
            elif isinstance(node, ast.With | ast.AsyncWith):
                for with_item in node.items:
                    if with_item.optional_vars is not None:
                        self._bind_target(with_item.optional_vars, with_item.context_expr)

    def _bind_target(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            found = self.resolve(value)
            if found:
                self.env.add(self.name, target.id, found)
        elif isinstance(target, ast.Tuple | ast.List) and isinstance(value, ast.Tuple | ast.List):
            for t, v in zip(target.elts, value.elts, strict=False):
                self._bind_target(t, v)

    # --- pass two: uses ----------------------------------------------------------------------------
    def analyse(self, report: FileReport) -> None:
        self.report = report
        for node in self.nodes:
            if type(node) not in USE_TYPES:  # exactly the classes ast.parse makes
                continue  # most nodes (constants, operators, contexts, statements) use nothing by themselves
            line = getattr(node, "lineno", 0)
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self._import(alias.name, line)
            elif isinstance(node, ast.ImportFrom):
                self._import_from(node, line)
            elif isinstance(node, ast.Attribute):
                self._attribute(node, line)
            elif isinstance(node, ast.Name):
                self._name(node, line)
            elif isinstance(node, ast.Call):
                self._call(node, line)
            elif isinstance(node, ast.arg | ast.AnnAssign):
                if node.annotation is not None:
                    self._annotation(node.annotation, line)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns is not None:
                self._annotation(node.returns, line)

    def _annotation(self, annotation: ast.expr, line: int) -> None:
        """String annotations are code that ``typing.get_type_hints``, pydantic and friends evaluate: only
        names, attributes, subscripts, ``|`` and literals are explained."""
        for inner in ast.walk(annotation):
            text = _literal(inner) if isinstance(inner, ast.expr) else None
            if text is None:
                continue
            try:
                parsed = ast.parse(text.strip(), mode="eval")
            except (SyntaxError, ValueError, MemoryError, RecursionError):
                continue  # not an expression: evaluating it fails, it runs nothing
            for part in ast.walk(parsed):
                if not isinstance(part, ANNOTATION_NODES) or (
                    isinstance(part, ast.Attribute) and part.attr.startswith("__")
                ):
                    self._dynamic(line, "annotation", text[:80])
                    return

    def _dynamic(self, line: int, kind: str, evidence: str) -> None:
        self.report.dynamic.append(Dynamic(self.item.path, line, kind, evidence))

    def _use(self, line: int, evidence: str, caps: Caps | None) -> None:
        self.report.uses.append(Use(self.item.path, line, evidence, caps))

    def _import(self, module: str, line: int) -> None:
        own = self.own_module(module)
        if own is not None:
            self.report.imports_own.add(own)
            return
        resolved = self.table.resolve(module)
        if resolved is None:
            self.report.unknown.append(Unknown(self.item.path, line, module))
            return
        if resolved.caps is None:
            self._use(line, f"import {module}", None)
        elif resolved.caps:
            self._use(line, f"import {module}", resolved.caps)

    def _import_from(self, node: ast.ImportFrom, line: int) -> None:
        if node.level:
            self.report.imports_own.add(self.relative(node.level, node.module))
            return
        module = node.module or ""
        if self.own_module(module) is not None:
            self._import(module, line)
            return
        self._import(module, line)
        entry = self.table.entry(module)
        for alias in node.names:
            if alias.name == "*":
                if entry is not None and not entry[0].pure:
                    self._dynamic(line, "star-import", f"from {module} import *")
                continue
            # a submodule imported by name is an import of it; otherwise an attribute of the module
            full = f"{module}.{alias.name}"
            if full in self.table.modules:
                self._import(full, line)
            else:
                self._reference(full, line, f"from {module} import {alias.name}")

    def _reference(self, qualified: str, line: int, evidence: str | ast.expr) -> None:
        """One use of a qualified name: what it grants, or that the table cannot explain it. ``evidence``: the
        text quoted in a finding, or the expression it is the source of (unparsed only when quoted: most
        references are pure and quote nothing)."""
        if qualified.startswith("@"):
            return
        resolved = self.table.resolve(qualified)
        if resolved is None or resolved.attribute is None:
            return
        if qualified in SPECIAL_CALLS:
            return  # judged at the call, by its arguments
        text = evidence if isinstance(evidence, str) else None
        if resolved.attribute.startswith("__") and resolved.attribute not in SAFE_DUNDERS:
            self._dynamic(line, "dunder", text or _quote(evidence))
            return
        if resolved.attribute == "__dict__":
            self._dynamic(line, "module-dict", text or _quote(evidence))
            return
        if self._hidden_module(resolved.entry, qualified):
            self._use(line, text or _quote(evidence), None)
            return
        if resolved.caps and set(resolved.caps) & set(UNPERMITTED):
            self._dynamic(line, next(c for c in resolved.caps if c in UNPERMITTED), text or _quote(evidence))
        if resolved.caps != ():
            self._use(line, text or _quote(evidence), resolved.caps)

    def _hidden_module(self, entry: ModuleEntry, qualified: str) -> bool:
        """A module reached through another module's attributes (``logging.os``, ``collections._sys``,
        ``requests.utils.os``): the table cannot explain it, so it is refused rather than read as pure."""
        parts = qualified.split(".")[len(entry.name.split(".")) :]
        if not parts or set(entry.default or ()) & set(UNPERMITTED):
            return False  # nothing to hide: every use of such a module is already an error
        first = parts[0]
        if first.startswith("_") and not first.startswith("__") and first not in entry.attributes:
            return True  # private attributes: implementation details, often imported modules (_os, _sys)
        own = entry.name.split(".")[-1]
        for segment in parts:
            if segment == own or segment in entry.attributes or f"{entry.name}.{segment}" in self.table.modules:
                continue
            other = self.table.modules.get(segment)
            if other is not None and not other.pure:
                return True
        return False

    def _outermost(self, node: ast.expr) -> bool:
        parent = self.parents.get(id(node))
        return not (isinstance(parent, ast.Attribute) and parent.value is node)

    def _attribute(self, node: ast.Attribute, line: int) -> None:
        attr = node.attr
        if attr in FRAME_ATTRIBUTES or (attr.startswith("__") and attr.endswith("__") and attr not in SAFE_DUNDERS):
            self._dynamic(line, "dunder", f".{attr}")
        if attr == "__dict__" and any(not q.startswith("@") for q in self.resolve(node.value)):
            self._dynamic(line, "module-dict", f"{ast.unparse(node.value)[:60]}.__dict__")
        if not self._outermost(node):
            return
        for qualified in self.resolve(node):
            self._reference(qualified, line, node)
            self._escape(node, qualified, line)

    def _name(self, node: ast.Name, line: int) -> None:
        if node.id in DYNAMIC_NAMES and node.id != "__import__" and not self.env.get(self.name, node.id):
            self._dynamic(line, "builtins", node.id)
            return
        if not isinstance(node.ctx, ast.Load) or not self._outermost(node):
            return
        for qualified in self.resolve(node):
            if qualified.startswith("builtins."):
                self._reference(qualified, line, node.id)
            self._escape(node, qualified, line)

    def _escape(self, node: ast.expr, qualified: str, line: int) -> None:
        """A module object or a special callable used where it cannot be followed."""
        parent = self.parents.get(id(node))
        if isinstance(parent, ast.Call) and parent.func is node:
            return
        if (
            isinstance(parent, ast.Call)
            and parent.args
            and parent.args[0] is node
            and self.resolve(parent.func) & SPECIAL_CALLS
        ):
            return  # getattr(os, "name"), vars(module): judged at the call
        if (
            id(parent) not in self.class_assigns
            and isinstance(parent, ast.Assign | ast.AnnAssign | ast.NamedExpr)
            and all(
                isinstance(t, ast.Name) for t in (parent.targets if isinstance(parent, ast.Assign) else [parent.target])
            )
        ):
            return
        grand = self.parents.get(id(parent))
        if (
            isinstance(parent, ast.Tuple | ast.List)
            and isinstance(grand, ast.Assign)
            and grand.value is parent
            and all(isinstance(t, ast.Tuple | ast.List) for t in grand.targets)
            and id(grand) not in self.class_assigns
        ):
            return  # a, b = os, json: unpacked into names that are followed
        if isinstance(parent, ast.Tuple | ast.List | ast.Set) and isinstance(
            self.parents.get(id(parent)), ast.For | ast.AsyncFor | ast.comprehension
        ):
            return
        if isinstance(parent, ast.withitem | ast.Compare | ast.Expr):
            return
        if (qualified in SPECIAL_CALLS or qualified in GETTERS) and qualified != "builtins.type":
            self._dynamic(line, "escape", f"{qualified.removeprefix('builtins.')} used as a value")
            return
        if qualified.startswith("@"):
            return
        resolved = self.table.resolve(qualified)
        if resolved is not None and resolved.attribute is None and not resolved.entry.pure:
            self._dynamic(line, "escape", f"module {qualified} used as a value")

    def _call(self, node: ast.Call, line: int) -> None:
        callee = self.resolve(node.func)
        args = node.args
        if callee & IMPORTERS:
            name = _literal(args[0]) if args else None
            if name is None:
                self._dynamic(line, "computed-import", ast.unparse(node)[:80])
            else:
                self._import(name, line)
        if "builtins.getattr" in callee and len(args) >= 2:
            self._getattr(node, line)
        if callee & {"builtins.setattr", "builtins.delattr"} and args and self._is_module(args[0]):
            self._dynamic(line, "setattr-module", ast.unparse(node)[:80])
        if "builtins.vars" in callee and (not args or self._is_module(args[0]) or _is_builtins_name(args[0])):
            self._dynamic(line, "vars", ast.unparse(node)[:80])
        if "builtins.type" in callee and len(args) == 3:
            self._dynamic(line, "type", "type(name, bases, namespace)")
        if callee & GETTERS:
            dangerous = self.table.dangerous_attribute_names
            for arg in args[:1] if "operator.methodcaller" in callee else args:
                text = _literal(arg)
                if text is None or any(
                    part.startswith("__") or part in dangerous or part in FRAME_ATTRIBUTES for part in text.split(".")
                ):
                    self._dynamic(line, "getter", ast.unparse(node)[:80])
        if callee & OPENERS:
            self._open(node, line, "os.fdopen" not in callee)
        caps: set[str] = set()
        for qualified in callee:
            resolved = None if qualified.startswith("@") else self.table.resolve(qualified)
            if resolved is not None and resolved.caps:
                caps.update(resolved.caps)
        if "process" in caps:
            self._process_arguments(node, line)
        if not callee and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            found = self.table.methods.get(method)
            if found:
                self._use(line, f".{method}()", found)
            if method == "open":
                mode = _mode_argument(node, first=True)
                if mode is not None and MODE.match(mode):
                    self._use(line, f".open({mode!r})", ("file.write",) if _writes(mode) else ("file.read",))

    def _getattr(self, node: ast.Call, line: int) -> None:
        target, name_node = node.args[0], node.args[1]
        name = _literal(name_node)
        if name is not None:
            for base in self.resolve(target):
                self._reference(self._member(base, name), line, f"getattr({ast.unparse(target)[:40]}, {name!r})")
            if (name.startswith("__") and name not in SAFE_DUNDERS) or name in FRAME_ATTRIBUTES:
                self._dynamic(line, "dunder", f"getattr(..., {name!r})")
            return
        if self._is_module(target) or _is_builtins_name(target):
            self._dynamic(line, "computed-name", ast.unparse(node)[:80])
            return
        prefix = _literal_prefix(name_node)
        dangerous = self.table.dangerous_attribute_names | FRAME_ATTRIBUTES
        if not prefix or prefix.startswith("_") or any(d.startswith(prefix) for d in dangerous):
            self._dynamic(line, "computed-name", ast.unparse(node)[:80])

    def _is_module(self, node: ast.expr) -> bool:
        for qualified in self.resolve(node):
            if qualified.startswith("@"):
                continue
            resolved = self.table.resolve(qualified)
            if resolved is None or resolved.attribute is None or qualified == "builtins.__builtins__":
                return True
        return False

    def _open(self, node: ast.Call, line: int, mode_second: bool) -> None:
        mode = _mode_argument(node, first=not mode_second)
        if mode is None and any(k.arg == "mode" for k in node.keywords):
            mode = "w"  # computed at run time: assume the worst
        if mode is None and len(node.args) > (1 if mode_second else 0):
            mode = "w"
        if mode is not None and _writes(mode):
            self._use(line, f"{ast.unparse(node.func)}(mode={mode!r})", ("file.write",))

    def _process_arguments(self, node: ast.Call, line: int) -> None:
        text = " ".join(_strings(node))[:MAX_COMMAND_CHARS]
        if PROCESS_INSTALL.search(text):
            self._use(line, f"{ast.unparse(node.func)}(... pip install ...)", ("install",))
            self._dynamic(line, "install", text[:80])
        if DOWNLOAD_EXEC.search(text):
            self._dynamic(line, "download-exec", text[:80])


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _literal_prefix(node: ast.expr) -> str:
    """The literal text a computed string surely starts with (``f"on_{x}"`` -> ``on_``)."""
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literal(node.left) or _literal_prefix(node.left)
    return ""


def _has_fromlist(node: ast.Call) -> bool:
    if len(node.args) >= 4:
        return True
    return any(k.arg == "fromlist" for k in node.keywords)


def _is_builtins_name(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id in ("__builtins__", "builtins")


def _mode_argument(node: ast.Call, *, first: bool) -> str | None:
    mode: ast.expr | None = None
    index = 0 if first else 1
    if len(node.args) > index:
        mode = node.args[index]
    for keyword in node.keywords:
        if keyword.arg == "mode":
            mode = keyword.value
    if mode is None:
        return None
    value = _literal(mode)
    return value if value is not None else "w"


def _writes(mode: str) -> bool:
    return any(ch in mode for ch in "wax+")


def _strings(node: ast.AST) -> Iterator[str]:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
            yield inner.value


def own_modules(files: tuple[CodeFile, ...]) -> dict[str, str]:
    """Own module names, by full dotted name, by every dotted suffix and by package folder."""
    own: dict[str, str] = {}
    for item in files:
        name = module_name(item.path)
        parts = name.split(".")
        for start in range(len(parts)):
            own.setdefault(".".join(parts[start:]), name)
        for cut in range(1, len(parts)):
            package = ".".join(parts[:cut])
            for start in range(cut):
                own.setdefault(".".join(parts[start:cut]), package)
    return own


def analyse(files: list[tuple[CodeFile, ast.Module]], table: CapabilityTable) -> list[FileReport]:
    """Every file's uses, dynamic code and unknown imports, with bindings followed across the plugin's modules."""
    env = _Env()
    own = own_modules(tuple(item for item, _ in files))
    analyzers = [ModuleAnalyzer(item, tree, table, env, own) for item, tree in files]
    for _ in range(6):
        env.changed = False
        for analyzer in analyzers:
            analyzer.bind()
        if not env.changed:
            break
    reports = []
    for analyzer in analyzers:
        report = FileReport(analyzer.item.path)
        analyzer.analyse(report)
        reports.append(report)
    return reports
