"""What a plugin does with what it may do: sensitive data flowing out, persistence, disguised commands,
and the network endpoints it can contact. Static only: plugin code is parsed, never imported or run.

:func:`analyse` is a pure function of ``(path, ast.Module)`` pairs; :func:`behaviour_of` runs it once per
reviewed tree (the check and the engine's endpoint list share one result).
"""

from __future__ import annotations

import ast
import threading
import weakref
from collections.abc import Iterator

from wxreg.review.behaviour.flow import BehaviourReport, Endpoint, Flow, Hit, Sink, Source, analyse
from wxreg.review.source import PluginTree

_CACHE: dict[int, tuple[weakref.ref[PluginTree], BehaviourReport]] = {}
_LOCK = threading.Lock()


def _modules(tree: PluginTree) -> Iterator[tuple[str, ast.Module]]:
    """The shared parsed modules (``tree.code``: decoded as CPython does, parsed once for every check)."""
    for item, module in tree.code.parsed():
        yield item.path, module


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
        report = analyse(_modules(tree), tests=tests)
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
