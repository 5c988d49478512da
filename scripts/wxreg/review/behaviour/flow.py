"""Sources to sinks, persistence, disguised commands and endpoints over a plugin's syntax trees.

Pure functions of ``(path, ast.Module)`` pairs: nothing is imported, nothing runs. The taint analysis
is flow-insensitive inside a function (a name bound once to sensitive data stays sensitive), follows
assignments, containers, f-strings, ``%``/``format``/``+``, ``json.dumps`` and any other call (the
result of a call on sensitive data is sensitive), attributes and subscripts, ``self.x`` across a class,
and the plugin's own functions across its modules through summaries: what a function returns (its
sources, and which parameters flow to the result) and which parameters reach a sink inside it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from wxreg.review.behaviour import patterns as P
from wxreg.review.behaviour.fold import UNKNOWN, Folded, Folder, normalise_path
from wxreg.review.behaviour.index import assembled, child_fields, index_module


@dataclass(frozen=True, order=True)
class Source:
    kind: str
    what: str
    path: str
    line: int


@dataclass(frozen=True, order=True)
class Param:
    index: int


Label = Source | Param
Taint = frozenset[Label]
EMPTY: Taint = frozenset()
Walked = tuple[list[ast.AST], dict[int, ast.AST]]
"""A module's shared walk: every node (breadth first) and ``id(node) -> parent``."""


@dataclass(frozen=True, order=True)
class Sink:
    kind: str
    """``network``, ``process`` or ``file``."""
    what: str
    path: str
    line: int


@dataclass(frozen=True, order=True)
class Flow:
    source: Source
    sink: Sink


@dataclass(frozen=True, order=True)
class Hit:
    """A finding that needs no flow: ``persistence``, ``disguised``, ``webhook``, ``raw_ip``, ``too_deep``."""

    kind: str
    what: str
    path: str
    line: int


@dataclass(frozen=True, order=True)
class Endpoint:
    value: str
    """The URL (unknown parts as ``{…}``) or host the code can contact."""
    origin: str
    """``scheme://host[:port]`` (or the bare host): what the registry publishes."""
    path: str
    line: int


