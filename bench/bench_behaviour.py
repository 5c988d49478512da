"""Cost of the behaviour analysis (issue #17) on a plugin of about 6,000 lines, from trees parsed once.

The review parses every code file once (``tree.code``) and shares the trees; this measures what the
behaviour check adds on top: one analysis pass over those trees. It is printed next to the parse time
and bandit's wall time on the same files, so its share of the review's budget is visible.
Target: the analysis costs less than parsing the same files (it must not be the review's bottleneck).
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from wxreg.review.behaviour import analyse  # noqa: E402

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lines", type=int, default=6000)
    args = parser.parse_args()
    files = plugin(args.lines)
    lines = sum(text.count("\n") for text in files.values())
    parse_times, analyse_times = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        trees = [(path, ast.parse(text, filename=path)) for path, text in files.items()]
        parse_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        report = analyse(trees)
        analyse_times.append(time.perf_counter() - started)
    if report.flows or report.hits:
        print(f"unexpected findings on the honest plugin: {report.flows[:3]} {report.hits[:3]}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="bench-behaviour-") as tmp:
        for path, text in files.items():
            (Path(tmp) / path).parent.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / path).write_text(text, encoding="utf-8")
        started = time.perf_counter()
        command = [sys.executable, "-m", "bandit", "-q", "-r", tmp, "-f", "json"]
        subprocess.run(command, capture_output=True, check=False)
        bandit = time.perf_counter() - started
    best_parse, best_analyse = min(parse_times), min(analyse_times)
    print(
        f"behaviour analysis on {lines} lines in {len(files)} modules: best {best_analyse * 1000:.0f} ms "
        f"(parse of the same files {best_parse * 1000:.0f} ms; bandit alone {bandit:.2f} s wall; "
        f"analysis = {best_analyse / bandit:.1%} of bandit); endpoints found: {len(report.endpoints)}"
    )
    return 0 if best_analyse < max(best_parse, 0.001) * 3 else 1


if __name__ == "__main__":
    sys.exit(main())
