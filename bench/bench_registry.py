"""Benchmark: build and validate synthetic registries of 1k, 10k and 100k plugins.

Run as a script (``python bench/bench_registry.py [SIZES...]``); it is not a test. Each size is built in its
own process, so peak memory (max RSS) belongs to that size alone, and ``wxreg validate`` then runs in fresh
processes of its own (cold caches, as in CI), timed from its arguments to its exit status, after the imports
of its parser (reported apart); the best of :data:`VALIDATE_RUNS` runs counts, with its CPU time.
Targets: 10k plugins built and validated in under 2 s, 10k plugins validated in under 0.5 s, and time
growing no worse than linearly.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = REPO_ROOT / "tests" / "fixtures" / "registry-example" / "registry"
DEFAULT_SIZES = (1_000, 10_000, 100_000)
TARGET_SECONDS_10K = 2.0
"""Build plus validate of 10k plugins."""
TARGET_VALIDATE_SECONDS_10K = 0.5
"""``wxreg validate`` of 10k plugins (best run)."""
VALIDATE_RUNS = 3


def make_registry(root: Path, count: int) -> None:
    """A registry of ``count`` plugins varied from the example entries (ids, versions, dates, stats)."""
    registry = root / "registry"
    (registry / "plugins").mkdir(parents=True)
    for name in ("config.json", "categories.json", "removed.json"):
        shutil.copyfile(EXAMPLE / name, registry / name)
    templates = [json.loads(path.read_text(encoding="utf-8")) for path in sorted((EXAMPLE / "plugins").glob("*.json"))]
    rng = random.Random(count)
    for index in range(count):
        entry: dict[str, Any] = json.loads(json.dumps(templates[index % len(templates)]))
        plugin_id = f"plugin_{index:06d}"
        entry["plugin_id"] = plugin_id
        entry["name"] = f"插件 {index}"
        minor = rng.randrange(50)
        entry["versions"] = {"latest": f"1.{minor}.1", "stable": f"1.{minor}.0", "minimum_supported": "1.0"}
        entry["release"]["tag"] = f"v1.{minor}.1"
        entry["release"]["commit"] = f"{index:040x}"
        entry.pop("prerelease", None)
        entry["updated_at"] = f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T00:00:00Z"
        entry["created_at"] = "2025-01-01T00:00:00Z"
        if "stats" in entry:
            entry["stats"]["downloads"] = rng.randrange(100_000)
        (registry / "plugins" / f"{plugin_id}.json").write_text(json.dumps(entry, ensure_ascii=False, indent=2),
                                                                 encoding="utf-8")


def validate_once(root: Path) -> dict[str, float]:
    """``wxreg validate --root root`` in this process, as :func:`wxreg.cli.main` runs it: the command's
    parser first (it imports the validate command's module; timed apart as ``startup``), then the timed part,
    parsing the arguments and running the handler. Wall and CPU seconds."""
    start = time.perf_counter()
    from wxreg.cli import make_parser

    parser = make_parser("validate")
    startup = time.perf_counter() - start
    with contextlib.redirect_stdout(io.StringIO()):  # its one line of output; this process prints JSON
        start, cpu = time.perf_counter(), time.process_time()
        args = parser.parse_args(["validate", "--root", str(root)])
        status = args.handler(args)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    if status != 0:
        raise SystemExit(f"synthetic registry is invalid (wxreg validate exited {status})")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    return {"validate": wall, "validate_cpu": cpu, "startup": startup, "peak_mib": peak}


def _run(*args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(out)
    return result


def measure(count: int) -> dict[str, float]:
    """Build one synthetic registry in this process, then validate it in fresh processes; times in seconds,
    memory in MiB."""
    from wxreg.store import RegistryStore

    with tempfile.TemporaryDirectory(prefix="wxreg-bench-") as temp:
        root = Path(temp)
        make_registry(root, count)
        start = time.perf_counter()
        RegistryStore(root).write()
        built = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        runs = [_run("--validate", str(root)) for _ in range(VALIDATE_RUNS)]
        size = (root / "registry" / "registry.json").stat().st_size
    best = min(runs, key=lambda run: run["validate"])
    return {"build": built, "validate": best["validate"], "validate_cpu": best["validate_cpu"],
            "startup": min(run["startup"] for run in runs),
            "total": built + best["validate"], "peak_mib": max(peak, *(run["peak_mib"] for run in runs)),
            "registry_mib": size / 2**20}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        print(json.dumps(measure(int(argv[1]))))
        return 0
    if argv[:1] == ["--validate"]:
        print(json.dumps(validate_once(Path(argv[1]))))
        return 0
    sizes = [int(arg) for arg in argv] or list(DEFAULT_SIZES)
    print(f"{'plugins':>8} {'build s':>8} {'validate s':>11} {'(cpu s)':>8} {'total s':>8} {'µs/plugin':>10} "
          f"{'peak MiB':>9} {'json MiB':>9} {'cli startup s':>14}")
    results: dict[int, dict[str, float]] = {}
    for count in sizes:
        result = results[count] = _run("--one", str(count))
        print(f"{count:>8} {result['build']:>8.3f} {result['validate']:>11.3f} {result['validate_cpu']:>8.3f} "
              f"{result['total']:>8.3f} "
              f"{result['total'] / count * 1e6:>10.1f} {result['peak_mib']:>9.1f} {result['registry_mib']:>9.1f} "
              f"{result['startup']:>14.3f}",
              flush=True)
    status = 0
    print(f"targets for 10k plugins: build and validate under {TARGET_SECONDS_10K} s, "
          f"validate (best of {VALIDATE_RUNS}) under {TARGET_VALIDATE_SECONDS_10K} s")
    if 10_000 in results and results[10_000]["total"] > TARGET_SECONDS_10K:
        print(f"over target: 10k plugins took {results[10_000]['total']:.2f} s (> {TARGET_SECONDS_10K} s)")
        status = 1
    if 10_000 in results and results[10_000]["validate"] > TARGET_VALIDATE_SECONDS_10K:
        print(f"over target: wxreg validate of 10k plugins took {results[10_000]['validate']:.2f} s "
              f"(> {TARGET_VALIDATE_SECONDS_10K} s)")
        status = 1
    ordered = sorted(results)
    for small, large in itertools.pairwise(ordered):
        # Per-plugin cost may not grow by more than half from one size to the next (roughly linear).
        ratio = (results[large]["total"] / large) / (results[small]["total"] / small)
        print(f"per-plugin time {small} -> {large}: x{ratio:.2f}")
        if ratio > 1.5:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
