"""Our side, not the plugin's: the reviewer's own tools and services, looked at when a review could not finish.

A missing scanner (bandit, pip-audit, GuardDog when on), an unreachable vulnerability service or package index,
or a scanner that crashed mid-review says nothing about the plugin. The command line reports each as one
short bilingual line and exits 2 ("could not review"), instead of a failed review that blames the plugin.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wxreg.review.context import ToolConfig
from wxreg.review.findings import Finding

PUBLIC_OSV_URL = "https://api.osv.dev/v1/query"
"""pip-audit's default when no ``--osv-url`` is given."""
INSTALL_HINT = "pip install git+https://github.com/wxauto-mgt/plugin-registry"
PROBE_TIMEOUT_SECONDS = 10.0

SCANNERS: tuple[tuple[str, str], ...] = (("bandit", "bandit"),)
"""(name people know, module run with ``python -m`` by the scanner Python); bandit runs on every plugin."""
GUARDDOG: tuple[str, str] = ("GuardDog", "guarddog")
"""Run with ``python -m`` too, when the policy turns it on (``engines.guarddog``)."""
IN_PROCESS: tuple[tuple[str, str], ...] = (("pip-audit", "pip_audit"),)
"""Run as a library in the reviewer's own interpreter (pip-audit's OSV service)."""
TOOL_FAILURE_IDS = frozenset({"WXR-S102", "WXR-S106", "WXR-X001"})
"""Findings that only ever mean our tools failed (a bandit or GuardDog scan that did not run, a check that
crashed)."""
AUDIT_FAILURE_ID = "WXR-D005"
INDEX_FAILURE_ID = "WXR-D010"
"""The package index could not say whether a pin exists: the review fails closed, and it is our side."""


@dataclass(frozen=True)
class ToolProblem:
    """One thing on our side that stops a trustworthy review, with what to do about it."""

    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


# Finds each module the way ``python -m`` would, without running it: a package's __init__ is not executed.
FIND_MODULES = (
    "import importlib.util, sys\n"
    "print(' '.join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))\n"
)


def absent_modules(python: str, modules: Sequence[str]) -> set[str] | None:
    """The ``modules`` that ``python`` cannot find (one interpreter start for all of them, nothing of theirs
    imported), or ``None`` when ``python`` itself does not run."""
    try:
        done = subprocess.run([python, "-c", FIND_MODULES, *modules], capture_output=True, timeout=60, check=False,
                              stdin=subprocess.DEVNULL)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return set(done.stdout.decode("utf-8", "replace").split()) & set(modules)


def missing_scanners(tools: ToolConfig, *, guarddog: bool = False) -> list[ToolProblem]:
    """Each scanner that cannot run: bandit (and GuardDog when it is on) looked up in ``tools.python``,
    pip-audit in this interpreter. The probe only looks the modules up: starting each scanner (``--version``)
    cost more CPU than pip-audit's whole audit, on every review. A scanner that is installed but broken still
    fails its scan, which :func:`tool_failures` reports as ours (exit 2)."""
    scanners = (*SCANNERS, GUARDDOG) if guarddog else SCANNERS
    absent = absent_modules(tools.python, [module for _, module in scanners])
    missing = [(name, tools.python) for name, module in scanners if absent is None or module in absent]
    missing += [(name, sys.executable) for name, module in IN_PROCESS if importlib.util.find_spec(module) is None]
    return [ToolProblem(
                f"审核工具 {name} 无法运行，请安装审核工具：{INSTALL_HINT}",
                f"the scanner {name} does not run with {python}; install the reviewer with {INSTALL_HINT}")
            for name, python in missing]  # fmt: skip


def osv_problem(osv_url: str | None) -> ToolProblem | None:
    """``None`` when the OSV query endpoint answers a harmless query, else why not (one line)."""
    import requests  # the failure path only: a review that went well loads it in its own time

    url = osv_url or PUBLIC_OSV_URL
    try:
        answer = requests.post(url, json={"package": {"name": "pip", "ecosystem": "PyPI"}, "version": "0.1"},
                               timeout=PROBE_TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        reason = type(exc).__name__
    else:
        if answer.status_code < 500:
            return None
        reason = f"HTTP {answer.status_code}"
    return ToolProblem(f"无法连接漏洞服务 {url}（{reason}）；请重试，或用 --osv-url 指定",
                       f"could not reach the vulnerability service at {url} ({reason}); re-run, or pass --osv-url")


def index_problem(pypi_url: str) -> ToolProblem:
    """Why the package index gave no answer we trust (one line): unreachable, or an unusable answer."""
    import requests

    from wxreg.review.index import USER_AGENT

    url = pypi_url.rstrip("/")
    try:
        answer = requests.get(f"{url}/pypi/pip/json", timeout=PROBE_TIMEOUT_SECONDS,
                              headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
    except requests.RequestException as exc:
        reason = type(exc).__name__
    else:
        reason = f"HTTP {answer.status_code}" if answer.status_code != 200 else "不可读的回答 / an unreadable answer"
    return ToolProblem(f"无法向软件包索引 {url} 核实依赖（{reason}）；请重试，或用 --pypi-url 指定（PyPI JSON API）",
                       f"could not check the dependencies on the package index at {url} ({reason}); re-run, or "
                       "pass --pypi-url (an index serving the PyPI JSON API)")


def tool_failures(findings: Iterable[Finding], osv_url: str | None, pypi_url: str | None = None) -> list[ToolProblem]:
    """Findings of a finished review that are our failures, not the plugin's (exit 2, not a verdict)."""
    problems: list[ToolProblem] = []
    audit_failed = index_failed = False
    for finding in findings:
        if finding.id in TOOL_FAILURE_IDS:
            problems.append(ToolProblem(f"审核工具出错（不是插件的问题）：{finding.message_zh}",
                                        f"the reviewer's tools failed (not the plugin's fault): {finding.message_en}"))
        elif finding.id == AUDIT_FAILURE_ID and finding.path is None and (
                "pip-audit" in finding.message_en or "pip_audit" in finding.message_en):
            audit_failed = True  # the audit itself did not finish (the network, or pip-audit crashed)
        elif finding.id == INDEX_FAILURE_ID:
            index_failed = True
    if audit_failed:
        unreachable = osv_problem(osv_url)
        problems.append(unreachable or ToolProblem("依赖审计工具 pip-audit 出错（不是插件的问题）",
                                                   "the dependency audit (pip-audit) failed; not the plugin's fault"))
    if index_failed and pypi_url:
        problems.append(index_problem(pypi_url))
    return problems
