"""Wall time of one ``--repo`` review of the example plugin, bandit and pip-audit included, and the GitHub
API calls one issue review makes through the sandbox's GitHub stand-in.

pip-audit talks to a local OSV-shaped server and the index check to the sandbox's PyPI stand-in, on real
sockets, so nothing leaves this machine. Targets: under 5 s; at most 8 API calls. Then, on a plugin of
about 6,000 lines with two pinned dependencies: the whole review's wall time at most 1.1x the slowest
scanner it runs (bandit, pip-audit; GuardDog too when the policy turns it on) run alone on the same tree,
and its CPU time at most 1.2x those scanners' CPU summed (the index check is part of the review), printed
as ratios from one run.

Each scanner alone is the scanner as anyone runs it, on exactly what the review gives it (the tag read by
the review's own source, written out the same way): ``bandit`` on the code files with our configuration,
the ``pip-audit`` command on the same two pins (``--no-deps --disable-pip --strict -s osv``), GuardDog on
every file. The review runs bandit as a subprocess whose interpreter it starts before loading the review
(``wxreg.review.prestart``: bandit's imports overlap the tag being read), and pip-audit's OSV service in its
own interpreter (one interpreter start, not two; pip-api's ``pip --version`` answered without starting pip).
For reference, not part of the bound, the scanners are also timed at once with nothing else.
Usage: ``.venv/bin/python bench/bench_review.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))  # the test support package, ``tests.support``

from tests.support.plugins import GOOD_PLUGIN, make_repo  # noqa: E402

from wxsandbox.osv import OsvStandIn  # noqa: E402
from wxsandbox.pypi import PyPIStandIn  # noqa: E402

TARGET_SECONDS = 5.0
TARGET_WALL_RATIO = 1.1
TARGET_CPU_RATIO = 1.2
TARGET_API_CALLS = 8


def api_calls_per_review(osv_url: str, tmp: Path) -> int | None:
    """REST calls of one ``--issue`` review against the stand-in (``None`` when the sandbox is missing)."""
    try:
        from wxsandbox.github.server import GitHubStandIn
        from wxsandbox.github.testing import pygithub
    except ImportError:
        return None
    from dataclasses import replace

    from tests.support.submission import good_body

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


def big_plugin_files(lines: int = 6000) -> dict[str, str]:
    """A plugin of about ``lines`` lines of ordinary code with two pinned dependencies."""
    module = []
    for i in range(lines // 23):
        module.append(
            f"""

@dataclass(frozen=True)
class Reply{i}:
    text: str
    count: int = {i}

    def render(self) -> str:
        words = [w for w in self.text.split() if w]
        counted = collections.Counter(words)
        return json.dumps({{"n": self.count, "top": counted.most_common(3)}}, ensure_ascii=False)


def fetch_{i}(url: str, session: requests.Session) -> dict[str, object]:
    response = session.get(url, timeout=10)
    response.raise_for_status()
    data = yaml.safe_load(response.text) or {{}}
    return data if isinstance(data, dict) else {{"value": data}}


async def wait_{i}(delay: float) -> int:
    await asyncio.sleep(delay)
    return len(re.findall(r"\\w+", "a b c")) + {i}
