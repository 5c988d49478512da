"""The reusable action ``.github/actions/check-plugin`` in a plugin repository's own workflow, run by act on
the sandbox's GitHub: a tag push reviews that tag, a branch push reviews HEAD; the report goes to the job
summary; a plugin with an error fails the job. Only the action's install step is swapped for the test
environment (a real run installs this same checkout into a venv; ``test_install.py`` covers that step)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.firsthour import EXAMPLE

from wxsandbox.actions import ActRunner
from wxsandbox.github import GitHubStandIn
from wxsandbox.world import committed_tree

pytestmark = pytest.mark.act

ACTION = ".github/actions/check-plugin/action.yml"
PLUGIN = "alice/hello-reply"
WORKFLOW = """\
name: Plugin review
on:
  push:
    branches: [main]
    tags: ["v*"]
permissions: {}
jobs:
  review:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          fetch-depth: 0
          persist-credentials: false
      - uses: wxauto/registry/.github/actions/check-plugin@main
      - name: Show the job summary
        if: always()
        run: cat "$GITHUB_STEP_SUMMARY"
"""


def registry_with_sandbox_install(target: Path, venv_bin: Path) -> Path:
    """This checkout's committed tree, the action's install step pointed at the test environment."""
    shutil.copytree(committed_tree(), target)
    action = target / ACTION
    text = action.read_text(encoding="utf-8")
    install = re.compile(r"(    - name: Install the reviewer\n.*?      run: \|\n)(.*?)(\n    - name:)", re.DOTALL)
    assert install.search(text), "the action's install step moved"
    stand_in = (f'        mkdir -p "$RUNNER_TEMP/wxreg/bin"\n'
                f'        ln -sf "{venv_bin}/wxreg" "$RUNNER_TEMP/wxreg/bin/wxreg"\n')
    action.write_text(install.sub(lambda m: m.group(1) + stand_in + m.group(3), text), encoding="utf-8")
    return target


@pytest.fixture
def forge(tmp_path: Path) -> Iterator[tuple[GitHubStandIn, ActRunner]]:
    with GitHubStandIn(tmp_path / "github") as github:
        github.add_user("alice")
        github.create_repo("alice", "hello-reply")
        runner = ActRunner(github, tmp_path / "actions", repos=[PLUGIN])
        runner.provide_action_repository("wxauto/registry", "main",
                                         registry_with_sandbox_install(tmp_path / "registry", runner.venv / "bin"))
        github.set_event_sink(runner)
        try:
            yield github, runner
        finally:
            github.set_event_sink(None)
            runner.close()


def plugin_tree(tmp_path: Path, extra_code: str = "") -> Path:
    tree = tmp_path / "plugin"
    if tree.exists():
        shutil.rmtree(tree)
    shutil.copytree(EXAMPLE, tree)
    (tree / ".github" / "workflows").mkdir(parents=True)
    (tree / ".github" / "workflows" / "check-plugin.yml").write_text(WORKFLOW, encoding="utf-8")
    if extra_code:
        with (tree / "main.py").open("a", encoding="utf-8") as handle:
            handle.write(extra_code)
    return tree


def test_the_action_reviews_tags_and_pushes_and_writes_the_summary(
        forge: tuple[GitHubStandIn, ActRunner], tmp_path: Path) -> None:
    github, runner = forge
    github.push_directory(PLUGIN, plugin_tree(tmp_path), tag="v1.0.0", author_login="alice")
    assert runner.wait_idle(400)
    runs = runner.runs_for(event="push")
    assert runs and all(run.conclusion == "success" for run in runs), "\n".join(run.log for run in runs)
    log = "\n".join(run.log for run in runs)
    assert "通过 / PASSED" in log and "插件审核报告 / Plugin review report" in log  # text, then the summary

    runner.clear()
    bad = plugin_tree(tmp_path, "\nimport subprocess\n\n\ndef run() -> None:\n    subprocess.run(['ls'])\n")
    github.push_directory(PLUGIN, bad, author_login="alice")
    assert runner.wait_idle(400)
    [run] = runner.runs_for(event="push")
    assert run.conclusion == "failure", run.log[-3000:]
    assert "WXR-P001" in run.log and "reviewing HEAD as tag v1.0.0" in run.log
