"""Cost of the behaviour analysis (issue #17) on plugins of about 6,000 lines, from trees parsed once.

The review parses every code file once (``tree.code``) and walks each tree once (``nodes()``/``parents()``),
shared by the checks; this measures what the behaviour check adds on top: one analysis that reads that walk
(no walk of its own), then the taint passes.
It is measured in CPU seconds (the machine may be shared) next to the CPU of parsing the same files, on
two plugins: a chat plugin of many small modules (network, files, a subprocess) and the plain 6,000-line
plugin of ``bench_review.py``; bandit's wall time on the first is printed for scale.
Target: on each, the analysis costs at most 3.5x parsing the same files (measured on a loaded 2-core
machine: reading the shared walk 1.9x-2.2x; walking each module four times itself 4.0x-5.1x).
Usage: ``.venv/bin/python bench/bench_behaviour.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))

from wxreg.review.behaviour import analyse  # noqa: E402
from wxreg.review.code import walk  # noqa: E402

MODULE = '''"""Module {n}: a realistic slice of a chat plugin."""
import json
import os
import subprocess
from pathlib import Path

import requests

BASE_{n} = "https://api.example{n}.com"
DATA_{n} = Path(__file__).resolve().parent / "data"


class Handler{n}:
    def __init__(self, config):
        self.key = str(config.get("api_key", ""))
        self.history = []

    def ask(self, question):
        headers = {{"Authorization": f"Bearer {{self.key}}"}}
        body = {{"messages": [{{"role": "user", "content": question}}]}}
        response = requests.post(BASE_{n} + "/v1/chat", headers=headers, json=body, timeout=30)
        return response.json().get("text", "")

    def remember(self, message):
        self.history.append(message)
        DATA_{n}.mkdir(exist_ok=True)
        (DATA_{n} / "history.json").write_text(json.dumps(self.history), encoding="utf-8")

    def tool(self, name):
        env = os.environ.copy()
        env["LC_ALL"] = "C"
        done = subprocess.run(["git", "-C", str(DATA_{n}), "log", name], env=env, capture_output=True, check=False)
        return done.stdout

    def render(self, items):
        lines = []
        for index, item in enumerate(items):
            if index % 2:
                lines.append(f"{{index}}: {{item!r}}")
            else:
                lines.append("%d - %s" % (index, item))
        return "\\n".join(lines)
'''


def plugin(lines: int) -> dict[str, str]:
    files: dict[str, str] = {}
    n = 0
    total = 0
    while total < lines:
        text = MODULE.format(n=n)
        files[f"pkg/mod{n}.py"] = text
        total += text.count("\n")
        n += 1
    return files


TARGET_RATIO = 3.5


def cpu_costs(files: dict[str, str], runs: int) -> tuple[float, float, float, Any]:
    """Best CPU seconds of parsing ``files``, of the review's shared walk of the trees, and of analysing them
    given that walk (as the review runs it), and the last report."""
    parse_times, walk_times, analyse_times = [], [], []
    report = None
    for _ in range(runs):
        started = time.process_time()
        trees = [(path, ast.parse(text, filename=path)) for path, text in files.items()]
        parse_times.append(time.process_time() - started)
        started = time.process_time()
        walks = {path: walk(tree) for path, tree in trees}
        walk_times.append(time.process_time() - started)
        started = time.process_time()
        report = analyse(trees, walks=walks)
        analyse_times.append(time.process_time() - started)
    return min(parse_times), min(walk_times), min(analyse_times), report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lines", type=int, default=6000)
    args = parser.parse_args()
    from bench_review import big_plugin_files

    plain = {name: text for name, text in big_plugin_files(args.lines).items() if name.endswith(".py")}
    ok = True
    for label, files in (("chat plugin", plugin(args.lines)), ("bench_review plugin", plain)):
        lines = sum(text.count("\n") for text in files.values())
        parse, walked, cost, report = cpu_costs(files, args.runs)
        if report.flows or report.hits:
            print(f"unexpected findings on the honest plugin: {report.flows[:3]} {report.hits[:3]}", file=sys.stderr)
            return 1
        ratio = cost / max(parse, 0.001)
        ok = ok and ratio <= TARGET_RATIO
        print(
            f"behaviour analysis, {label}, {lines} lines in {len(files)} modules: best {cost * 1000:.0f} ms CPU "
            f"= {ratio:.1f}x parsing the same files ({parse * 1000:.0f} ms CPU; target <= {TARGET_RATIO}x); "
            f"the shared walk it reads {walked * 1000:.0f} ms CPU; endpoints found: {len(report.endpoints)}"
        )
    files = plugin(args.lines)
    with tempfile.TemporaryDirectory(prefix="bench-behaviour-") as tmp:
        for path, text in files.items():
            (Path(tmp) / path).parent.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / path).write_text(text, encoding="utf-8")
        started = time.perf_counter()
        command = [sys.executable, "-m", "bandit", "-q", "-r", tmp, "-f", "json"]
        subprocess.run(command, capture_output=True, check=False)
        print(f"(for scale: bandit alone on the chat plugin {time.perf_counter() - started:.2f} s wall)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
