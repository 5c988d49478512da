"""pytest fixtures for the sandbox (registered by ``tests/conftest.py``).

One ``World`` per test session (per xdist worker) keeps the added cost of a test that uses it to
milliseconds; function-scoped fixtures hand it out after clearing what the previous test left
(finished workflow runs, extra OSV advisories) and wait for its workflow runs at the end.

- ``sandbox_world`` (session): the shared ``World``; ``world`` (function): the same, tidied.
- ``pypi_index`` (session, autouse): one PyPI stand-in for the whole session, exported as
  ``WXREG_PYPI_URL`` so every review a test runs (in-process, subprocess or act) asks it, never pypi.org;
  ``pypi`` (function): the same, reset.
- ``github``, ``gitee``, ``osv``: its stand-ins; ``users``: login -> ``WorldUser`` (tokens, role).
- ``make_plugin_repo(owner, name, directory, tag=None, mirror=False) -> sha``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest

from wxsandbox.gitee import GiteeStandIn
from wxsandbox.github import GitHubStandIn
from wxsandbox.osv import OsvStandIn
from wxsandbox.pypi import PyPIStandIn
from wxsandbox.world import World, WorldUser

RUNS_SETTLE_SECONDS = 120.0


class MakePluginRepo(Protocol):
    def __call__(self, owner: str, name: str, directory: Path, tag: str | None = None, *,
                 mirror: bool = False) -> str: ...


@pytest.fixture(scope="session", autouse=True)
def pypi_index() -> Iterator[PyPIStandIn]:
    previous = os.environ.get("WXREG_PYPI_URL")
    with PyPIStandIn() as index:
        os.environ["WXREG_PYPI_URL"] = index.url
        try:
            yield index
        finally:
            if previous is None:
                os.environ.pop("WXREG_PYPI_URL", None)
            else:
                os.environ["WXREG_PYPI_URL"] = previous


@pytest.fixture
def pypi(pypi_index: PyPIStandIn) -> Iterator[PyPIStandIn]:
    pypi_index.reset()
    yield pypi_index
    pypi_index.reset()


@pytest.fixture(scope="session")
def sandbox_world(tmp_path_factory: pytest.TempPathFactory, pypi_index: PyPIStandIn) -> Iterator[World]:
    with World(tmp_path_factory.mktemp("wxsandbox-world"), pypi=pypi_index) as world:
        yield world


@pytest.fixture
def world(sandbox_world: World) -> Iterator[World]:
    if sandbox_world.actions is not None:
        sandbox_world.actions.clear()
    sandbox_world.osv.reset()
    yield sandbox_world
    if sandbox_world.actions is not None:
        sandbox_world.actions.wait_idle(RUNS_SETTLE_SECONDS)


@pytest.fixture
def github(world: World) -> GitHubStandIn:
    return world.github


@pytest.fixture
def gitee(world: World) -> GiteeStandIn:
    return world.gitee


@pytest.fixture
def osv(world: World) -> OsvStandIn:
    return world.osv


@pytest.fixture
def users(world: World) -> dict[str, WorldUser]:
    return dict(world.users)


@pytest.fixture
def make_plugin_repo(world: World) -> MakePluginRepo:
    return world.make_plugin_repo
