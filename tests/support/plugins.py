"""Plugin repositories for tests and benchmarks: real git repositories in temporary folders.

Nothing here reaches the internet (the OSV stand-in is the sandbox's, ``wxsandbox.osv``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
GOOD_PLUGIN = REPO_ROOT / "tests" / "fixtures" / "plugins" / "good-plugin"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Plugin Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Plugin Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env
    ).stdout.strip()


def make_repo(
    path: Path,
    files: Mapping[str, str | bytes] | None = None,
    *,
    base: Path | None = GOOD_PLUGIN,
    tag: str | None = "v1.0.0",
    remove: tuple[str, ...] = (),
) -> Path:
    """A real git repository at ``path``: ``base`` copied, ``files`` written over it, committed, tagged."""
    path.mkdir(parents=True, exist_ok=True)
    if base is not None:
        shutil.copytree(base, path, dirs_exist_ok=True)
    for name in remove:
        target = path / name
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()
    for name, content in (files or {}).items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    git(path, "init", "-q", "-b", "main")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "plugin")
    if tag:
        git(path, "tag", tag)
    return path


def edit_manifest(base: Path = GOOD_PLUGIN, **changes: Any) -> str:
    manifest = json.loads((base / "plugin.json").read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            manifest.pop(key, None)
        else:
            manifest[key] = value
    return json.dumps(manifest, ensure_ascii=False, indent=2)


def publish(root: Path, work: Path, owner: str = "author", name: str = "plugin") -> Path:
    bare = root / owner / f"{name}.git"
    bare.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True, env={**os.environ, **GIT_ENV})
    return bare
