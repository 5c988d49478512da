"""Wall time of one ``--repo`` review of the example plugin, bandit, GuardDog and pip-audit included, the
GitHub API calls one issue review makes through the sandbox's GitHub stand-in, and the review's cost
relative to its scanners on a plugin of about 6,000 lines with two pinned dependencies: the whole
review's wall time against the slowest scanner (bandit, GuardDog, pip-audit) run alone on the same tree,
and its CPU time against the scanners' CPU added up, each the best of ``--runs``.

pip-audit talks to a local OSV-shaped server and the index check to the sandbox's PyPI stand-in, on real
sockets, so nothing leaves this machine. Targets: under 5 s; at most 8 API calls; wall at most 1.1x the
slowest scanner, CPU at most 1.2x the scanners' CPU. Usage: ``.venv/bin/python bench/bench_review.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "review"))
sys.path.insert(0, str(ROOT / "scripts"))

from support import GOOD_PLUGIN, OsvStub, git, make_repo  # noqa: E402

from wxsandbox.pypi import PyPIStandIn  # noqa: E402

TARGET_SECONDS = 5.0
TARGET_API_CALLS = 8
TARGET_WALL_RATIO = 1.1
TARGET_CPU_RATIO = 1.2
MODULES, FUNCTIONS_PER_MODULE = 30, 20


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured(action: object) -> tuple[float, float]:
    """(wall, CPU of the child processes) of one call of ``action``."""
    cpu, started = children_cpu(), time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started, children_cpu() - cpu


def big_plugin(path: Path) -> Path:
    """The example plugin plus ~6,000 lines of plain code, pinning requests and PyYAML (both imported)."""
    files: dict[str, str] = {
        "requirements.txt": "requests==2.32.3\nPyYAML==6.0.2\n",
        "pkg/__init__.py": '"""Helpers."""\n',
    }
    manifest = json.loads((GOOD_PLUGIN / "plugin.json").read_text(encoding="utf-8"))
    manifest["dependencies"] = ["requests==2.32.3", "PyYAML==6.0.2"]
    files["plugin.json"] = json.dumps(manifest, ensure_ascii=False, indent=2)
    for m in range(MODULES):
        lines = ['"""Text helpers."""', "", "import json", "import re", "", "import yaml", ""]
        for f in range(FUNCTIONS_PER_MODULE):
            lines += [
                "", f"def helper_{m}_{f}(text: str, limit: int = {f + 10}) -> dict[str, object]:",
                f'    """Split, count and summarise ``text`` ({m}.{f})."""',
                "    words = [w for w in re.split(r\"\\s+\", text.strip()) if w]",
                "    counts: dict[str, int] = {}",
                "    for word in words:",
                "        counts[word] = counts.get(word, 0) + 1",
                "    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]",
                "    return {\"total\": len(words), \"top\": top, \"yaml\": yaml.safe_dump(dict(top)),",
                "            \"json\": json.dumps(dict(top), ensure_ascii=False)}",
            ]
        files[f"pkg/text_{m}.py"] = "\n".join(lines) + "\n"
    main = (GOOD_PLUGIN / "main.py").read_text(encoding="utf-8")
    files["main.py"] = main + "\nfrom pkg import text_0  # noqa: F401\n"
    return make_repo(path, files)


def scanner_ratios(tmp: Path, osv_url: str, pypi_url: str, runs: int) -> tuple[float, float, str]:
    """(wall ratio, CPU ratio, a line describing them) of the review against its scanners alone."""
    from types import SimpleNamespace

    from wxreg.review.checks.dependencies import Dependency, run_pip_audit
    from wxreg.review.checks.guarddog import run_guarddog
    from wxreg.review.checks.security import run_bandit
    from wxreg.review.context import ToolConfig

    repo = big_plugin(tmp / "big-plugin")
    tree = tmp / "big-tree"
    git(repo, "worktree", "add", "-q", "--detach", str(tree), "v1.0.0")
    lines = sum(p.read_text(encoding="utf-8").count("\n") for p in tree.rglob("*.py"))
    ctx = SimpleNamespace(tools=ToolConfig(osv_url=osv_url, pypi_url=pypi_url))
    deps = [Dependency("requests", "==2.32.3", "2.32.3", "requirements.txt", 1),
            Dependency("pyyaml", "==6.0.2", "6.0.2", "requirements.txt", 2)]  # fmt: skip
    python_only = tmp / "big-tree-python"
    for source in tree.rglob("*.py"):
        target = python_only / source.relative_to(tree)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    scanners = {
        "bandit": lambda: run_bandit(ctx, python_only),  # type: ignore[arg-type]
        "guarddog": lambda: run_guarddog(ctx, tree),  # type: ignore[arg-type]
        "pip-audit": lambda: run_pip_audit(ctx, deps),  # type: ignore[arg-type]
    }
    registry = tmp / "registry"
    command = [
        sys.executable, str(ROOT / "scripts" / "plugin_reviewer.py"), "--repo", str(repo), "--tag", "v1.0.0",
        "--json", "--osv-url", osv_url, "--pypi-url", pypi_url, "--registry-dir", str(registry),
    ]  # fmt: skip

    def whole_review() -> None:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"the big plugin's review did not pass (exit {done.returncode}): {done.stdout[-1500:]}")

    alone = {name: [measured(action) for _ in range(runs)] for name, action in scanners.items()}
    review = [measured(whole_review) for _ in range(runs)]
    walls = {name: min(w for w, _ in results) for name, results in alone.items()}
    cpus = {name: min(c for _, c in results) for name, results in alone.items()}
    review_wall, review_cpu = min(w for w, _ in review), min(c for _, c in review)
    slowest = max(walls, key=lambda name: walls[name])
    wall_ratio, cpu_ratio = review_wall / walls[slowest], review_cpu / sum(cpus.values())
    each = ", ".join(f"{name} {walls[name]:.2f} s wall / {cpus[name]:.2f} s CPU" for name in scanners)
    text = (
        f"review cost ({lines} lines, 2 pins; {each}): review {review_wall:.2f} s wall, {review_cpu:.2f} s CPU; "
        f"wall {wall_ratio:.2f}x the slowest scanner ({slowest}) (target <= {TARGET_WALL_RATIO}x), "
        f"CPU {cpu_ratio:.2f}x the scanners' CPU (target <= {TARGET_CPU_RATIO}x)"
    )
    return wall_ratio, cpu_ratio, text


def api_calls_per_review(osv_url: str, tmp: Path) -> int | None:
    """REST calls of one ``--issue`` review against the stand-in (``None`` when the sandbox is missing)."""
    try:
        from wxsandbox.github.server import GitHubStandIn
        from wxsandbox.github.testing import pygithub
    except ImportError:
        return None
    from dataclasses import replace

    from support import GOOD_PLUGIN
    from test_submission import good_body

    from wxreg.review.context import ToolConfig
    from wxreg.review.engine import ReviewOptions
    from wxreg.review.github import SUBMISSION_LABEL, GitHubConfig, GitHubReviewer
    from wxreg.review.policy import load_policy

    registry = "wxauto-mgt/plugin-registry"
    with GitHubStandIn(tmp / "github") as gh:
        for login in ("wxauto-mgt", "maintainer", "author"):
            gh.add_user(login)
        gh.create_repo("wxauto-mgt", "plugin-registry")
        gh.set_role(registry, "maintainer", "maintain")
        gh.create_repo("author", "daily-quote-reply")
        gh.push_directory("author/daily-quote-reply", GOOD_PLUGIN, tag="v1.0.0")
        body = good_body(github_repo=f"{gh.url}/author/daily-quote-reply")
        issue = pygithub(gh, gh.token_for("author")).get_repo(registry).create_issue(title="Plugin", body=body)
        pygithub(gh, gh.token_for("maintainer")).get_repo(registry).get_issue(issue.number).add_to_labels(
            SUBMISSION_LABEL
        )
        (tmp / "empty" / "plugins").mkdir(parents=True)
        options = ReviewOptions(
            policy=load_policy().with_extra_url_prefixes((gh.url + "/",)),
            tools=ToolConfig(osv_url=osv_url),
            registry_dir=tmp / "empty",
        )
        config = GitHubConfig(gh.bot_token, registry, gh.api_url, gh.url, bot_login=gh.bot_login, throttle=False)
        reviewer = GitHubReviewer(config, replace(options))
        before = len(gh.request_log)
        outcome = reviewer.review_issue(issue.number)
        if outcome.result is None or not outcome.result.passed:
            raise SystemExit(f"sandbox review did not pass: {outcome}")
        return sum(1 for entry in gh.request_log[before:] if entry[1].startswith("/api/"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    osv = OsvStub().start()
    pypi = PyPIStandIn().start()
    os.environ["WXREG_PYPI_URL"] = pypi.url
    timings: list[float] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
            repo = make_repo(Path(tmp) / "good-plugin")
            registry = Path(tmp) / "registry"
            (registry / "plugins").mkdir(parents=True)
            command = [
                sys.executable, str(ROOT / "scripts" / "plugin_reviewer.py"),
                "--repo", str(repo), "--tag", "v1.0.0", "--json",
                "--osv-url", osv.url, "--pypi-url", pypi.url, "--registry-dir", str(registry),
            ]  # fmt: skip
            for _ in range(args.runs):
                started = time.perf_counter()
                done = subprocess.run(command, capture_output=True, text=True, check=False)
                timings.append(time.perf_counter() - started)
                if done.returncode != 0:
                    print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
                    print(f"review did not pass (exit {done.returncode})", file=sys.stderr)
                    return 1
            calls = api_calls_per_review(osv.url, Path(tmp))
            wall_ratio, cpu_ratio, cost = scanner_ratios(Path(tmp), osv.url, pypi.url, args.runs)
    finally:
        osv.stop()
        pypi.stop()
    best, median = min(timings), statistics.median(timings)
    print(
        f"review --repo (good plugin, bandit + GuardDog + pip-audit vs local OSV and PyPI): "
        f"best {best:.2f} s, median {median:.2f} s "
        f"over {len(timings)} runs (target < {TARGET_SECONDS:.0f} s; OSV queries: {len(osv.queries)})"
    )
    if calls is None:
        print("GitHub API calls per issue review: sandbox not available")
    else:
        print(f"GitHub API calls per issue review (sandbox stand-in): {calls} (target <= {TARGET_API_CALLS})")
    print(cost)
    ratios_ok = wall_ratio <= TARGET_WALL_RATIO and cpu_ratio <= TARGET_CPU_RATIO
    return 0 if median < TARGET_SECONDS and (calls is None or calls <= TARGET_API_CALLS) and ratios_ok else 1


if __name__ == "__main__":
    sys.exit(main())
