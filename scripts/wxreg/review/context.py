"""What every check receives, and the one interface every check implements."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from wxreg.config import REPO_ROOT
from wxreg.review.code import CodeIndex
from wxreg.review.findings import Finding
from wxreg.review.policy import ReviewPolicy
from wxreg.review.source import PluginTree
from wxreg.review.submission import Submission

if TYPE_CHECKING:
    from wxreg.models import Tombstone

DATA_DIR = Path(__file__).resolve().parent / "data"


class RegistryReadError(ValueError):
    """The registry's own files cannot be read: identity cannot be checked, so the check fails."""


@dataclass(frozen=True)
class ListedPlugin:
    plugin_id: str
    name: str
    repo_url: str
    release_tag: str | None = None
    release_commit: str | None = None
    """The release the registry pinned (``release.tag`` / ``release.commit``), when it has one."""


@dataclass(frozen=True)
class RegistryIndex:
    listed: tuple[ListedPlugin, ...] = ()
    removed: tuple[Tombstone, ...] = ()

    def listed_by_id(self, plugin_id: str) -> ListedPlugin | None:
        return next((p for p in self.listed if p.plugin_id == plugin_id), None)


def load_registry_index(registry_dir: Path) -> RegistryIndex:
    """Listed plugins (``plugins/<id>.json``) and tombstones (``removed.json``) below ``registry_dir``.

    Read straight from the JSON files so the review does not depend on the registry core's API.
    A missing folder or file means "none"; a malformed one raises :class:`RegistryReadError`.
    """
    listed: list[ListedPlugin] = []
    plugins_dir = registry_dir / "plugins"
    for path in sorted(plugins_dir.glob("*.json")) if plugins_dir.is_dir() else []:
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            repo = entry.get("repository", {}).get("primary", {}) or {}
            release = entry.get("release") if isinstance(entry.get("release"), dict) else {}
            listed.append(
                ListedPlugin(
                    str(entry["plugin_id"]),
                    str(entry.get("name", "")),
                    str(repo.get("url", "")),
                    str(release["tag"]) if release.get("tag") else None,
                    str(release["commit"]) if release.get("commit") else None,
                )
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise RegistryReadError(f"{path}: {exc}") from exc
    removed: list[Tombstone] = []
    removed_path = registry_dir / "removed.json"
    if removed_path.exists():
        from wxreg.models import Tombstone

        # The registry's own model of a tombstone (keys and types checked), not a private copy of it.
        try:
            data: Any = json.loads(removed_path.read_text(encoding="utf-8"))
            if not isinstance(data, list):
                raise TypeError("removed.json holds no list of tombstones")
            removed = [Tombstone.from_dict(item, f"/{index}") for index, item in enumerate(data)]
        except (OSError, ValueError, TypeError) as exc:  # ModelError is a ValueError
            raise RegistryReadError(f"{removed_path}: {exc}") from exc
    return RegistryIndex(tuple(listed), tuple(removed))


@dataclass(frozen=True)
class ToolConfig:
    """How the external scanners are run: bandit (and GuardDog when on) as subprocesses of ``python`` on files
    we wrote, pip-audit's OSV service in this interpreter on the pins we parsed; never on plugin code."""

    python: str = sys.executable
    osv_url: str | None = None
    """pip-audit's ``--osv-url``; ``None`` means OSV's public API."""
    pypi_url: str = field(default_factory=lambda: os.environ.get("WXREG_PYPI_URL") or "https://pypi.org")
    """The package index whose JSON API (``/pypi/<name>/<version>/json``) says a pinned release exists
    (``WXREG_PYPI_URL``; a fork may use a mirror that serves the same API)."""
    bandit_config: Path = DATA_DIR / "bandit.yaml"
    bandit_ini: Path = DATA_DIR / "bandit.ini"
    timeout_seconds: float = 120.0
    network_timeout_seconds: int = 15


@dataclass(frozen=True)
class OwnershipFacts:
    """What the forge says about the submitter and the repository (wired to GitHub by ``github.py``)."""

    submitter: str
    repo_owner: str
    permission: str | None
    """``role_name`` of the submitter on the repository: admin, maintain, write, triage, read, or ``None``."""
    error: str | None = None
    public_member: bool = False
    """The submitter is a public member of the organisation that owns the repository."""


class OwnershipOracle(Protocol):
    def facts(self, submission: Submission, submitter: str) -> OwnershipFacts: ...


@dataclass(frozen=True)
class ReviewContext:
    submission: Submission
    tree: PluginTree
    policy: ReviewPolicy
    tools: ToolConfig
    workdir: Path
    """Scratch space for the scanners; the tree is written here as plain files when a check needs it."""
    registry_dir: Path = REPO_ROOT / "registry"
    ownership: OwnershipFacts | None = None
    manifest: Mapping[str, Any] | None = field(default=None)
    """``plugin.json`` when it is a JSON object, else ``None`` (the manifest check says why)."""
    ownership_required: bool = False
    """GitHub mode: missing ownership facts fail the check (offline reviews skip it)."""
    is_url: bool = False
    """The plugin was fetched from a forge URL (so repository identity can be compared)."""

    @property
    def code(self) -> CodeIndex:
        """The plugin's code files, decoded and parsed once, shared by every check."""
        return self.tree.code

    def registry_index(self) -> RegistryIndex:
        """The registry's listed and removed plugins, read once per review for every check that needs them
        (raises :class:`RegistryReadError` for a malformed registry, to each caller)."""
        return self.code.memo(f"registry-index:{self.registry_dir}", lambda: load_registry_index(self.registry_dir))


class Check(Protocol):
    """One concern of the review. Returns findings; a raised exception is turned into a failed check."""

    @property
    def name(self) -> str: ...

    def run(self, ctx: ReviewContext) -> Iterable[Finding]: ...
