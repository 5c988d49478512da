"""Supply-chain facts about a plugin, from data kept in the repository and its parsed code.

- :func:`near_miss`: a dependency name that imitates a popular PyPI project (``data/popular-pypi.json``).
- :func:`third_party_imports`: the third-party modules the runtime code imports, each with the
  distribution that provides it (``data/import-names.json``; stdlib from ``sys.stdlib_module_names``).
- :func:`runtime_installs`: code that installs packages when the plugin runs (pip, ensurepip).

Nothing here imports or runs plugin code: it reads :mod:`ast` trees.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

from packaging.utils import canonicalize_name

from wxreg.review.checks._ast import aliases, parse, qualified
from wxreg.review.source import TreeFile

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

TEST_DIRS = frozenset({"tests", "test", "testing"})
IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


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
        names = {k.split(".")[0] for k, v in self.distributions.items() if canonicalize_name(v) == wanted}
        return names | {wanted.replace("-", "_"), wanted}


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


def is_test_file(path: str) -> bool:
    parts = PurePosixPath(path).parts
    base = parts[-1]
    return (
        any(p.lower() in TEST_DIRS for p in parts[:-1])
        or base.startswith("test_")
        or base.endswith("_test.py")
        or base == "conftest.py"
    )


def local_modules(files: Iterable[TreeFile]) -> set[str]:
    """Names the plugin's own files can be imported as: every directory and module name in the tree."""
    names: set[str] = set()
    for item in files:
        parts = PurePosixPath(item.path).parts
        names.update(parts[:-1])
        if item.path.endswith((".py", ".pyw")):
            names.add(parts[-1].rsplit(".", 1)[0])
    return names


def _guarded(tree: ast.Module) -> set[int]:
    """ids of import nodes inside a ``try`` whose handlers catch a failed import."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try):
            continue
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


def _imported(tree: ast.Module, names: dict[str, str]) -> Iterator[tuple[str, ast.AST]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, node
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            callee = qualified(node.func, names)
            if callee in ("__import__", "importlib.import_module") and isinstance(node.args[0].value, str):
                yield node.args[0].value, node


def third_party_imports(files: Iterable[TreeFile], table: ImportTable | None = None) -> list[ThirdPartyImport]:
    """Every import of a module that is neither stdlib, nor the host's, nor the plugin's own, in runtime code."""
    table = table or load_import_table()
    files = list(files)
    local = local_modules(files)
    found: list[ThirdPartyImport] = []
    for item in files:
        if not item.path.endswith((".py", ".pyw")) or is_test_file(item.path):
            continue
        tree = parse(item)
        if isinstance(tree, SyntaxError):
            continue  # the security check reports it
        guarded = _guarded(tree)
        for module, node in _imported(tree, aliases(tree)):
            top = module.split(".")[0]
            if not top or top in sys.stdlib_module_names or top == "__future__" or top in table.host or top in local:
                continue
            line = getattr(node, "lineno", 0)
            found.append(ThirdPartyImport(module, table.distribution(module), item.path, line, id(node) in guarded))
    return found


# --- packages installed at run time --------------------------------------------------------------

INSTALLERS = frozenset({"pip", "pip3", "ensurepip", "easy_install", "uv", "conda", "poetry", "pipx"})
PROCESS_PREFIXES = ("subprocess.", "os.system", "os.popen", "os.exec", "os.spawn", "os.posix_spawn",
                    "asyncio.create_subprocess_", "pty.spawn", "os.startfile", "commands.getoutput")  # fmt: skip
_WORD = re.compile(r"[A-Za-z0-9_.+-]+")


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def installs_packages(words: list[str]) -> bool:
    """A command line (its words) that installs Python packages."""
    lowered = [w.lower().rsplit("/", 1)[-1].rsplit("\\", 1)[-1].removesuffix(".exe") for w in words]
    if "ensurepip" in lowered:
        return True
    for i, word in enumerate(lowered):
        if word in INSTALLERS and any(w in ("install", "add", "sync") for w in lowered[i + 1 :]):
            return True
        if word == "-m" and i + 1 < len(lowered) and lowered[i + 1] in INSTALLERS:
            return True
    return False


def runtime_installs(item: TreeFile) -> Iterator[tuple[int, str]]:
    """``(line, what)`` for each place ``item`` installs packages when it runs."""
    tree = parse(item)
    if isinstance(tree, SyntaxError):
        return
    names = aliases(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                if module.split(".")[0] in ("pip", "ensurepip") and (isinstance(node, ast.Import) or node.level == 0):
                    yield node.lineno, f"import {module}"
        elif isinstance(node, ast.Call):
            callee = qualified(node.func, names) or ""
            if callee.split(".")[0] in ("pip", "ensurepip"):
                yield node.lineno, f"{callee}()"
            elif callee.startswith(PROCESS_PREFIXES):
                words = [w for text in _strings(node) for w in _WORD.findall(text)]
                if any(qualified(n, names) == "sys.executable" for n in ast.walk(node) if isinstance(n, ast.Attribute)):
                    words.insert(0, "python")
                if installs_packages(words):
                    yield node.lineno, f"{callee}({' '.join(words)[:80]})"
