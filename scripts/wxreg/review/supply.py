"""Supply-chain facts about a plugin, from data kept in the repository and its parsed code.

- :func:`near_miss`: a dependency name that imitates a popular PyPI project (``data/popular-pypi.json``).
- :func:`third_party_imports`: the third-party modules the runtime code imports, each with the
  distribution that provides it (``data/import-names.json``; stdlib from ``sys.stdlib_module_names``).

Nothing here imports or runs plugin code: it reads the :mod:`ast` trees the review context parsed once
(``ctx.code``). Packages installed at run time (pip, ensurepip) are the capability model's finding
(``WXR-E007``), not repeated here.
"""

from __future__ import annotations

import ast
import json
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from packaging.utils import canonicalize_name

from wxreg.review.checks._ast import aliases, qualified

DATA_DIR = Path(__file__).resolve().parent / "data"
POPULAR_PATH = DATA_DIR / "popular-pypi.json"
IMPORT_NAMES_PATH = DATA_DIR / "import-names.json"

# --- typosquats ----------------------------------------------------------------------------------

SQUAT_PREFIXES = ("python3-", "python-", "py3-", "py-", "python", "py")
SQUAT_SUFFIXES = ("-python3", "-python", "-py3", "-py", "python", "py", "-lib", "-sdk", "2", "3")
MIN_LENGTH_FOR_EDIT_DISTANCE = 5
LOOK_ALIKE_FOLDS = (("0", "o"), ("1", "l"), ("i", "l"), ("rn", "m"), ("vv", "w"))


@dataclass(frozen=True)
class PopularList:
    names: frozenset[str]
    """Every popular name (PEP 503 normalised): such a dependency is never called a typosquat."""
    targets: tuple[str, ...]
    """The most popular ones, which a near miss is compared with."""
    source: str
    retrieved: str


@lru_cache(maxsize=4)
def load_popular(path: Path = POPULAR_PATH) -> PopularList:
    raw = json.loads(path.read_text(encoding="utf-8"))
    names = [canonicalize_name(str(n)) for n in raw["packages"]]
    count = int(raw.get("squat_targets", 2000))
    return PopularList(frozenset(names), tuple(names[:count]), str(raw.get("source_url", "")), str(raw["retrieved"]))


def _compact(name: str) -> str:
    return name.replace("-", "")


def _fold(name: str) -> str:
    folded = _compact(name)
    for old, new in LOOK_ALIKE_FOLDS:
        folded = folded.replace(old, new)
    return folded


def osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (edits plus adjacent swaps), or ``limit + 1`` beyond ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        rows = [rows[-1], row]
    return rows[-1][-1]


def _stripped(name: str) -> Iterator[str]:
    for prefix in SQUAT_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            yield name[len(prefix) :].lstrip("-")
    for suffix in SQUAT_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            yield name[: -len(suffix)].rstrip("-")


def near_miss(name: str, popular: PopularList | None = None) -> tuple[str, str] | None:
    """``(popular name, how)`` when ``name`` imitates a popular project without being one, else ``None``."""
    popular = popular or load_popular()
    name = canonicalize_name(name)
    if name in popular.names:
        return None
    targets = set(popular.targets)
    for base in _stripped(name):
        if base in targets:
            return base, "加了前缀或后缀 / prefix or suffix added"
    compact, folded = _compact(name), _fold(name)
    for target in popular.targets:
        if _compact(target) == compact:
            return target, "分隔符不同 / separators differ"
        if _fold(target) == folded:
            return target, "易混字符 / look-alike characters"
    if len(compact) >= MIN_LENGTH_FOR_EDIT_DISTANCE:
        for target in popular.targets:
            if osa_distance(compact, _compact(target), 1) <= 1:
                return target, "拼写只差一个字符 / one character away"
    return None


# --- imports -------------------------------------------------------------------------------------

IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
# Standard-library modules removed in Python 3.12/3.13 (PEP 594, PEP 632, imp): a plugin declaring an older
# Python may import them; they are not distributions to declare, whichever Python runs the review.
REMOVED_STDLIB = frozenset({
    "aifc", "asynchat", "asyncore", "audioop", "cgi", "cgitb", "chunk", "crypt", "distutils", "imghdr", "imp",
    "lib2to3", "mailcap", "msilib", "nis", "nntplib", "ossaudiodev", "pipes", "smtpd", "sndhdr", "spwd",
    "sunau", "telnetlib", "uu", "xdrlib",
})  # fmt: skip
STDLIB = frozenset(sys.stdlib_module_names) | REMOVED_STDLIB | {"__future__"}


