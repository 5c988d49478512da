"""Problems found in registry sources, and the exception that carries them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, precise enough to fix without reading code.

    ``file`` is a POSIX path relative to the repository root; ``pointer`` is an RFC 6901 JSON pointer
    into that file ("" for the whole document); ``message`` is bilingual, Simplified Chinese first.
    """

    file: str
    pointer: str
    message: str
    hint: str

    def __str__(self) -> str:
        return f"{self.file}#{self.pointer}: {self.message}\n    修复 / fix: {self.hint}"


class RegistryError(Exception):
    """Registry sources that cannot be built or stored; ``problems`` says why."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class ModelError(ValueError):
    """A document does not fit a model: a missing, unknown or mistyped key at ``pointer``."""

    def __init__(self, pointer: str, message: str) -> None:
        self.pointer = pointer
        super().__init__(f"{pointer or '/'}: {message}")


def json_pointer(parts: Iterable[str | int]) -> str:
    """RFC 6901 pointer for a path of keys and indexes."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)
