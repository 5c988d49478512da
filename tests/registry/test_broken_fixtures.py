"""Every broken fixture in ``broken/`` makes ``wxreg validate`` fail, naming the file and the pointer.

A fixture is a JSON file: ``ops`` turn a copy of the valid example registry into a broken one,
``expect`` is the ``[file, pointer]`` a maintainer must be pointed at.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from wxreg.cli import main
from wxreg.validate import validate_registry

BROKEN_DIR = Path(__file__).resolve().parent / "broken"

CASES = sorted(BROKEN_DIR.glob("*.json"))


def _walk(document: Any, pointer: str) -> tuple[Any, str | int]:
    parts = [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]
    parent = document
    for part in parts[:-1]:
        parent = parent[int(part)] if isinstance(parent, list) else parent[part]
    last = parts[-1]
    return parent, int(last) if isinstance(parent, list) else last


def apply_ops(root: Path, ops: list[dict[str, Any]]) -> None:
    for op in ops:
        ((kind, args),) = op.items()
        if kind in ("set", "remove"):
            path = root / args[0]
            document = json.loads(path.read_text(encoding="utf-8"))
            parent, key = _walk(document, args[1])
            if kind == "set":
                parent[key] = args[2]
            else:
                del parent[key]
            path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        elif kind == "copy":
            shutil.copyfile(root / args[0], root / args[1])
        elif kind == "move":
            (root / args[0]).rename(root / args[1])
        elif kind == "write":
            (root / args[0]).write_text(args[1], encoding="utf-8")
        elif kind == "delete":
            (root / args[0]).unlink()
        else:
            raise AssertionError(f"unknown op {kind}")


def test_there_are_at_least_fifteen_broken_fixtures() -> None:
    assert len(CASES) >= 15


def test_the_example_registry_is_valid(example_root: Path) -> None:
    assert validate_registry(example_root) == []


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_broken_fixture_is_rejected_with_file_and_pointer(
    case: Path, example_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = json.loads(case.read_text(encoding="utf-8"))
    apply_ops(example_root, spec["ops"])
    file, pointer = spec["expect"]
    problems = validate_registry(example_root)
    assert (file, pointer) in {(problem.file, problem.pointer) for problem in problems}, problems
    for problem in problems:
        assert " / " in problem.message and problem.hint, problem  # bilingual, with a fix

    assert main(["validate", "--root", str(example_root)]) == 1
    err = capsys.readouterr().err
    assert f"{file}#{pointer}:" in err


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_build_refuses_broken_sources(case: Path, example_root: Path) -> None:
    spec = json.loads(case.read_text(encoding="utf-8"))
    if spec["expect"][0] == "registry/registry.json":
        pytest.skip("only the generated file is broken; the sources build")
    apply_ops(example_root, spec["ops"])
    before = (example_root / "registry" / "registry.json").read_bytes()
    assert main(["build", "--root", str(example_root)]) == 1
    assert (example_root / "registry" / "registry.json").read_bytes() == before
