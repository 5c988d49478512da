"""Reading a commit's tree with git plumbing only, shared by the content digest and the review's source.

``ls-tree -r -l -z --full-tree`` lists every entry; one ``cat-file --batch`` reads every blob (one process,
not one per file). The caller runs git (with whatever hardening it needs) and passes the output here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    kind: str
    """``blob``, ``tree`` or ``commit`` (a submodule)."""
    sha: str
    size: int | None
    """Blob size with ``ls-tree -l``; ``None`` without it or for non-blobs."""
    raw_name: bytes


def parse_ls_tree(listing: bytes) -> list[TreeEntry]:
    """Entries of ``git ls-tree -r -z [-l]`` output."""
    entries: list[TreeEntry] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, raw_name = record.partition(b"\t")
        fields = meta.decode("ascii").split()
        mode, kind, sha = fields[0], fields[1], fields[2]
        size = int(fields[3]) if len(fields) > 3 and fields[3].isdigit() else None
        entries.append(TreeEntry(mode, kind, sha, size, raw_name))
    return entries


def cat_file_request(shas: list[str]) -> bytes:
    return "".join(f"{sha}\n" for sha in shas).encode("ascii")


def parse_cat_file_batch(out: bytes, shas: list[str]) -> dict[str, bytes]:
    """Blob contents by sha from ``git cat-file --batch`` output for ``shas`` (in request order).

    :class:`KeyError` names a sha git reported missing.
    """
    blobs: dict[str, bytes] = {}
    pos = 0
    for sha in shas:
        header_end = out.index(b"\n", pos)
        header = out[pos:header_end].split(b" ")
        if len(header) != 3:
            raise KeyError(sha)
        size = int(header[2])
        start = header_end + 1
        blobs[sha] = out[start : start + size]
        pos = start + size + 1
    return blobs
