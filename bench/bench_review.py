"""Wall time of one ``--repo`` review of the example plugin, bandit and pip-audit included.

pip-audit talks to a local OSV-shaped server on a real socket, so nothing leaves this machine.
Target: under 5 s. Usage: ``.venv/bin/python bench/bench_review.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "review"))
sys.path.insert(0, str(ROOT / "scripts"))

from support import OsvStub, make_repo  # noqa: E402

TARGET_SECONDS = 5.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    osv = OsvStub().start()
    timings: list[float] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
            repo = make_repo(Path(tmp) / "good-plugin")
            registry = Path(tmp) / "registry"
            (registry / "plugins").mkdir(parents=True)
            command = [
                sys.executable, str(ROOT / "scripts" / "plugin_reviewer.py"),
                "--repo", str(repo), "--tag", "v1.0.0", "--json",
                "--osv-url", osv.url, "--registry-dir", str(registry),
            ]  # fmt: skip
            for _ in range(args.runs):
                started = time.perf_counter()
                done = subprocess.run(command, capture_output=True, text=True, check=False)
                timings.append(time.perf_counter() - started)
                if done.returncode != 0:
                    print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
                    print(f"review did not pass (exit {done.returncode})", file=sys.stderr)
                    return 1
    finally:
        osv.stop()
    best, median = min(timings), statistics.median(timings)
    print(
        f"review --repo (good plugin, bandit + pip-audit vs local OSV): best {best:.2f} s, median {median:.2f} s "
        f"over {len(timings)} runs (target < {TARGET_SECONDS:.0f} s; OSV queries: {len(osv.queries)})"
    )
    return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
