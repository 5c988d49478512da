"""What a review command starts before it loads the review: bandit's interpreter, and pip's version for pip-audit.

Both are start-up costs the review would otherwise pay on its critical path, and neither changes what is checked.

* **bandit.** About a fifth of a bandit run is its interpreter start and its imports (bandit loads every plugin
  when it is imported); the rest is the scan. :func:`prestarted` starts that interpreter first, before the
  review's own modules are loaded and while the tag is read; it imports bandit and then waits on its standard
  input for the command line. :func:`wxreg.review.checks.security.run_bandit` hands it exactly the arguments it
  would give ``python -m bandit``, and bandit's own ``main()`` runs them. Nothing is sent: at end of input it
  exits. Anything unexpected (bandit missing, the interpreter gone) and the check starts bandit the usual way,
  so every error reads as before.
* **pip's version.** pip-audit's cache module asks pip for its version when it is imported (through pip-api,
  which runs ``python -m pip --version``: about 0.2 s of CPU, a fifth of pip-audit's whole run) only to decide
  whether pip can tell it a cache directory. The review always gives pip-audit a cache directory of its own and
  never runs pip, so here pip-api's documented ``PIPAPI_PYTHON_LOCATION`` names a two-line script that prints
  what ``pip --version`` prints, with the version read from the installed pip's own ``__version__``. POSIX
  only; anywhere the script cannot run, pip-api asks pip as usual.

Only a command line starts these (``plugin_reviewer.py`` and ``wxreg review``): one process, one review. It
also collects cyclic garbage less often (:data:`COLLECT_EVERY`).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

COLLECT_EVERY = 100_000
"""A review command's cyclic garbage collector runs after this many new container objects, not 2,000: the
review builds large trees without cycles (a 6,000-line plugin is some 45,000 syntax nodes), which at the
default threshold set off dozens of collections that each walk everything loaded so far (about a tenth of
the review's own CPU). Reference counting still frees everything else at once; cycles wait a little. On
the way out what the review left is frozen (:func:`gc.freeze`), so that neither the next collection nor the
interpreter's last one walks it."""

LAUNCH_FAILED = 97
"""The prestarted interpreter could not import bandit (bandit itself exits 0, 1 or 2)."""

LAUNCHER = f"""\
import gc, json, os, sys
try:
    from bandit.cli import main
    from bandit.core import extension_loader  # bandit's plugins are loaded here, before the wait
except BaseException:
    sys.exit({LAUNCH_FAILED})
gc.freeze()  # bandit, too, builds large trees without cycles: see COLLECT_EVERY
gc.set_threshold({COLLECT_EVERY}, *gc.get_threshold()[1:])
line = sys.stdin.readline()
if not line.strip():
    sys.exit(0)
request = json.loads(line)
sys.argv = ["bandit", *request["argv"]]
main.main()
"""
"""Run by ``python -c``: bandit's imports, then one command line read from standard input, run by bandit's
``main()`` as ``python -m bandit ARGS`` would run it; only its collector is set as the review's own is (same
report, about 0.05 s less CPU on a 6,000-line plugin)."""

PIP_VERSION = re.compile(r"""^__version__\s*=\s*["']([^"'\s]+)["']""", re.MULTILINE)


class PrestartedBandit:
    """One bandit interpreter, started early, waiting for one command line."""

    def __init__(self, python: str) -> None:
        self.python = python
        # Its own empty working directory, as a plain bandit run gets (nothing there can shadow a module).
        self._cwd = tempfile.mkdtemp(prefix="wxreg-bandit-start-")
        try:
            self._process = subprocess.Popen(
                [python, "-c", LAUNCHER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=self._cwd,
            )
        except OSError:
            shutil.rmtree(self._cwd, ignore_errors=True)
            raise

    def send(self, argv: Sequence[str]) -> bool:
        """Hand it ``argv`` (the arguments after ``python -m bandit``) and return at once; ``False`` when it
        has already exited (the caller then starts bandit the usual way)."""
        import json  # loaded by then; not before the interpreter starts

        stdin = self._process.stdin
        if stdin is None or self._process.poll() is not None:
            return False
        try:
            stdin.write((json.dumps({"argv": list(argv)}) + "\n").encode())
            stdin.flush()  # one line is all it reads; finish() closes the pipe
        except OSError:  # it exited meanwhile: a closed pipe
            return False
        return True

    def finish(self, timeout: float) -> subprocess.CompletedProcess[bytes] | None:
        """What :func:`subprocess.run` would have returned for the command sent, or ``None`` when this
        interpreter could not import bandit. Raises :class:`subprocess.TimeoutExpired` after killing it."""
        try:
            done = communicate(self._process, timeout)
        finally:
            shutil.rmtree(self._cwd, ignore_errors=True)
        return None if done.returncode == LAUNCH_FAILED else done

    def close(self) -> None:
        """Never used: end of input, and it exits."""
        try:
            self._process.communicate(b"", timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self._process.kill()
            self._process.wait()
        shutil.rmtree(self._cwd, ignore_errors=True)


def communicate(process: subprocess.Popen[bytes], timeout: float) -> subprocess.CompletedProcess[bytes]:
    """What :func:`subprocess.run` with ``timeout`` returns, for a process already started: its output, or
    :class:`subprocess.TimeoutExpired` once it has been killed and waited for."""
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


_lock = threading.Lock()
_waiting: list[PrestartedBandit] = []


def _discard(launcher: PrestartedBandit) -> bool:
    """Remove ``launcher`` from the waiting list; ``True`` when it was still there (never taken)."""
    with _lock:
        if launcher in _waiting:
            _waiting.remove(launcher)
            return True
    return False


def take_bandit(python: str) -> PrestartedBandit | None:
    """The prestarted bandit interpreter for ``python``, once; ``None`` when there is none."""
    with _lock:
        for index, launcher in enumerate(_waiting):
            if launcher.python == python:
                return _waiting.pop(index)
    return None


def pip_version_line() -> str | None:
    """What ``python -m pip --version`` prints for this interpreter's pip, read from pip's ``__init__.py``
    without importing pip; ``None`` when it cannot be read."""
    try:
        from importlib.util import find_spec

        spec = find_spec("pip")
        origin = spec.origin if spec is not None else None
        if not origin:
            return None
        with Path(origin).open(encoding="utf-8") as handle:
            match = PIP_VERSION.search(handle.read(8192))
    except (ImportError, OSError, ValueError):
        return None
    if match is None:
        return None
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    return f"pip {match.group(1)} from {Path(origin).parent} (python {python})"


_answers: list[str] = []
"""The scratch directory holding the pip version script, while it is there."""


def _answer_pip_version() -> bool:
    """Point pip-api at a script answering ``-m pip --version`` (see the module's docstring), in a scratch
    directory of its own (listed in ``_answers``); ``True`` when the variable was set (the caller removes it)."""
    if os.name != "posix" or "PIPAPI_PYTHON_LOCATION" in os.environ or "pip_api" in sys.modules:
        return False
    line = pip_version_line()
    if line is None:
        return False
    scratch = tempfile.mkdtemp(prefix="wxreg-prestart-")
    with _lock:
        _answers.append(scratch)
    script = Path(scratch) / "pip-version"
    try:  # a full disk, a scratch directory mounted noexec, no /bin/sh: then pip-api asks pip itself
        script.write_text(
            "#!/bin/sh\n# pip-api asks `python -m pip --version` (see wxreg.review.prestart).\n"
            f"printf '%s\\n' {shlex.quote(line)}\n",
            encoding="utf-8",
        )
        script.chmod(0o700)
        answered = subprocess.run([script, "-m", "pip", "--version"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    if answered.returncode != 0 or answered.stdout.decode("utf-8", "replace").strip() != line:
        return False
    os.environ["PIPAPI_PYTHON_LOCATION"] = str(script)
    return True


def pip_version_read() -> None:
    """pip-api has asked (it asks once, when imported): the script goes now rather than at the end of the
    command. The variable stays until then: other threads may be reading the environment."""
    with _lock:
        scratch = _answers.pop() if _answers else None
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def prestarted(python: str) -> Iterator[None]:
    """For the duration of one review command: bandit's interpreter started for ``python`` (taken by the
    security check), pip's version answered for pip-audit, and the collector set to :data:`COLLECT_EVERY`.
    Call it before the review's modules are imported, from the main thread (it sets an environment
    variable and the collector's thresholds, both restored on the way out)."""
    import gc

    launcher: PrestartedBandit | None
    try:
        launcher = PrestartedBandit(python)
    except OSError:
        launcher = None  # the check starts bandit itself, and reports what fails
    if launcher is not None:
        with _lock:
            _waiting.append(launcher)
    answered = _answer_pip_version()
    thresholds = gc.get_threshold()
    gc.set_threshold(COLLECT_EVERY, *thresholds[1:])
    try:
        yield
    finally:
        # What the review left is frozen first: with the threshold back at 2,000 the next allocation would
        # set off a collection of everything it allocated, and the interpreter's last collection at exit
        # would walk it all again (about 0.06 s each, for nothing: the command is ending).
        gc.freeze()
        gc.set_threshold(*thresholds)
        if answered:
            os.environ.pop("PIPAPI_PYTHON_LOCATION", None)
        pip_version_read()
        if launcher is not None and _discard(launcher):
            launcher.close()
