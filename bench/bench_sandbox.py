"""How cheap the sandbox is: world start, the added cost of one test that uses it, one act workflow run.

Targets (issue 3): the whole world starts in under 2 s; a test using it adds under 1 s. The act figure is
the wall time from PyGithub creating an issue to the greeting workflow's comment being there.
Usage: ``.venv/bin/python bench/bench_sandbox.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from wxsandbox.world import World, committed_tree  # noqa: E402

TARGET_START_SECONDS = 2.0
TARGET_PER_TEST_SECONDS = 1.0
SAMPLE_WORKFLOW = ROOT / "tests" / "sandbox" / "workflows" / "greet-issue.yml"
TESTS_USING_THE_WORLD = {
    "reads the registry": '''
def test_{index}(world, users):
    repo = world.client("alice").get_repo(world.registry)
    assert repo.default_branch == "main" and users["maria"].role == "maintain"
''',
    "opens an issue (the registry's workflows run)": '''
def test_{index}(world, users):
    repo = world.client("alice").get_repo(world.registry)
    assert repo.create_issue("bench {index}").number > 0
''',
}


def world_start_seconds(runs: int, scratch: Path) -> tuple[float, list[float]]:
    """(first start, seed extraction included; later starts)."""
    times: list[float] = []
    first = 0.0
    for index in range(runs + 1):
        started = time.perf_counter()
        world = World(scratch / f"world-{index}").start()
        elapsed = time.perf_counter() - started
        world.stop()
        if index == 0:
            first = elapsed
        else:
            times.append(elapsed)
    return first, times


def pytest_seconds(template: str, test_count: int, folder: Path) -> float:
    folder.mkdir()
    body = "".join(template.format(index=index) for index in range(test_count))
    (folder / "test_bench_world.py").write_text(textwrap.dedent(body), encoding="utf-8")
    started = time.perf_counter()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "wxsandbox.pytest_plugin", "-p", "no:cacheprovider",
               "--rootdir", str(folder), str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, cwd=folder)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"pytest failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


def act_run_seconds(runs: int, scratch: Path) -> tuple[list[float], list[float]]:
    """(issue created -> runs finished, act's own wall time per run)."""
    seed = scratch / "act-seed"
    (seed / ".github" / "workflows").mkdir(parents=True)
    (seed / ".github" / "workflows" / "greet-issue.yml").write_text(SAMPLE_WORKFLOW.read_text(encoding="utf-8"),
                                                                    encoding="utf-8")
    (seed / "README.md").write_text("bench\n", encoding="utf-8")
    end_to_end: list[float] = []
    act_only: list[float] = []
    with World(scratch / "act-world", seed=seed) as world:
        assert world.actions is not None
        repo = world.client("alice").get_repo(world.registry)
        for index in range(runs):
            world.actions.clear()
            started = time.perf_counter()
            issue = repo.create_issue(f"bench {index}")
            if not world.actions.wait_idle(120):
                raise RuntimeError("workflow run did not finish")
            end_to_end.append(time.perf_counter() - started)
            [run] = world.actions.runs_for(workflow="greet-issue.yml")
            if run.conclusion != "success" or issue.get_comments().totalCount != 1:
                raise RuntimeError(f"greeting run failed:\n{run.log}")
            act_only.append(run.duration or 0.0)
    return end_to_end, act_only


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as scratch_name:
        scratch = Path(scratch_name)
        seeded = time.perf_counter()
        committed_tree()
        print(f"seed extraction (git archive HEAD, once per process): {time.perf_counter() - seeded:.2f} s")
        first, warm = world_start_seconds(args.runs, scratch)
        median_start = statistics.median(warm)
        print(f"world start: first {first:.2f} s, then median {median_start:.2f} s "
              f"(max {max(warm):.2f} s) over {len(warm)} runs; target < {TARGET_START_SECONDS:.0f} s")
        if median_start >= TARGET_START_SECONDS:
            failures.append("world start")

        few, many = 1, 21
        for number, (what, template) in enumerate(TESTS_USING_THE_WORLD.items()):
            # The fastest of two sessions each: a cold disk cache or a busy core skews a single one.
            one = min(pytest_seconds(template, few, scratch / f"tests-{number}-few-{i}") for i in range(2))
            lots = min(pytest_seconds(template, many, scratch / f"tests-{number}-many-{i}") for i in range(2))
            per_test = (lots - one) / (many - few)
            print(f"a test that {what}: pytest with {few} such test {one:.2f} s, with {many} {lots:.2f} s; "
                  f"added cost per test {per_test * 1000:.0f} ms; target < {TARGET_PER_TEST_SECONDS:.0f} s")
            if per_test >= TARGET_PER_TEST_SECONDS:
                failures.append(f"per-test cost ({what})")

        end_to_end, act_only = act_run_seconds(args.runs, scratch)
        print(f"act workflow run (issue opened -> bot comment): median {statistics.median(end_to_end):.2f} s "
              f"end to end, {statistics.median(act_only):.2f} s inside act, over {len(end_to_end)} runs")
    if failures:
        print("missed targets: " + ", ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
