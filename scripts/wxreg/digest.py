"""Content digest of a file tree, independent of archive bytes.

Modelled on Go's module ``dirhash`` Hash1: SHA-256 over the sorted lines
``"<sha256 hex of file>  <path>\\n"``, base64-encoded and prefixed ``h1:``.
GitHub's generated archives are not byte-stable, so we pin content, not archives.
"""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from wxreg.gittree import cat_file_request, parse_cat_file_batch, parse_ls_tree

DIGEST_PATTERN = re.compile(r"^h1:[A-Za-z0-9+/]{43}=$")


class DigestError(ValueError):
    """A tree cannot be digested (a path that could make two trees look alike)."""


def dirhash(files: Iterable[tuple[str, bytes]]) -> str:
    """Digest ``(posix relative path, content)`` pairs; order of the input does not matter."""
    lines: list[str] = []
    seen: set[str] = set()
    for path, content in files:
        if "\n" in path or path.startswith("/") or path in seen:
            raise DigestError(f"路径不可用于摘要 / path cannot be digested: {path!r}")
        seen.add(path)
        lines.append(f"{hashlib.sha256(content).hexdigest()}  {path}\n")
    lines.sort()
    summary = hashlib.sha256("".join(lines).encode("utf-8")).digest()
    return "h1:" + base64.b64encode(summary).decode("ascii")


def dirhash_directory(root: Path) -> str:
    """Digest every regular file below ``root`` (links and the ``.git`` folder are skipped)."""

    def walk() -> Iterable[tuple[str, bytes]]:
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root)
            if rel.parts[0] == ".git" or path.is_symlink() or not path.is_file():
                continue
            yield rel.as_posix(), path.read_bytes()

    return dirhash(walk())


def dirhash_git_commit(git_dir: Path, commit: str) -> str:
    """Digest the blobs of ``commit`` in a local repository without checking it out.

    Symbolic links and submodules are not files of the plugin and are left out, exactly as
    :func:`dirhash_directory` leaves them out of a checkout.
    """
    listing = subprocess.run(
        ["git", "-C", str(git_dir), "ls-tree", "-r", "-z", "--full-tree", commit],
        check=True,
        capture_output=True,
    ).stdout
    blobs = [
        (entry.raw_name.decode("utf-8", "surrogateescape"), entry.sha)
        for entry in parse_ls_tree(listing)
        if entry.kind == "blob" and entry.mode in ("100644", "100755")
    ]
    if not blobs:
        return dirhash([])
    # One `git cat-file --batch` process for all blobs: one fork, not one per file.
    shas = [sha for _, sha in blobs]
    out = subprocess.run(
        ["git", "-C", str(git_dir), "cat-file", "--batch"],
        input=cat_file_request(shas),
        check=True,
        capture_output=True,
    ).stdout
    contents = parse_cat_file_batch(out, shas)
    return dirhash((name, contents[sha]) for name, sha in blobs)
