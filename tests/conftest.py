"""Shared pytest configuration: the sandbox fixtures (``world``, ``github``, ``gitee``, ``osv``, ``users``,
``make_plugin_repo``) from ``wxsandbox.pytest_plugin``, and how ``pytest -n N`` shares the tests out.

With ``-n`` and no ``--dist`` of one's own, tests go out one at a time to whichever worker has the fewest
waiting, the act scenarios (tens of seconds each) first, so that no worker is left running a long one alone
at the end; the tests of a module in ``ONE_WORKER_MODULES`` all go to one worker, in order.

Scratch files (``tmp_path``, the stand-ins' repositories, every act run's work tree and its copies) go to
memory when the machine has a writable tmpfs at ``/dev/shm`` and ``TMPDIR`` names no other place. The suite
creates and deletes a great many small files (act copies the whole work tree for every job's checkout), and
on a disk the kernel's share of that was larger than the tests' own work: the two approval act files took
39 s (36 s of it system time) with their scratch on an ext4 disk and 21 s (8 s) in memory, on 2 cores."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["wxsandbox.pytest_plugin"]

IN_MEMORY_SCRATCH = Path("/dev/shm")
IN_MEMORY_SCRATCH_MIN_FREE = 2 * 1024**3
"""A full session keeps a few hundred megabytes of scratch (pytest keeps the last three sessions' dirs)."""


def _scratch_in_memory() -> None:
    """``TMPDIR`` for this process and its children (xdist workers, act, every step): ``/dev/shm``, when
    nothing else was asked for and it is there. Set at import, before pytest picks its base temporary dir."""
    if os.environ.get("TMPDIR") or not IN_MEMORY_SCRATCH.is_dir() or not os.access(IN_MEMORY_SCRATCH, os.W_OK):
        return
    if shutil.disk_usage(IN_MEMORY_SCRATCH).free < IN_MEMORY_SCRATCH_MIN_FREE:
        return
    os.environ["TMPDIR"] = str(IN_MEMORY_SCRATCH)
    tempfile.tempdir = None  # gettempdir() looks again


_scratch_in_memory()

ONE_WORKER_MODULES = frozenset({
    # One module-scoped world for the three scenarios, each building on the one before.
    "tests/lifecycle/test_lifecycle_act.py",
    # A module-scoped world whose pages.yml run deploys the site, and one Chromium: on both workers, each was
    # built twice (2.5 s of setup more).
    "tests/catalog/test_pages_browser.py",
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
