"""What a plugin does with what it may do: sensitive data flowing out, persistence, disguised commands,
and the network endpoints it can contact. Static only: plugin code is parsed, never imported or run.

:func:`analyse` is a pure function of ``(path, ast.Module)`` pairs; :func:`behaviour_of` runs it once per
reviewed tree (the check and the engine's endpoint list share one result).
"""

from __future__ import annotations

import ast
import threading
import weakref

from wxreg.review.behaviour.flow import BehaviourReport, Endpoint, Flow, Hit, Sink, Source, Walked, analyse
from wxreg.review.source import PluginTree

_CACHE: dict[int, tuple[weakref.ref[PluginTree], BehaviourReport]] = {}
_LOCK = threading.Lock()


def _modules(tree: PluginTree) -> tuple[list[tuple[str, ast.Module]], dict[str, Walked]]:
    """The shared parsed modules (``tree.code``: decoded as CPython does, parsed once for every check) and
    their shared walks (every node and its parent, walked once for every check)."""
    modules: list[tuple[str, ast.Module]] = []
    walks: dict[str, Walked] = {}
    for item, module in tree.code.parsed():
        modules.append((item.path, module))
        walks[item.path] = (item.nodes(), item.parents())
    return modules, walks


def behaviour_of(tree: PluginTree) -> BehaviourReport:
    """The analysis of ``tree``, computed once however many callers ask (checks run in threads)."""
    with _LOCK:
        for key, (ref, _) in list(_CACHE.items()):
            if ref() is None:
                del _CACHE[key]
        cached = _CACHE.get(id(tree))
        if cached is not None and cached[0]() is tree:
            return cached[1]
        tests = frozenset(item.path for item in tree.code.files if item.role == "tests")
        modules, walks = _modules(tree)
        report = analyse(modules, tests=tests, walks=walks)
        _CACHE[id(tree)] = (weakref.ref(tree), report)
        return report


def published_endpoints(endpoints: tuple[Endpoint, ...]) -> tuple[str, ...]:
    """What the registry entry lists: each origin (``scheme://host[:port]`` or a bare host) once, sorted."""
    return tuple(sorted({e.origin for e in endpoints}))[:100]


__all__ = [
    "BehaviourReport",
    "Endpoint",
    "Flow",
    "Hit",
    "Sink",
    "Source",
    "analyse",
    "behaviour_of",
    "published_endpoints",
]
