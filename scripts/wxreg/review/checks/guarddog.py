"""A second engine beside bandit: GuardDog (Datadog's malicious-package scanner, YARA rules).

bandit is a linter for honest code; GuardDog's rules describe what malware does (exfiltration to
messengers, download-and-execute, base64 + exec, reverse shells...). It runs as its own check, so the
engine's thread pool runs it at the same time as bandit, on plain copies of the plugin's files that
we wrote ourselves. GuardDog only matches patterns: it never imports or runs the code it scans.

It is run with ``--no-sandbox`` (its Landlock sandbox is not available on every runner, and a scan
that cannot start must not be the norm), an environment of our own (no tokens, ``HOME`` in a
temporary folder) and dead proxies, so the one thing it tries to reach, its popular-package lists
for metadata rules we do not use, fails at once and nothing leaves the machine.

``threat-*`` rules are errors; ``capability-*`` rules are information for the permission check.
A crash, a timeout, output we cannot read or an engine error fails the check, never passes it.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from wxreg.review import rules
from wxreg.review.context import ReviewContext
from wxreg.review.findings import Finding

DEAD_PROXY = "http://127.0.0.1:9"
MAX_MATCHES_PER_RULE = 5


def guarddog_env(home: Path) -> dict[str, str]:
    """Only what the scanner needs: no token or secret of ours, every proxy a closed port."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "NO_PROXY": "",
        "no_proxy": "",
    }
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        env[name] = DEAD_PROXY
    return env


def run_guarddog(ctx: ReviewContext, root: Path) -> tuple[dict[str, Any] | None, str | None]:
    """GuardDog's JSON report for ``root``, or ``(None, why it failed)``."""
    with tempfile.TemporaryDirectory(prefix="wxreg-guarddog-") as tmp:
        command = [ctx.tools.python, "-m", "guarddog", "pypi", "scan", str(root),
                   "--no-sandbox", "--output-format", "json"]  # fmt: skip
        try:
            done = subprocess.run(
                command, capture_output=True, timeout=ctx.tools.timeout_seconds, check=False, cwd=tmp,
                env=guarddog_env(Path(tmp)), stdin=subprocess.DEVNULL,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, f"{type(exc).__name__}: {exc}"[:300]
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return None, f"guarddog exit {done.returncode}: {tail[0][:300]}"
    try:
        report = json.loads(done.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, "GuardDog 输出不可读 / unreadable GuardDog output"
    if not isinstance(report, dict) or not isinstance(report.get("results"), dict):
        return None, "GuardDog 输出缺少 results / GuardDog output has no results"
    if report.get("errors"):
        return None, f"GuardDog 规则出错 / rule errors: {json.dumps(report['errors'], ensure_ascii=False)[:300]}"
    return report, None


def _where(location: object) -> tuple[str | None, int | None]:
    path, _, line = str(location or "").rpartition(":")
    if not path:
        return (str(location) or None), None
    return path, int(line) if line.isdigit() else None


class GuardDogCheck:
    name = "guarddog"

    def run(self, ctx: ReviewContext) -> Iterator[Finding]:
        if not ctx.tree.files:
            return
        root = ctx.workdir / "guarddog-tree"
        ctx.tree.materialise(root)
        report, problem = run_guarddog(ctx, root)
        if report is None:
            yield rules.S106.at(detail=problem)
            return
        for rule_name, matches in sorted(report["results"].items()):
            if not isinstance(matches, list) or not matches:
                continue
            rule = rules.S105 if rule_name.startswith("threat-") else rules.P020
            seen: set[tuple[str | None, int | None]] = set()
            for match in matches:
                if not isinstance(match, dict):
                    continue
                where = _where(match.get("location"))
                if where in seen:
                    continue
                seen.add(where)
                if len(seen) > MAX_MATCHES_PER_RULE:
                    break
                yield rule.at(where[0], where[1], rule=rule_name, message=str(match.get("message", ""))[:200])
