"""The repository stands alone: no tracked file cites a document that lives outside it.

Facts from elsewhere are carried into the repository's own docs (``SECURITY.md §N``), so a reader of a
clone can follow every reference. The pattern is built from parts so this file does not match itself.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = re.compile("|".join([
    "FIELD" + r"[-_ ]?NOTES",     # the engineers' notes, which are not part of this repository
    r"\.\./" + "shared",           # a sibling directory of the checkout
    r"/work/" + r"(?:shared|main|wt)\b",  # the development machine's own paths
]), re.IGNORECASE)


def tracked_text_files() -> list[Path]:
    names = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], check=True, capture_output=True).stdout
    return [ROOT / name for name in names.decode("utf-8").split("\0") if name]


def test_no_tracked_file_cites_a_document_outside_the_repository() -> None:
    found: list[str] = []
    for path in tracked_text_files():
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary fixtures
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert not found, "cite SECURITY.md §N (or carry the fact into the docs) instead:\n" + "\n".join(found)


def test_the_pattern_catches_each_kind_of_citation() -> None:
    for line in ["see FIELD" + "-NOTES §3", "field_" + "notes.md", "../" + "shared/x.md", "/work/" + "shared/x"]:
        assert OUTSIDE.search(line), line
    assert not OUTSIDE.search("shared parsed ASTs in the review context; SECURITY.md §3")


def test_pygithub_is_imported_only_by_the_forge_implementation() -> None:
    """Approval, review and lifecycle code talk to GitHub through ``wxreg.forge.interface.Forge``."""
    importing = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "scripts" / "wxreg").rglob("*.py")
                       if re.search(r"^\s*(?:from github\b|import github\b)", path.read_text(encoding="utf-8"), re.M))
    assert importing == ["scripts/wxreg/forge/github.py"]