"""
        )
    head = "import asyncio\nimport collections\nimport json\nimport re\nfrom dataclasses import dataclass\n\n"
    head += "import requests\nimport yaml\n"
    body = head + "".join(module)
    per_file = body.count("\n") // 4
    parts = body.split("\n\n\n@dataclass")
    files: dict[str, str] = {}
    chunk = max(1, len(parts) // 4)
    for n in range(4):
        selected = parts[n * chunk : (n + 1) * chunk] if n < 3 else parts[3 * chunk :]
        text = "\n\n\n@dataclass".join(selected)
        if not text.startswith("import"):
            text = head + "\n\n@dataclass" + text
        files[f"quotes/part{n}.py"] = text
    files["quotes/__init__.py"] = '"""Quotes."""\n'
    files["requirements.txt"] = "requests==2.32.3\nPyYAML==6.0.2\n"
    manifest = json.loads((GOOD_PLUGIN / "plugin.json").read_text(encoding="utf-8"))
    manifest["dependencies"] = ["requests==2.32.3", "PyYAML==6.0.2"]
    files["plugin.json"] = json.dumps(manifest, ensure_ascii=False, indent=2)
    assert per_file
    return files


def _timed(run: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of ``run`` (this process and every child it waited for)."""
    before_self = resource.getrusage(resource.RUSAGE_SELF)
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    run()
    wall = time.perf_counter() - started
    after_self = resource.getrusage(resource.RUSAGE_SELF)
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(
        getattr(after, field) - getattr(before, field)
        for after, before in ((after_self, before_self), (after_children, before_children))
        for field in ("ru_utime", "ru_stime")
    )
    return wall, cpu


