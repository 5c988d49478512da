"""Shared pytest configuration: the sandbox fixtures (``world``, ``github``, ``gitee``, ``osv``, ``users``,
``make_plugin_repo``) from ``wxsandbox.pytest_plugin``, and how ``pytest -n N`` shares the tests out.

With ``-n`` and no ``--dist`` of one's own, tests go out one at a time to whichever worker has the fewest
waiting, the act scenarios (tens of seconds each) first, so that no worker is left running a long one alone
at the end; the tests of a module in ``ONE_WORKER_MODULES`` all go to one worker, in order."""

from __future__ import annotations

from typing import Any

import pytest

pytest_plugins = ["wxsandbox.pytest_plugin"]

ONE_WORKER_MODULES = frozenset({
    # One module-scoped world for the three scenarios, each building on the one before.
    "tests/lifecycle/test_lifecycle_act.py",
})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The act scenarios first (a stable sort: everything else keeps its order)."""
    items.sort(key=lambda item: item.get_closest_marker("act") is None)


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """xdist's ``loadscope`` with each test its own scope except the modules of ``ONE_WORKER_MODULES``
    (xdist's own ``xdist_group`` mark cannot be used: it renames node ids, which this pytest ignores)."""
    if config.getvalue("dist") != "load" or "--dist" in " ".join(config.invocation_params.args):
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_WORKER_MODULES else nodeid

    return Scheduling(config, log)