@dataclass(frozen=True)
class BehaviourReport:
    flows: tuple[Flow, ...] = ()
    hits: tuple[Hit, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    uses_network: bool = False
    uses_process: bool = False


@dataclass
class _Frame:
    body: list[ast.stmt]
    bound: frozenset[str]
    globals: frozenset[str]
    folder: Folder
    sensitive: dict[int, Source | None]
    """``_sensitive_path`` per call (it folds paths: once per call, not once per pass)."""
    targets: dict[int, tuple[_Module, str] | None]
    """The plugin's own function each call reaches, per call."""


@dataclass
class _Summary:
    returns: Taint = EMPTY
    param_sinks: dict[int, set[Sink]] = field(default_factory=dict)


def module_name(path: str) -> str:
    stem = path[:-4] if path.endswith(".pyw") else path[:-3] if path.endswith(".py") else path
    parts = stem.split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


_CLEAN_CALLS = frozenset({"len", "bool", "isinstance", "issubclass", "hasattr", "callable", "type", "id", "print",
                          "range", "enumerate.__len__", "logging.info", "logging.debug", "time.sleep"})
_WRITE_MODE = frozenset("wax+")
_CLEAN_NODES = frozenset({ast.Constant, ast.Lambda, ast.Compare})
_COMPREHENSIONS = frozenset({ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp})
_TOKENS = re.compile(r"[\s\"'&|;()<>^]+")


class _Module:
    """One module: its imports, constants, functions and classes (one walk), and its analysis."""

    def __init__(self, plugin: _Plugin, path: str, tree: ast.Module, walked: Walked | None = None) -> None:
        self.plugin = plugin
        self.path = path
        self.tree = tree
        self.name = module_name(path)
        self.names: dict[str, str] = {}
        self.consts: dict[str, ast.expr] = {}
        self.functions: dict[str, tuple[ast.FunctionDef | ast.AsyncFunctionDef, str | None]] = {}
        self.callbacks: dict[str, Source] = {}
        self.clients: set[str] = set()
        self.attr_taint: dict[str, Taint] = {}
        self.global_taint: dict[str, Taint] = {}
        self.docstrings: set[int] = set()
        self.uses_network = False
        self.uses_process = False
        self.version = 0
        """Grows whenever ``attr_taint`` or ``global_taint`` does (a function re-reads them only then)."""
        self.frames: dict[int, _Frame] = {}
        """What each function body's analysis needs that does not change between passes."""
        self._qualified: dict[int, str | None] | None = None
        self.module_folder = self.folder(None)
        self.index = index_module(tree, *(walked or (None, None)))
        self._scan()

    # --- one walk: imports, aliases, constants, functions ---------------------------------------------
    def _scan(self) -> None:
        index = self.index
        package = self.name.split(".")[:-1] if not self.path.endswith("__init__.py") else self.name.split(".")
        for node in index.imports:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.names[alias.asname or alias.name.split(".")[0]] = (alias.asname and alias.name) or (
                        alias.name.split(".")[0])
                    self._module_use(alias.name)
            else:
                base = node.module or ""
                if node.level:
                    up = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                    base = ".".join([*up, base] if base else up)
                self._module_use(base)
                for alias in node.names:
                    self.names[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
        for scope in (self.tree, *index.defs):
            body = scope.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                self.docstrings.add(id(body[0].value))
            if isinstance(scope, ast.ClassDef):
                for item in body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        self.functions[f"{scope.name}.{item.name}"] = (item, scope.name)
        for top in self.tree.body:
            if isinstance(top, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions[top.name] = (top, None)
        known = {id(func) for func, _ in self.functions.values()}
        for scope in index.defs:
            if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef) and id(scope) not in known:
                # a nested function: analysed on its own too (and inside its parent, which sees its closure)
                key = scope.name if scope.name not in self.functions else f"{scope.name}@{scope.lineno}"
                self.functions[key] = (scope, None)
        for target, value in index.binds:
            self._bind(target, value)
        self._qualified = {}  # the names are known: qualify() may remember its answers from here on
        for call in index.calls:
            name = self.qualify(call.func) or ""
            if name in P.CALLBACK_SOURCES:
                source = Source("keyboard", P.CALLBACK_SOURCES[name] + " callback", self.path, call.lineno)
                for value in [*call.args, *(k.value for k in call.keywords)]:
                    if isinstance(value, ast.Name | ast.Attribute):
                        self.callbacks[value.id if isinstance(value, ast.Name) else value.attr] = source

    def share(self, shared: dict[str, Taint], key: str, taint: Taint) -> None:
        known = shared.get(key, EMPTY)
        if not taint <= known:
            shared[key] = known | taint
            self.version += 1

    def _module_use(self, module: str) -> None:
        top = module.split(".")[0]
        if module.startswith("http.client") or (top in P.NETWORK_MODULES and top not in (
            "logging", "asyncio", "http", "ssl", "webbrowser") and not module.startswith("urllib.parse")):
            self.uses_network = True
        if module in ("subprocess", "pty", "commands") or module.startswith("subprocess."):
            self.uses_process = True

    def _bind(self, target: ast.expr, value: ast.expr) -> None:
        key = self._target_key(target)
        if key is None:
            return
        qualified = self.qualify(value) if isinstance(value, ast.Name | ast.Attribute | ast.Call) else None
        head = qualified.split(".")[0] if qualified else None
        if isinstance(value, ast.Name | ast.Attribute) and head in self.names.values() and "." not in key:
            self.names[key] = qualified or ""  # ``m = os``: an alias of a module or function
        elif isinstance(value, ast.Call) and qualified in ("__import__", "importlib.import_module"):
            folded = self.module_folder.fold(value.args[0]) if value.args else None
            if folded is not None and folded.complete and "." not in key:
                self.names[key] = folded.text
        elif isinstance(value, ast.Call) and (self.qualify(value.func) or "").split(".")[0] in P.NETWORK_MODULES:
            self.clients.add(key)  # ``s = requests.Session()``, ``self.sock = socket.socket()``
        if key not in self.consts or isinstance(value, ast.Constant | ast.JoinedStr | ast.BinOp):
            self.consts[key] = value

    @staticmethod
    def _target_key(target: ast.expr) -> str | None:
        if isinstance(target, ast.Name):
            return target.id
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
            return f"self.{target.attr}"
        return None

    # --- names ------------------------------------------------------------------------------------------
    def qualify(self, node: ast.expr) -> str | None:
        memo = self._qualified
        if memo is None:
            return self._qualify(node)
        key = id(node)
        if key in memo:
            return memo[key]
        found = memo[key] = self._qualify(node)
        return found

    def _qualify(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            return self.names.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = self.qualify(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else self.qualify(func)
            name = self.names.get(name, name) if name else None
            if name in ("getattr", "builtins.getattr") and len(node.args) >= 2:
                base = self.qualify(node.args[0])
                attr = node.args[1]
                if base and isinstance(attr, ast.Constant) and isinstance(attr.value, str):
                    return f"{base}.{attr.value}"
                folded = self.module_folder.fold(attr) if base else None
                return f"{base}.{folded.text}" if folded is not None and folded.complete else None
            if name in ("__import__", "importlib.import_module", "builtins.__import__") and node.args:
                folded = self.module_folder.fold(node.args[0])
                return folded.text if folded is not None and folded.complete else None
            return None
        if isinstance(node, ast.Subscript):  # ``vars(os)["system"]``, ``os.__dict__["system"]``
            holder = node.value
            base = None
            if isinstance(holder, ast.Call) and isinstance(holder.func, ast.Name) and holder.func.id == "vars":
                base = self.qualify(holder.args[0]) if holder.args else None
            elif isinstance(holder, ast.Attribute) and holder.attr == "__dict__":
                base = self.qualify(holder.value)
            if base:
                key = self.module_folder.fold(node.slice)
                return f"{base}.{key.text}" if key is not None and key.complete else None
        return None

    def folder(self, local: dict[str, ast.expr] | None) -> Folder:
        def lookup(name: str) -> ast.expr | None:
            if local is not None and name in local:
                return local[name]
            return self.consts.get(name)

        return Folder(lookup, self.qualify)

    # --- endpoints ---------------------------------------------------------------------------------------
    def endpoints(self) -> Iterator[Endpoint]:
        folder = self.module_folder
        index = self.index
        consumed: set[int] = set()  # assembled strings that folded: their parts are covered
        for node in index.candidates:  # ancestors before descendants
            if consumed and index.inside(node, consumed):
                continue
            if assembled(node):
                folded = folder.fold(node)
                if folded is not None:
                    consumed.add(id(node))
                    yield from self._urls(folded.text, node)
            elif isinstance(node, ast.Constant) and id(node) not in self.docstrings:
                yield from self._urls(str(node.value), node)
            if isinstance(node, ast.Call):
                yield from self._host_args(node, folder)

    def _urls(self, text: str, node: ast.expr) -> Iterator[Endpoint]:
        for match in P.URL.finditer(text.replace(UNKNOWN, "{…}")):
            url = match.group(0).rstrip(".,;)")
            scheme, _, rest = url.partition("://")
            host = rest.split("/")[0].split("?")[0].split("#")[0].rsplit("@", 1)[-1]
            if not host or host.startswith("{…}"):
                continue
            yield Endpoint(url, f"{scheme.lower()}://{host.lower()}", self.path, node.lineno)

    def _host_args(self, call: ast.Call, folder: Folder) -> Iterator[Endpoint]:
        name = self.qualify(call.func) or ""
        method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        candidates: list[ast.expr] = []
        if name in P.HOST_CALLS or name.endswith((".SSHClient.connect",)):
            candidates = call.args[:1] + [k.value for k in call.keywords if k.arg in ("host", "hostname", "address")]
            candidates = [c.elts[0] if isinstance(c, ast.Tuple) and c.elts else c for c in candidates]
        elif method in ("connect", "connect_ex", "sendto", "create_connection") and call.args:
            target = call.args[-1] if method == "sendto" else call.args[0]
            if isinstance(target, ast.Tuple) and target.elts:
                candidates = [target.elts[0]]
        for candidate in candidates:
            folded = folder.fold(candidate)
            if folded is not None and folded.complete and folded.text and "://" not in folded.text:
                host = folded.text.lower()
                yield Endpoint(host, host, self.path, call.lineno)


class _Plugin:
    def __init__(
        self, modules: Iterable[tuple[str, ast.Module]], tests: frozenset[str], walks: Mapping[str, Walked]
    ) -> None:
        every = [_Module(self, path, tree, walks.get(path)) for path, tree in modules]
        runtime = [m for m in every if m.path not in tests]
        imported = {value for m in runtime for value in m.names.values()}
        imported |= {name.rsplit(".", 1)[0] for name in imported}
        # A plugin's own tests never run inside WXAUTO-MGT, unless runtime code imports them.
        self.modules = runtime + [
            m for m in every if m.path in tests and any(m.name == i or m.name.endswith("." + i) for i in imported)
        ]
        suffixes: dict[str, list[_Module]] = {}
        for m in self.modules:
            parts = m.name.split(".")
            for start in range(1, len(parts)):
                suffixes.setdefault(".".join(parts[start:]), []).append(m)
        self.by_suffix = suffixes
        self.by_name = {m.name: m for m in self.modules}
        self.summaries: dict[tuple[str, str], _Summary] = {}
        self.in_progress: set[tuple[str, str]] = set()
        self.flows: set[Flow] = set()
        self.hits: set[Hit] = set()
        self.first_round = True

    def module_for(self, dotted: str) -> _Module | None:
        """A plugin module by its dotted name, also when the plugin imports it relative to its own root."""
        found = self.by_name.get(dotted)
        if found is not None:
            return found
        matches = self.by_suffix.get(dotted, [])
        return matches[0] if len(matches) == 1 else None

    def function(self, dotted: str) -> tuple[_Module, str] | None:
        module_part, _, func = dotted.rpartition(".")
        for split in (module_part,):
            module = self.module_for(split) if split else None
            if module is not None and func in module.functions:
                return module, func
        # ``pkg.mod.Class.method``
        head, _, cls = module_part.rpartition(".")
        module = self.module_for(head) if head else None
        if module is not None and f"{cls}.{func}" in module.functions:
            return module, f"{cls}.{func}"
        return None

    def summary(self, module: _Module, qualname: str) -> _Summary:
        key = (module.name, qualname)
        known = self.summaries.get(key)
        if known is not None:
            return known
        if key in self.in_progress:
            return _Summary()  # recursion: what is known so far
        self.in_progress.add(key)
        func, cls = module.functions[qualname]
        result = _Function(module, func, cls).run()
        self.in_progress.discard(key)
        self.summaries[key] = result
        return result

    def run(self) -> BehaviourReport:
        self._pass()
        if any(m.attr_taint or m.global_taint for m in self.modules):  # (sources only: see _Function._assign)
            # ``self.x`` or a global set in one function and sent in another: once more with them known.
            self.first_round = False
            self.summaries.clear()
            self._pass()
        endpoints = sorted({e for m in self.modules for e in m.endpoints()})
        for endpoint in endpoints:
            hit = _endpoint_hit(endpoint)
            if hit is not None:
                self.hits.add(hit)
        return BehaviourReport(
            flows=tuple(sorted(self.flows)),
            hits=tuple(sorted(self.hits)),
            endpoints=tuple(endpoints),
            uses_network=any(m.uses_network for m in self.modules),
            uses_process=any(m.uses_process for m in self.modules),
        )

    def _pass(self) -> None:
        for module in self.modules:
            _Function(module, module.tree, None).run()
            for qualname in module.functions:
                self.summary(module, qualname)


def _endpoint_hit(endpoint: Endpoint) -> Hit | None:
    target = endpoint.value.lower().split("://", 1)[-1]
    for label in P.labels(P.WEBHOOKS, target)[:1]:
        return Hit("webhook", f"{label}: {endpoint.value}", endpoint.path, endpoint.line)
    host = endpoint.origin.split("://", 1)[-1].rsplit("@", 1)[-1]
    host = host.split(":")[0] if host.count(":") == 1 else host.strip("[]").rsplit("]:", 1)[0]
    if P.IPV4.match(host) and not host.startswith(("127.", "0.")):
        return Hit("raw_ip", endpoint.value, endpoint.path, endpoint.line)
    if ":" in host and host not in ("::1", "::") and all(c in "0123456789abcdef:." for c in host):
        return Hit("raw_ip", endpoint.value, endpoint.path, endpoint.line)
    return None


def _outside(path: str) -> bool:
    """A written path outside the plugin's own folder: absolute, home, environment-based, another drive."""
    value = normalise_path(path)
    return value.startswith(("/", "~", "%")) or (len(value) > 2 and value[1] == ":" and value[0].isalpha())


class _Function:
    """The taint analysis of one function body (or a module's top level)."""

    def __init__(self, module: _Module, node: ast.AST, cls: str | None) -> None:
        self.m = module
        self.node = node
        self.cls = cls
        self.env: dict[str, Taint] = {}
        self.files: set[str] = set()
        self.summary = _Summary()
        self.is_module = isinstance(node, ast.Module)
        self.first_pass = True
        self.observed: list[tuple[str, Taint]] | None = None
        args: list[ast.arg] = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            if node.args.vararg:
                args.append(node.args.vararg)
            if node.args.kwarg:
                args.append(node.args.kwarg)
            callback = module.callbacks.get(node.name)
            offset = 1 if cls is not None and args and args[0].arg in ("self", "cls") else 0
            for index, arg in enumerate(args):
                if index < offset:
                    continue
                self.env[arg.arg] = frozenset({callback}) if callback else frozenset({Param(index - offset)})
        frame = module.frames.get(id(node))
        if frame is None:
            frame = module.frames[id(node)] = self._frame(args)
        self.body = frame.body
        self.bound = frame.bound
        self.globals = frame.globals
        self.folder = frame.folder
        self.sensitive = frame.sensitive
        self.targets = frame.targets

    def _frame(self, args: list[ast.arg]) -> _Frame:
        """The parts of this body's analysis that do not change between passes, computed once."""
        body = list(self._statements())
        stores = self.m.index.stmt_stores
        bound = {arg.arg for arg in args}
        names: set[str] = set()
        local: dict[str, ast.expr] = {}
        for stmt in body:
            bound.update(stores.get(id(stmt), ()))
            if isinstance(stmt, ast.Global):
                names.update(stmt.names)
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                local[stmt.targets[0].id] = stmt.value
        return _Frame(body, frozenset(bound), frozenset(names), self.m.folder(local), {}, {})

    def _statements(self) -> Iterator[ast.stmt]:
        """Every statement of this body, not those of nested functions and classes (analysed on their own)."""
        stack: list[ast.stmt] = list(reversed(getattr(self.node, "body", [])))
        while stack:
            stmt = stack.pop()
            yield stmt
            if isinstance(stmt, ast.ClassDef) or (
                isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and self.is_module
            ):
                continue
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                stack.extend(reversed(stmt.body))
                continue
            for name in ("body", "orelse", "finalbody", "handlers", "cases"):
                children = getattr(stmt, name, None)
                if children:
                    for child in reversed(children):
                        if isinstance(child, ast.ExceptHandler | ast.match_case):
                            stack.extend(reversed(child.body))
                        else:
                            stack.append(child)

    def run(self) -> _Summary:
        # The first pass remembers every name it read and what it read: when none of them (and nothing the
        # module shares) grew afterwards, a second pass would read the same and change nothing.
        self.observed = []
        version = self.m.version
        for stmt in self.body:
            self._stmt(stmt)
        self.first_pass = False
        observed, self.observed = self.observed, None
        if version == self.m.version and not self.files and all(self.lookup(n) == t for n, t in observed):
            return self.summary
        for _ in range(3):
            before = dict(self.env), dict(self.m.attr_taint), dict(self.m.global_taint), self.summary.returns
            for stmt in self.body:
                self._stmt(stmt)
            after = self.env, self.m.attr_taint, self.m.global_taint, self.summary.returns
            if before == after:
                break
        return self.summary

    # --- statements ----------------------------------------------------------------------------------------
    def _stmt(self, stmt: ast.stmt) -> None:
        for node in self.m.index.stmt_calls.get(id(stmt), ()):
            self._call(node)
        if isinstance(stmt, ast.Assign):
            taint = self.taint(stmt.value)
            for target in stmt.targets:
                self._assign(target, taint)
        elif isinstance(stmt, ast.AnnAssign | ast.AugAssign) and stmt.value is not None:
            self._assign(stmt.target, self.taint(stmt.value))
        elif isinstance(stmt, ast.For | ast.AsyncFor):
            self._assign(stmt.target, self.taint(stmt.iter))
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            for item in stmt.items:
                if item.optional_vars is not None:
                    self._assign(item.optional_vars, self.taint(item.context_expr))
                    self._file_handle(item.optional_vars, item.context_expr)
        elif isinstance(stmt, ast.Return) and stmt.value is not None:
            self.summary.returns = self.summary.returns | self.taint(stmt.value)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call | ast.Await):
            call = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
            if isinstance(call, ast.Call):
                # ``items.append(secret)``, ``data.update(os.environ)``: the container now holds it;
                # ``shot.save(buf)``, ``json.dump(secret, buf)``: so does the buffer passed along.
                taint = self._args_taint(call)
                if isinstance(call.func, ast.Attribute):
                    if taint:
                        self._assign(call.func.value, taint)
                    taint = taint | self.taint(call.func.value)
                if taint:
                    for arg in call.args:
                        if isinstance(arg, ast.Name | ast.Attribute):
                            self._assign(arg, taint)
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            self._file_handle(stmt.targets[0], stmt.value)

    def _assign(self, target: ast.expr, taint: Taint) -> None:
        if not taint:
            return
        shared = frozenset(label for label in taint if isinstance(label, Source))  # a parameter means nothing
        if isinstance(target, ast.Name):
            # a name this function never binds is the module's (``CACHE.update(os.environ)`` in a function)
            is_global = target.id in self.globals or (target.id not in self.env and target.id not in self.bound)
            if self.is_module or is_global:
                if shared:
                    self.m.share(self.m.global_taint, target.id, shared)
            else:
                self.env[target.id] = self.env.get(target.id, EMPTY) | taint
            if self.is_module:
                self.env[target.id] = self.env.get(target.id, EMPTY) | taint
        elif isinstance(target, ast.Attribute):
            if isinstance(target.value, ast.Name) and target.value.id in ("self", "cls"):
                key = f"{self.cls}.{target.attr}"
                if shared:
                    self.m.share(self.m.attr_taint, key, shared)
            else:
                self._assign(target.value, taint)
        elif isinstance(target, ast.Subscript):
            self._assign(target.value, taint)
        elif isinstance(target, ast.Tuple | ast.List):
            for elt in target.elts:
                self._assign(elt, taint)
        elif isinstance(target, ast.Starred):
            self._assign(target.value, taint)

    def _file_handle(self, target: ast.expr, value: ast.expr) -> None:
        """``f = open(outside, "w")`` / ``with open(...) as f``: writes to ``f`` are file sinks."""
        if not isinstance(target, ast.Name) or not isinstance(value, ast.Call):
            return
        path = self._written_path(value)
        if path is not None:
            self.files.add(target.id)

    def _written_path(self, call: ast.Call) -> str | None:
        name = self.m.qualify(call.func) or ""
        if name in ("open", "io.open", "codecs.open", "builtins.open") and call.args:
            mode = call.args[1] if len(call.args) > 1 else next(
                (k.value for k in call.keywords if k.arg == "mode"), None)
            folded_mode = self.folder.fold(mode) if mode is not None else Folded("r")
            if folded_mode is None or _WRITE_MODE.intersection(folded_mode.text):
                path = self.folder.fold(call.args[0])
                if path is not None and _outside(path.text):
                    return path.text
        if isinstance(call.func, ast.Attribute) and call.func.attr == "open":
            mode = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "mode"), None)
            folded_mode = self.folder.fold(mode) if mode is not None else None
            if folded_mode is not None and _WRITE_MODE.intersection(folded_mode.text):
                path = self.folder.fold(call.func.value)
                if path is not None and _outside(path.text):
                    return path.text
        return None

    # --- expressions ----------------------------------------------------------------------------------------
    def lookup(self, name: str) -> Taint:
        found = self.env.get(name)
        if found is None:
            found = self.m.global_taint.get(name, EMPTY)
        if self.observed is not None:
            self.observed.append((name, found))
        return found

    def taint(self, node: ast.expr | None) -> Taint:
        if node is None:
            return EMPTY
        kind = type(node)  # parsed trees hold the node classes themselves: ``is`` is exact and cheap
        if kind is ast.Name:
            return self.lookup(node.id)  # type: ignore[attr-defined]
        if kind in _CLEAN_NODES:
            return EMPTY
        if kind is ast.Attribute:
            source = self._attribute_source(node)  # type: ignore[arg-type]
            if source is not None:
                return frozenset({source})
            value = node.value  # type: ignore[attr-defined]
            if type(value) is ast.Name and value.id in ("self", "cls"):
                return self.m.attr_taint.get(f"{self.cls}.{node.attr}", EMPTY)  # type: ignore[attr-defined]
            return self.taint(value)
        if kind is ast.Call:
            return self._call_taint(node)  # type: ignore[arg-type]
        if kind is ast.Subscript:
            source = self._subscript_source(node)  # type: ignore[arg-type]
            if source is not None:
                return frozenset({source}) if source.kind else EMPTY
            return self.taint(node.value)  # type: ignore[attr-defined]
        if kind is ast.Dict:
            taint = EMPTY
            for key, value in zip(node.keys, node.values, strict=True):  # type: ignore[attr-defined]
                taint = taint | self.taint(key) | self.taint(value)
            return taint
        if kind in _COMPREHENSIONS:
            for generator in node.generators:  # type: ignore[attr-defined]
                self._assign(generator.target, self.taint(generator.iter))
        taint = EMPTY
        for name in child_fields(kind):
            value = getattr(node, name, None)
            for child in value if type(value) is list else (value,):
                if isinstance(child, ast.expr):
                    taint = taint | self.taint(child)
                elif type(child) is ast.comprehension:
                    taint = taint | self.taint(child.iter)
        return taint

    def _here(self, node: ast.expr, kind: str, what: str) -> Source:
        return Source(kind, what, self.m.path, node.lineno)

    def _attribute_source(self, node: ast.Attribute) -> Source | None:
        name = self.m.qualify(node)
        if name in P.ENVIRON:
            return self._here(node, "environment", "os.environ")
        return None

    def _subscript_source(self, node: ast.Subscript) -> Source | None:
        """``os.environ[...]``: a named setting is no source (``kind == ""``), a computed name or another
        tool's credential is; ``USERNAME``/``COMPUTERNAME`` are one half of an inventory."""
        if self.m.qualify(node.value) not in P.ENVIRON:
            return None
        return self._env_key(node, node.slice)

    def _env_key(self, node: ast.expr, key: ast.expr | None) -> Source:
        folded = self.folder.fold(key) if key is not None else None
        if folded is None or not folded.complete:
            return self._here(node, "environment", "os.environ[<computed name>]")
        name = folded.text
        if P.FOREIGN_ENV.match(name.upper()):
            return self._here(node, "credential", f"os.environ[{name!r}]")
        if name.upper() in P.INVENTORY_ENV:
            return self._here(node, P.INVENTORY_ENV[name.upper()], f"os.environ[{name!r}]")
        return Source("", "", "", 0)

    def _call_taint(self, call: ast.Call) -> Taint:
        name = self.m.qualify(call.func) or ""
        method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        # sources
        if name in P.SOURCE_CALLS:
            kind, what = P.SOURCE_CALLS[name]
            return frozenset({self._here(call, kind, what)})
        if name.startswith(("mss.", "pyautogui.screenshot", "PIL.ImageGrab.")):
            return frozenset({self._here(call, "screen", name + "()")})
        if method in P.SOURCE_METHODS:
            kind, what = P.SOURCE_METHODS[method]
            return frozenset({self._here(call, kind, what)})
        if name in ("os.getenv", "os.environ.get", "os.getenvb", "os.environ.pop", "os.environ.setdefault"):
            source = self._env_key(call, call.args[0] if call.args else None)
            return frozenset({source}) if source.kind else EMPTY
        if name.startswith("os.environ.") or (name in ("dict", "copy.copy", "copy.deepcopy", "list", "tuple") and (
            call.args and self.m.qualify(call.args[0]) in P.ENVIRON
        )):
            return frozenset({self._here(call, "environment", f"{name}(os.environ)")})
        sensitive = self._sensitive_path(call)
        if sensitive is not None:
            return frozenset({sensitive})
        decoded = name in P.DECODERS or name == "chr" or method in ("fromhex", "b64decode")
        # the plugin's own functions
        target = self._plugin_function(call)
        if target is not None:
            summary = self.m.plugin.summary(*target)
            args = self._positional(call)
            taint = EMPTY
            for label in summary.returns:
                if isinstance(label, Param):
                    taint = taint | (args[label.index] if label.index < len(args) else self._kw_taint(call))
                else:
                    taint = taint | {label}
            return taint
        if name in _CLEAN_CALLS:
            return EMPTY
        taint = self._args_taint(call)
        if isinstance(call.func, ast.Attribute):
            taint = taint | self.taint(call.func.value)
        if decoded:
            taint = taint | {self._here(call, "decoded", f"{name or method}()")}
        return taint

    def _sensitive_path(self, call: ast.Call) -> Source | None:
        """A call on a path that names credentials or another application's data reads it."""
        key = id(call)
        if key in self.sensitive:
            return self.sensitive[key]
        found = self.sensitive[key] = self._sensitive_path_of(call)
        return found

    def _sensitive_path_of(self, call: ast.Call) -> Source | None:
        name = self.m.qualify(call.func) or ""
        if name in P.PATH_BUILDERS - {"os.listdir", "os.scandir", "os.walk", "glob.glob"}:
            return None
        candidates: list[ast.expr] = list(call.args[:2])
        if isinstance(call.func, ast.Attribute):
            candidates.append(call.func.value)
        for candidate in candidates:
            if isinstance(candidate, ast.Constant) and not isinstance(candidate.value, str):
                continue
            folded = self.folder.fold(candidate)
            if folded is None:
                continue
            for label in P.labels(P.SENSITIVE_PATHS, normalise_path(folded.text))[:1]:
                kind = "app_data" if "data" in label else "credential"
                return self._here(call, kind, f"{label}: {folded.text.replace(UNKNOWN, '{…}')}")
        return None

    def _positional(self, call: ast.Call) -> list[Taint]:
        out: list[Taint] = []
        for arg in call.args:
            out.append(self.taint(arg.value if isinstance(arg, ast.Starred) else arg))
        return out

    def _kw_taint(self, call: ast.Call) -> Taint:
        taint = EMPTY
        for keyword in call.keywords:
            taint = taint | self.taint(keyword.value)
        return taint

    def _args_taint(self, call: ast.Call) -> Taint:
        taint = self._kw_taint(call)
        for arg in self._positional(call):
            taint = taint | arg
        return taint

    def _plugin_function(self, call: ast.Call) -> tuple[_Module, str] | None:
        key = id(call)
        if key in self.targets:
            return self.targets[key]
        found = self.targets[key] = self._plugin_function_of(call)
        return found

    def _plugin_function_of(self, call: ast.Call) -> tuple[_Module, str] | None:
        func = call.func
        if isinstance(func, ast.Name) and func.id in self.m.functions and func.id not in self.m.names:
            return self.m, func.id
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
            key = f"{self.cls}.{func.attr}"
            return (self.m, key) if key in self.m.functions else None
        name = self.m.qualify(func)
        if name and "." in name:
            return self.m.plugin.function(name)
        return None

    # --- calls: sinks, persistence, disguised commands ---------------------------------------------------------
    def _call(self, call: ast.Call) -> None:
        name = self.m.qualify(call.func) or ""
        method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        if self.first_pass and self.m.plugin.first_round:
            self._persistence(call, name, method)
        sink = self._sink(call, name, method)
        if sink is not None:
            self._report(call, sink)
        target = self._plugin_function(call)
        if target is not None:
            summary = self.m.plugin.summary(*target)
            args = self._positional(call)
            for index, sinks in summary.param_sinks.items():
                taint = args[index] if index < len(args) else self._kw_taint(call)
                for inner in sinks:
                    self._flows(taint, inner, call)

    def _sink(self, call: ast.Call, name: str, method: str) -> Sink | None:
        head = name.split(".")[0]
        last = name.rsplit(".", 1)[-1]
        if name in P.PROCESS_CALLS or name.startswith(P.PROCESS_PREFIXES):
            self.m.uses_process = True
            return Sink("process", name + "()", self.m.path, call.lineno)
        if head in P.NETWORK_MODULES and (last in P.SEND_METHODS or last in P.CLIENT_ONLY_METHODS) and (
            head not in ("logging", "asyncio", "ssl") or last in ("open_connection",)
        ):
            self.m.uses_network = True
            return Sink("network", name + "()", self.m.path, call.lineno)
        if method in P.SEND_METHODS:
            return Sink("network", f".{method}()", self.m.path, call.lineno)
        if method in P.CLIENT_ONLY_METHODS and isinstance(call.func, ast.Attribute):
            receiver = _Module._target_key(call.func.value)
            if receiver is not None and receiver in self.m.clients:
                return Sink("network", f"{receiver}.{method}()", self.m.path, call.lineno)
            if receiver is not None and receiver in self.files and method == "write":
                return Sink("file", f"{receiver}.write()", self.m.path, call.lineno)
        if method in ("write_text", "write_bytes") and isinstance(call.func, ast.Attribute):
            path = self.folder.fold(call.func.value)
            if path is not None and _outside(path.text):
                return Sink("file", f"{path.text.replace(UNKNOWN, '{…}')}.{method}()", self.m.path, call.lineno)
        if name in ("json.dump", "pickle.dump") and len(call.args) > 1:
            handle = _Module._target_key(call.args[1])
            if handle in self.files:
                return Sink("file", f"{name}(…, {handle})", self.m.path, call.lineno)
        if name in ("shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree", "shutil.move") and (
            len(call.args) > 1
        ):
            path = self.folder.fold(call.args[1])
            if path is not None and _outside(path.text):
                return Sink("file", f"{name}(…, {path.text.replace(UNKNOWN, '{…}')})", self.m.path, call.lineno)
        return None

    def _sink_taint(self, call: ast.Call, sink: Sink) -> Taint:
        if sink.kind == "process":  # the command line, not ``env=`` / ``cwd=``
            taint = EMPTY
            for arg in self._positional(call):
                taint = taint | arg
            for keyword in call.keywords:
                if keyword.arg in ("args", "input", "command", "cmd"):
                    taint = taint | self.taint(keyword.value)
            return taint
        return self._args_taint(call)

    def _report(self, call: ast.Call, sink: Sink) -> None:
        taint = self._sink_taint(call, sink)
        named = self._sensitive_path(call)  # ``shutil.copy("~/.ssh/id_rsa", out)``, ``curl -F f=@~/.aws/...``
        if named is not None:
            taint = taint | {named}
        self._flows(taint, sink, call)
        if sink.kind == "process":
            self._disguised(call, sink)
        elif sink.kind == "network" and call.args:
            url = self.folder.fold(call.args[0])
            decoded = any(isinstance(label, Source) and label.kind == "decoded" for label in self.taint(call.args[0]))
            if (url is not None and url.decoded) or decoded:
                shown = url.text.replace(UNKNOWN, "{…}") if url is not None else "?"
                self.m.plugin.hits.add(Hit("disguised", f"decoded URL {shown!r} -> {sink.what}", sink.path,
                                           sink.line))

    def _flows(self, taint: Taint, sink: Sink, call: ast.Call) -> None:
        if not taint:
            return
        sources = [label for label in taint if isinstance(label, Source) and label.kind]
        for label in taint:
            if isinstance(label, Param):
                self.summary.param_sinks.setdefault(label.index, set()).add(sink)
        inventory = sorted(s for s in sources if s.kind.startswith("inventory:"))
        if len({s.kind for s in inventory}) >= 2:
            first = inventory[0]
            what = "system inventory: " + " + ".join(sorted({s.what for s in inventory}))
            self.m.plugin.flows.add(Flow(Source("inventory", what, first.path, first.line), sink))
        for source in sources:
            if source.kind.startswith("inventory:"):
                continue
            if source.kind == "decoded":
                if sink.kind == "process":
                    self.m.plugin.hits.add(Hit("disguised", f"{source.what} ({source.path}:{source.line}) -> "
                                               f"{sink.what}", sink.path, sink.line))
                continue
            self.m.plugin.flows.add(Flow(source, sink))

    def _command(self, call: ast.Call) -> Folded | None:
        if not call.args:
            keyword = next((k.value for k in call.keywords if k.arg in ("args", "command", "cmd")), None)
            return self.folder.fold(keyword) if keyword is not None else None
        name = self.m.qualify(call.func) or ""
        if name.startswith(P.PROCESS_PREFIXES) or name == "asyncio.create_subprocess_exec":
            parts = [self.folder.fold(arg) for arg in call.args]
            if name.startswith(P.PROCESS_PREFIXES) and len(parts) > 1:
                parts = parts[1:]  # os.execl(path, arg0, ...): the program path is repeated as arg0
            found = [p for p in parts if p is not None]
            if not found:
                return None
            return Folded(" ".join(p.text if p is not None else UNKNOWN for p in parts), any(p.decoded for p in found))
        return self.folder.fold(call.args[0])

    def _disguised(self, call: ast.Call, sink: Sink) -> None:
        command = self._command(call)
        if command is None:
            return
        text = command.text.replace(UNKNOWN, " ").strip()
        lowered = text.lower().replace("\\", "/")
        hits = self.m.plugin.hits
        if command.decoded:
            hits.add(Hit("disguised", f"decoded command {text[:120]!r} -> {sink.what}", sink.path, sink.line))
        tokens = [t.rsplit("/", 1)[-1].removesuffix(".exe") for t in _TOKENS.split(lowered) if t]
        found = ({tokens[0]} if tokens else set()) & P.LOLBINS | set(tokens) & P.STRONG_LOLBINS
        if found:
            hits.add(Hit("disguised", f"living-off-the-land binary {sorted(found)[0]!r}: {text[:120]!r}",
                         sink.path, sink.line))
        for label in P.labels(P.DISGUISED_COMMANDS, lowered + " "):
            hits.add(Hit("disguised", f"{label}: {text[:120]!r}", sink.path, sink.line))
        for label in P.labels(P.PERSISTENCE_COMMANDS, lowered):
            hits.add(Hit("persistence", f"{label}: {text[:120]!r}", sink.path, sink.line))

    def _persistence(self, call: ast.Call, name: str, method: str) -> None:
        hits = self.m.plugin.hits
        if name in P.PATH_BUILDERS or method in P.READ_METHODS:
            return
        if name.startswith(("winreg.", "_winreg.", "win32api.Reg", "win32con.")) or method.startswith(
            ("SetValue", "CreateKey", "OpenKey")
        ):
            for arg in call.args:
                folded = self.folder.fold(arg)
                if folded is not None and P.REGISTRY_RUN.search(folded.text.lower()):
                    hits.add(Hit("persistence", f"registry key {folded.text.replace(UNKNOWN, '{…}')!r} ({name})",
                                 self.m.path, call.lineno))
                    return
        if name == "crontab.CronTab" or name.startswith("crontab.CronTab"):
            hits.add(Hit("persistence", "cron (python-crontab)", self.m.path, call.lineno))
            return
        if name.endswith("Dispatch") and call.args:
            folded = self.folder.fold(call.args[0])
            if folded is not None and folded.text.lower() == "schedule.service":
                hits.add(Hit("persistence", "scheduled task (Schedule.Service)", self.m.path, call.lineno))
                return
        if name in ("open", "io.open", "builtins.open", "codecs.open") or method == "open":
            mode = (call.args[1] if len(call.args) > 1 else None) if method != "open" else (
                call.args[0] if call.args else None)
            mode = next((k.value for k in call.keywords if k.arg == "mode"), mode)
            folded_mode = self.folder.fold(mode) if mode is not None else Folded("r")
            if folded_mode is not None and not _WRITE_MODE.intersection(folded_mode.text):
                return
        candidates: list[ast.expr] = [a.value if isinstance(a, ast.Starred) else a for a in call.args]
        if isinstance(call.func, ast.Attribute):
            candidates.append(call.func.value)
        for candidate in candidates:
            folded = self.folder.fold(candidate)
            if folded is None:
                continue
            for label in P.labels(P.PERSISTENCE_PATHS, normalise_path(folded.text))[:1]:
                shown = folded.text.replace(UNKNOWN, "{…}")
                hits.add(Hit("persistence", f"{label}: {shown!r} ({name or method}())", self.m.path, call.lineno))
                return


def analyse(
    modules: Iterable[tuple[str, ast.Module]],
    *,
    tests: frozenset[str] = frozenset(),
    walks: Mapping[str, Walked] | None = None,
) -> BehaviourReport:
    """The behaviour of a plugin, from each code file's path and syntax tree (parsed once, elsewhere).
    ``tests`` are the paths of the plugin's own tests: left out unless runtime code imports them;
    ``walks`` the review's shared walk of each tree by path (walked here when missing)."""
    pairs = list(modules)
    try:
        return _Plugin(pairs, tests, walks or {}).run()
    except RecursionError:
        # An expression nested deeper than the analysis recurses (``a.b.c...`` or ``- - - x`` a thousand
        # levels deep): not analysed means not passed, and the review must not crash on it.
        path, line, depth = max(((p, *_deepest(tree)) for p, tree in pairs), key=lambda found: found[2])
        return BehaviourReport(hits=(Hit("too_deep", f"{depth} levels", path, line),))


def _deepest(tree: ast.Module) -> tuple[int, int]:
    """``(line, depth)`` of the most deeply nested node of ``tree``, without recursion."""
    best = (0, 0)
    stack: list[tuple[ast.AST, int, int]] = [(tree, 1, 0)]
    while stack:
        node, depth, line = stack.pop()
        line = getattr(node, "lineno", line)
        if depth > best[1]:
            best = (line, depth)
        stack.extend((child, depth + 1, line) for child in ast.iter_child_nodes(node))
    return best
