"""A signed registry on the GitHub and Gitee stand-ins, with keys generated for the test (never committed)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from securesystemslib.signer import CryptoSigner

from wxreg.consumer import Marketplace, RegistrySource
from wxreg.store import RegistryStore
from wxreg.tuf_repo import TufRepository, generate_key
from wxsandbox.gitee import GiteeStandIn
from wxsandbox.github import GitHubStandIn

REPO = "wxauto/registry"
EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "registry-example"


@dataclass
class SignedHosts:
    """The maintainers' checkout (``tree``), its keys, and the two hosts serving it."""

    tmp: Path
    github: GitHubStandIn
    gitee: GiteeStandIn
    tree: Path
    root_keys: list[CryptoSigner]
    online: CryptoSigner
    trusted_root: bytes
    saved: int = field(default=0)

    @property
    def repo(self) -> TufRepository:
        return TufRepository(self.tree)

    def sources(self) -> list[RegistrySource]:
        return [RegistrySource("GitHub", f"{self.github.raw_url}/{REPO}/main/registry/registry.json", 1),
                RegistrySource("Gitee", self.gitee.raw_file_url(REPO, "main", "registry/registry.json"), 2)]

    def market(self, name: str = "client", *, verified: bool = True) -> Marketplace:
        return Marketplace(self.sources(), self.tmp / name, timeout=2.0,
                           trusted_root=self.trusted_root if verified else None)

    def copy(self) -> Path:
        """A copy of the tree as it is now (what a stale or hostile mirror can replay later)."""
        self.saved += 1
        target = self.tmp / f"state-{self.saved}"
        shutil.copytree(self.tree, target)
        return target

    def edit_plugin(self, text: str, now: datetime | None = None) -> None:
        """A maintainer changes a listing and the signing job signs it."""
        path = self.tree / "registry" / "plugins" / "weather_query.json"
        entry = json.loads(path.read_text("utf-8"))
        entry["short_description"] = text
        path.write_text(json.dumps(entry, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        RegistryStore(self.tree).write()
        self.repo.sign(self.online, now or datetime.now(UTC))

    def publish(self, *, github: bool = True, gitee: bool = True) -> None:
        if github:
            self.github.push_directory(REPO, self.tree)
        if gitee:
            self.serve_on_gitee(self.tree)

    def serve_on_gitee(self, tree: Path) -> None:
        """The mirror serves ``tree``: an honest copy, or attacker bytes."""
        self.gitee.push_directory(REPO, tree)


def signed_tree(target: Path, root_keys: list[CryptoSigner], online: CryptoSigner, now: datetime) -> Path:
    shutil.copytree(EXAMPLE, target)
    TufRepository(target).init(root_keys, 1, online, now)
    return target


@pytest.fixture
def signed(tmp_path: Path) -> Iterator[SignedHosts]:
    root_keys, online = [generate_key()], generate_key()
    tree = signed_tree(tmp_path / "tree", root_keys, online, datetime.now(UTC))
    with GitHubStandIn(tmp_path / "github") as github, GiteeStandIn(tmp_path / "gitee") as gitee:
        github.add_user("wxauto")
        github.create_repo("wxauto", "registry")
        gitee.create_repo("wxauto", "registry", default_branch="main")
        hosts = SignedHosts(tmp_path, github, gitee, tree, root_keys, online,
                            (tree / "registry" / "metadata" / "root.json").read_bytes())
        hosts.publish()
        yield hosts
