"""Helpers for the first-hour tests: run our commands as a user does, in directories outside the repository."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.support.plugins import make_repo

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "hello_plugin"
BIN = Path(sys.executable).parent
WXREG = str(BIN / "wxreg")
WXSANDBOX = str(BIN / "wxsandbox")


def run(command: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None = None,
        timeout: float = 240) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    for name in ("GITHUB_STEP_SUMMARY", "GITHUB_REF_TYPE", "GITHUB_REF_NAME"):
        if env is None or name not in env:
            full_env.pop(name, None)
    return subprocess.run(list(command), cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout,
                          check=False)


def git(directory: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(directory), "-c", "user.name=Author", "-c", "user.email=a@example.com",
                           *args], check=True, capture_output=True, text=True, timeout=60).stdout


def plugin_repo(target: Path, source: Path = EXAMPLE, tag: str | None = "v1.0.0") -> Path:
    """A git repository holding ``source``'s files, committed and (optionally) tagged."""
    return make_repo(target, base=source, tag=tag)


def assert_no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout, done.stderr
