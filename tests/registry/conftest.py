"""Shared fixtures: a private copy of the example registry for every test that changes files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_ROOT = REPO_ROOT / "tests" / "fixtures" / "registry-example"
BROKEN_DIR = Path(__file__).resolve().parent / "broken"


@pytest.fixture
def example_root(tmp_path: Path) -> Path:
    """A writable copy of ``tests/fixtures/registry-example`` (a repository root holding ``registry/``)."""
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE_ROOT, root)
    return root
