"""A review command starts bandit's interpreter early and answers pip-api's version question
(``wxreg.review.prestart``): neither may change a result, an error message, or anything left behind."""

from __future__ import annotations

import gc
import os
import re
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from wxreg.review import prestart
from wxreg.review.checks.security import BanditRun, run_bandit
from wxreg.review.context import ToolConfig

pytestmark = pytest.mark.scanners

RISKY = (
    "import subprocess\n\n\n"
    "def run(cmd: str) -> int:\n"
    "    return subprocess.call(cmd, shell=True)\n\n\n"
    "def load(blob: bytes) -> object:\n"
    "    import pickle\n\n"
    "    return pickle.loads(blob)\n"
)


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "risky.py").write_text(RISKY, encoding="utf-8")
    (root / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    return root


def _ctx(python: str = sys.executable, timeout: int = 120) -> Any:
    return SimpleNamespace(tools=ToolConfig(python=python, timeout_seconds=timeout))


def _results(report: dict[str, Any] | None) -> list[tuple[str, int, str]]:
    assert report is not None
    return sorted((r["test_id"], r["line_number"], Path(r["filename"]).name) for r in report["results"])


def test_a_prestarted_bandit_reports_exactly_what_python_m_bandit_reports(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    plain, problem = run_bandit(_ctx(), root)
    assert problem is None
    with prestart.prestarted(sys.executable):
        launcher = prestart._waiting[-1]
        run = BanditRun(_ctx(), root)
        assert run._launcher is launcher  # the prestarted interpreter ran it, not a new one
        early, problem = run.result()
        assert prestart.take_bandit(sys.executable) is None  # taken once
    assert problem is None
    assert _results(early) == _results(plain)
    assert {"B602", "B301", "B403"} <= {test for test, _, _ in _results(early)}
    assert early is not None and plain is not None
    assert early["metrics"]["_totals"] == plain["metrics"]["_totals"]


def test_an_unused_prestart_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "pip_api", raising=False)  # as in a review command: not imported yet
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    thresholds = gc.get_threshold()
    with prestart.prestarted(sys.executable):
        launcher = prestart._waiting[-1]
        assert os.environ.get("PIPAPI_PYTHON_LOCATION")
        assert len(list(tmp_path.glob("wxreg-*"))) == 2  # its working directory, and the pip answer's
        assert gc.get_threshold()[0] == prestart.COLLECT_EVERY
    assert gc.get_threshold() == thresholds
    assert "PIPAPI_PYTHON_LOCATION" not in os.environ
    assert launcher._process.returncode == 0  # end of input: it exited by itself, and was waited for
    assert launcher not in prestart._waiting
    assert list(tmp_path.iterdir()) == []


def test_a_python_without_bandit_fails_as_a_plain_run_does(tmp_path: Path) -> None:
    # This interpreter without its site-packages: no bandit. The prestarted one exits at once; the check
    # then starts bandit the usual way, so the error is bandit's usual one.
    python = tmp_path / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" -S "$@"\n', encoding="utf-8")
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    root = _tree(tmp_path)
    plain = run_bandit(_ctx(str(python)), root)
    with prestart.prestarted(str(python)):
        early = run_bandit(_ctx(str(python)), root)
    assert plain[0] is None and early[0] is None

    def same(problem: str | None) -> str:  # the scratch directory's random name aside
        return re.sub(r"wxreg-bandit-\w+", "wxreg-bandit-*", str(problem))

    assert same(early[1]) == same(plain[1]) and "unreadable bandit output" in same(plain[1])


def test_a_timeout_kills_the_prestarted_bandit(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    with prestart.prestarted(sys.executable):
        launcher = prestart._waiting[-1]
        report, problem = run_bandit(_ctx(timeout=0), root)
    assert report is None and problem is not None and problem.startswith("TimeoutExpired")
    assert launcher._process.returncode is not None  # killed and waited for


def test_the_pip_version_answer_is_what_pip_prints() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "pip", "--version"], capture_output=True, text=True, check=True,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    ).stdout.strip()  # fmt: skip
    assert prestart.pip_version_line() == printed


def test_pip_api_reads_the_answer_while_prestarted_and_asks_pip_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "pip_api", raising=False)
    probe = [sys.executable, "-c", "import pip_api; print(pip_api.PIP_VERSION)"]
    with prestart.prestarted(sys.executable):
        script = os.environ["PIPAPI_PYTHON_LOCATION"]
        answered = subprocess.run(probe, capture_output=True, text=True, check=True).stdout.strip()
    asked = subprocess.run(probe, capture_output=True, text=True, check=True).stdout.strip()
    assert answered == asked and answered.count(".") >= 1
    assert not Path(script).exists()


def test_a_set_pipapi_location_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPAPI_PYTHON_LOCATION", sys.executable)
    with prestart.prestarted(sys.executable):
        assert os.environ["PIPAPI_PYTHON_LOCATION"] == sys.executable
    assert os.environ["PIPAPI_PYTHON_LOCATION"] == sys.executable


def test_a_plain_bandit_run_starts_at_once_and_a_timeout_kills_it(tmp_path: Path) -> None:
    # Without a prestarted interpreter bandit is started when the run is made (it scans while the check reads
    # the files), and a timeout kills it as subprocess.run's would.
    run = BanditRun(_ctx(timeout=0), _tree(tmp_path))
    assert run._launcher is None and run._process is not None
    report, problem = run.result()
    assert report is None and problem is not None and problem.startswith("TimeoutExpired")
    assert run._process.returncode is not None
    report, problem = BanditRun(_ctx(python=str(tmp_path / "no-python")), _tree(tmp_path / "other")).result()
    assert report is None and problem is not None and problem.startswith("FileNotFoundError")