def scanner_ratios(osv_url: str, tmp: Path, runs: int) -> tuple[float, float, str]:
    """Review of a ~6,000-line plugin with two pinned dependencies against its scanners, each run alone."""
    from wxreg.review.checks.guarddog import run_guarddog
    from wxreg.review.checks.security import run_bandit
    from wxreg.review.context import ToolConfig
    from wxreg.review.policy import load_policy
    from wxreg.review.source import open_source

    files = big_plugin_files()
    lines = sum(text.count("\n") for name, text in files.items() if name.endswith(".py"))
    repo = make_repo(tmp / "big-plugin", files)
    registry = tmp / "big-registry"
    (registry / "plugins").mkdir(parents=True)
    # Like with like: each scanner alone scans exactly the files the review gives it, read from the same
    # tag and written the same way (bandit: the code files; GuardDog: every file).
    policy = load_policy()
    plugin = open_source(str(repo), allowed_prefixes=policy.allowed_url_prefixes, limits=policy.limits).read("v1.0.0")
    bandit_tree, guarddog_tree = tmp / "bandit-tree", tmp / "guarddog-tree"
    plugin.materialise(bandit_tree, only_python=True)
    plugin.materialise(guarddog_tree)
    ctx: Any = SimpleNamespace(tools=ToolConfig(osv_url=osv_url))
    pins = tmp / "pinned-requirements.txt"
    pins.write_text("requests==2.32.3\npyyaml==6.0.2\n", encoding="utf-8")
    pip_audit = [
        sys.executable, "-m", "pip_audit", "--no-deps", "--disable-pip", "--strict", "-r", str(pins),
        "--format", "json", "-s", "osv", "--progress-spinner", "off", "--cache-dir", str(tmp / "audit-cache"),
        "--osv-url", osv_url,
    ]  # fmt: skip
    command = [
        sys.executable, str(ROOT / "scripts" / "plugin_reviewer.py"), "--repo", str(repo), "--tag", "v1.0.0",
        "--json", "--osv-url", osv_url, "--registry-dir", str(registry),
    ]  # fmt: skip

    def whole_review() -> None:
        done = subprocess.run(command, capture_output=True, check=False)
        if done.returncode != 0:  # a review that crashed or failed early would look cheap
            raise SystemExit(f"big-plugin review did not pass (exit {done.returncode}): {done.stdout[-500:]!r}")

    def audit_alone() -> None:
        shutil.rmtree(tmp / "audit-cache", ignore_errors=True)  # like the review: no cache from an earlier run
        done = subprocess.run(pip_audit, capture_output=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"pip-audit alone failed (exit {done.returncode}): {done.stderr[-300:]!r}")

    scanners: dict[str, Callable[[], object]] = {
        "bandit": lambda: run_bandit(ctx, bandit_tree),
        "pip-audit": audit_alone,
    }
    if policy.guarddog:
        scanners["guarddog"] = lambda: run_guarddog(ctx, guarddog_tree)

    def together() -> None:
        # Not part of the bound: the three scanners at once with nothing else, as the review runs them. On a
        # machine with fewer cores than scanners this is the floor under the review's wall time.
        with ThreadPoolExecutor(max_workers=len(scanners)) as pool:
            for future in [pool.submit(run) for run in scanners.values()]:
                future.result()

    best: dict[str, tuple[float, float]] = {}
    for _ in range(runs):
        for name, run in (*scanners.items(), ("together", together), ("review", whole_review)):
            wall, cpu = _timed(run)
            old = best.get(name)
            best[name] = (min(wall, old[0]), min(cpu, old[1])) if old else (wall, cpu)
    slowest = max(best[name][0] for name in scanners)
    scanners_cpu = sum(best[name][1] for name in scanners)
    wall_ratio = best["review"][0] / slowest
    cpu_ratio = best["review"][1] / scanners_cpu
    alone = "; ".join(f"{name} {best[name][0]:.2f} s / {best[name][1]:.2f} s CPU" for name in scanners)
    detail = (
        f"{lines} lines; review {best['review'][0]:.2f} s wall, {best['review'][1]:.2f} s CPU; "
        f"{alone} (alone, best of {runs}); "
        f"the scanners at once, nothing else: {best['together'][0]:.2f} s wall "
        f"({best['together'][0] / slowest:.2f}x the slowest), {best['together'][1]:.2f} s CPU; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    return wall_ratio, cpu_ratio, detail


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    osv = OsvStandIn().start()
    pypi = PyPIStandIn().start()
    os.environ["WXREG_PYPI_URL"] = pypi.url  # the review's index check, in this process and its children
    timings: list[float] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
            repo = make_repo(Path(tmp) / "good-plugin")
            registry = Path(tmp) / "registry"
            (registry / "plugins").mkdir(parents=True)
            command = [
                sys.executable, str(ROOT / "scripts" / "plugin_reviewer.py"),
                "--repo", str(repo), "--tag", "v1.0.0", "--json",
                "--osv-url", osv.query_url, "--registry-dir", str(registry),
            ]  # fmt: skip
            for _ in range(args.runs):
                started = time.perf_counter()
                done = subprocess.run(command, capture_output=True, text=True, check=False)
                timings.append(time.perf_counter() - started)
                if done.returncode != 0:
                    print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
                    print(f"review did not pass (exit {done.returncode})", file=sys.stderr)
                    return 1
            calls = api_calls_per_review(osv.query_url, Path(tmp))
            wall_ratio, cpu_ratio, detail = scanner_ratios(osv.query_url, Path(tmp), args.runs)
    finally:
        osv.stop()
        pypi.stop()
    best, median = min(timings), statistics.median(timings)
    print(
        f"review --repo (good plugin, bandit + pip-audit, local OSV and PyPI): "
        f"best {best:.2f} s, median {median:.2f} s "
        f"over {len(timings)} runs (target < {TARGET_SECONDS:.0f} s; OSV queries: {len(osv.queries)})"
    )
    if calls is None:
        print("GitHub API calls per issue review: sandbox not available")
    else:
        print(f"GitHub API calls per issue review (sandbox stand-in): {calls} (target <= {TARGET_API_CALLS})")
    print(
        f"review vs scanners alone: wall {wall_ratio:.2f}x the slowest scanner (target <= {TARGET_WALL_RATIO}x), "
        f"CPU {cpu_ratio:.2f}x the scanners' CPU summed (target <= {TARGET_CPU_RATIO}x); {detail}"
    )
    ratios_ok = wall_ratio <= TARGET_WALL_RATIO and cpu_ratio <= TARGET_CPU_RATIO
    return 0 if median < TARGET_SECONDS and (calls is None or calls <= TARGET_API_CALLS) and ratios_ok else 1


if __name__ == "__main__":
    sys.exit(main())