@dataclass(frozen=True)
class ImportTable:
    distributions: dict[str, str]
    """Import name (possibly dotted) -> distribution (as spelled on PyPI)."""
    host: frozenset[str]

    def distribution(self, module: str) -> str:
        """The distribution providing ``module`` (longest dotted key first; else the top-level name)."""
        parts = module.split(".")
        for cut in range(len(parts), 0, -1):
            found = self.distributions.get(".".join(parts[:cut]))
            if found is not None:
                return found
        return parts[0]

    def import_names(self, distribution: str) -> set[str]:
        """Top-level names ``distribution`` may be imported as."""
        wanted = canonicalize_name(distribution)
        return set(self._by_distribution.get(wanted, ())) | {wanted.replace("-", "_"), wanted}

    @cached_property
    def _by_distribution(self) -> dict[str, frozenset[str]]:
        """Canonical distribution name -> the top-level names it provides (the table inverted once)."""
        inverted: dict[str, set[str]] = {}
        for module, distribution in self.distributions.items():
            inverted.setdefault(canonicalize_name(distribution), set()).add(module.split(".")[0])
        return {name: frozenset(tops) for name, tops in inverted.items()}


@lru_cache(maxsize=4)
def load_import_table(path: Path = IMPORT_NAMES_PATH) -> ImportTable:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return ImportTable(dict(raw["imports"]), frozenset(raw.get("host", [])))


@dataclass(frozen=True)
class ThirdPartyImport:
    module: str
    distribution: str
    path: str
    line: int
    optional: bool
    """Inside ``try: ... except ImportError``: the plugin runs without it."""


def _guarded(tries: list[ast.Try]) -> set[int]:
    """ids of import nodes inside a ``try`` whose handlers catch a failed import."""
    found: set[int] = set()
    for node in tries:
        caught: set[str] = set()
        for handler in node.handlers:
            if handler.type is None:
                caught.add("BaseException")
            for leaf in ast.walk(handler.type) if handler.type is not None else ():
                if isinstance(leaf, ast.Name):
                    caught.add(leaf.id)
        if caught & IMPORT_ERRORS:
            for statement in node.body:
                found.update(id(inner) for inner in ast.walk(statement))
    return found


_IMPORTED_TYPES = frozenset({ast.Import, ast.ImportFrom, ast.Try, ast.Call})


def _imported(tree: ast.Module, nodes: Sequence[ast.AST] | None = None) -> tuple[list[tuple[str, ast.AST]], set[int]]:
    """Imported module names with their nodes (statements and literal ``__import__``/``import_module``
    calls), and the ids of those guarded by ``except ImportError``; one walk of the tree (``nodes``: the
    shared walk of ``ctx.code``, when the caller has it)."""
    found: list[tuple[str, ast.AST]] = []
    tries: list[ast.Try] = []
    calls: list[ast.Call] = []
    walked = ast.walk(tree) if nodes is None else nodes
    for node in walked:
        kind = type(node)  # exactly the classes ast.parse makes (most nodes are none of these four)
        if kind not in _IMPORTED_TYPES:
            continue
        if isinstance(node, ast.Import):
            found.extend((alias.name, node) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                found.append((node.module, node))
        elif isinstance(node, ast.Try):
            tries.append(node)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            if isinstance(node.args[0].value, str) and (
                isinstance(func, ast.Name) or (isinstance(func, ast.Attribute) and func.attr == "import_module")
            ):
                calls.append(node)
    if calls:
        names = aliases(tree, nodes)
        for call in calls:
            if qualified(call.func, names) in ("__import__", "importlib.import_module"):
                found.append((str(call.args[0].value), call))  # type: ignore[attr-defined]
    return found, _guarded(tries) if tries else set()


def third_party_imports(
    modules: Iterable[tuple[str, ast.Module]],
    local: Iterable[str],
    table: ImportTable | None = None,
    walked: Mapping[str, Sequence[ast.AST]] | None = None,
) -> list[ThirdPartyImport]:
    """Every import of a module that is neither stdlib, nor the host's, nor the plugin's own (``local``),
    in ``modules`` (``(path, tree)`` of the runtime code); ``walked``: path -> every node of its tree, the
    walk ``ctx.code`` shares (else each tree is walked here)."""
    table = table or load_import_table()
    own = set(local)
    found: list[ThirdPartyImport] = []
    for path, tree in modules:
        imported, guarded = _imported(tree, (walked or {}).get(path))
        for module, node in imported:
            top = module.split(".")[0]
            if not top or top in STDLIB or top in table.host or top in own:
                continue
            line = getattr(node, "lineno", 0)
            found.append(ThirdPartyImport(module, table.distribution(module), path, line, id(node) in guarded))
    return found
