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
    blobs: list[tuple[str, str]] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, kind, sha = meta.decode("ascii").split(" ")
        if kind == "blob" and mode in ("100644", "100755"):
            blobs.append((name.decode("utf-8", "surrogateescape"), sha))
    if not blobs:
        return dirhash([])
    # One `git cat-file --batch` process for all blobs: one fork, not one per file.
    request = "".join(f"{sha}\n" for _, sha in blobs).encode("ascii")
    out = subprocess.run(
        ["git", "-C", str(git_dir), "cat-file", "--batch"], input=request, check=True, capture_output=True
    ).stdout
    contents: list[bytes] = []
    pos = 0
    for _ in blobs:
        header_end = out.index(b"\n", pos)
        size = int(out[pos:header_end].split(b" ")[2])
        start = header_end + 1
        contents.append(out[start : start + size])
        pos = start + size + 1
    return dirhash((name, data) for (name, _), data in zip(blobs, contents, strict=True))
