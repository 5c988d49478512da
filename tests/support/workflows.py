"""Worlds for tests that run the real workflows through act, and a fast way to seed reviews in them.

The seed is this checkout's committed tree without ci.yml (it would run the whole suite inside act),
mirror.yml (``tests/mirror/test_mirror_workflow.py`` runs that one) and pages.yml (its world has no Pages site;
``tests/catalog/test_pages_browser.py`` runs that one); everything else is the real repository.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from wxreg.review.context import ToolConfig
from wxreg.review.engine import ReviewOptions
from wxreg.review.github import GitHubConfig, GitHubReviewer
from wxreg.review.policy import load_policy
from wxsandbox import world as world_module

SKIPPED_WORKFLOWS = ("ci.yml", "mirror.yml", "pages.yml")


@contextmanager
def act_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, skip: tuple[str, ...] = ()) -> Iterator[Any]:
    seed = tmp_path / "seed"
    shutil.copytree(world_module.committed_tree(), seed)
    for name in SKIPPED_WORKFLOWS:
        (seed / ".github" / "workflows" / name).unlink(missing_ok=True)
    with world_module.World(tmp_path / "world", seed=seed,
                            skip_workflows=(*world_module.SKIPPED_BY_DEFAULT, *skip)) as built:
        # Steps inherit the host environment: the reviewer's pip-audit asks the local OSV stand-in.
        monkeypatch.setenv("WXREG_OSV_URL", built.osv.query_url)
        yield built


def runs(sandbox: Any, workflow: str) -> list[Any]:
    return [run for run in sandbox.actions.runs if run.workflow.endswith(workflow)]


def failed(sandbox: Any) -> list[str]:
    # review.yml cancels the run of an older edit by design (cancel-in-progress per issue).
    return [f"{run.workflow}: {run.conclusion}" for run in sandbox.actions.runs
            if run.conclusion not in ("success", "skipped", "cancelled", None)]


def seeding_reviewer(sandbox: Any, tmp_path: Path) -> GitHubReviewer:
    """The review's own code with the bot's token, checks off (scores and record only): the sticky comment
    and labels exactly as review.yml's posting job writes them, in a fraction of a second per issue."""
    gh = sandbox.github
    checkout = tmp_path / "registry-checkout"
    subprocess.run(["git", "clone", "-q", "--depth=1", gh.git_url(sandbox.registry), str(checkout)], check=True)
    options = ReviewOptions(policy=load_policy().with_extra_url_prefixes((gh.url + "/",)),
                            tools=ToolConfig(osv_url=sandbox.osv.query_url),
                            registry_dir=checkout / "registry", checks=())
    config = GitHubConfig(token=gh.bot_token, repo=sandbox.registry, api_url=gh.api_url, web_url=gh.url,
                          bot_login=gh.bot_login, throttle=False)
    return GitHubReviewer(config, options)
