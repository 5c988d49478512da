"""A private copy of main's ``registry/`` to change with the store, and the commit it came from.

The workflow's checkout may be a few seconds old when a run starts (runs queue per issue), so the
newest ``origin/<branch>`` is fetched first (anonymously: the checkout keeps no credentials). When the
fetch fails the checkout's own HEAD is used; the PR refresh on the next push corrects any staleness.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from wxreg.review.source import git_env

GIT_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Snapshot:
    sha: str
    """The main commit the copy was taken from: the parent of the registry PR's commit."""
    root: Path
    """A directory holding ``registry/`` as of ``sha`` (a ``RegistryStore`` root)."""


def _git(checkout: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(checkout), *args], capture_output=True, timeout=GIT_TIMEOUT_SECONDS,
                          env=git_env(), check=True)
    return done.stdout.decode("utf-8", "replace").strip()


def newest_main(checkout: Path, branch: str, *, fetch: bool = True) -> str:
    """The sha of ``origin/<branch>`` after a fetch, or of the checkout's HEAD when that is impossible."""
    if fetch:
        try:
            _git(checkout, "fetch", "-q", "--no-tags", "--depth=1", "origin",
                 f"+refs/heads/{branch}:refs/remotes/origin/{branch}")
            return _git(checkout, "rev-parse", "--verify", f"refs/remotes/origin/{branch}^{{commit}}")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pass
    return _git(checkout, "rev-parse", "--verify", "HEAD^{commit}")


def export_registry(checkout: Path, sha: str, destination: Path) -> None:
    """Write ``registry/`` as of ``sha`` below ``destination`` (our own repository's files only)."""
    done = subprocess.run(["git", "-C", str(checkout), "archive", "--format=tar", sha, "registry"],
                          capture_output=True, timeout=GIT_TIMEOUT_SECONDS, env=git_env(), check=True)
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
        archive.extractall(destination, filter="data")


def fetch_branches(checkout: Path, prefix: str) -> dict[str, str]:
    """Fetch every ``refs/heads/<prefix>*`` from origin; branch name -> sha (empty when the fetch fails)."""
    try:
        # Depth 2: each registry branch is one commit on a main commit, and the refresh compares that parent.
        _git(checkout, "fetch", "-q", "--no-tags", "--depth=2", "origin",
             f"+refs/heads/{prefix}*:refs/remotes/origin/{prefix}*")
        listing = _git(checkout, "for-each-ref", "--format=%(refname) %(objectname)",
                       f"refs/remotes/origin/{prefix}")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        return {}
    branches: dict[str, str] = {}
    for line in listing.splitlines():
        ref, _, sha = line.partition(" ")
        branches[ref.removeprefix("refs/remotes/origin/")] = sha
    return branches


def read_file(checkout: Path, sha: str, path: str) -> bytes | None:
    """The bytes of ``path`` at ``sha`` in the checkout, or ``None`` when it is not there."""
    done = subprocess.run(["git", "-C", str(checkout), "cat-file", "blob", f"{sha}:{path}"], capture_output=True,
                          timeout=GIT_TIMEOUT_SECONDS, env=git_env(), check=False)
    return done.stdout if done.returncode == 0 else None


def parent_of(checkout: Path, sha: str) -> str | None:
    try:
        return _git(checkout, "rev-parse", "--verify", f"{sha}^1")
    except subprocess.CalledProcessError:
        return None


@contextmanager
def main_snapshot(checkout: Path, branch: str, *, fetch: bool = True, sha: str | None = None) -> Iterator[Snapshot]:
    base = sha or newest_main(checkout, branch, fetch=fetch)
    with tempfile.TemporaryDirectory(prefix="wxreg-approval-") as temp:
        root = Path(temp)
        export_registry(checkout, base, root)
        yield Snapshot(base, root)
