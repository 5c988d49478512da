"""One registry PR per plugin, from one fixed branch, written through the forge's git data calls.

The branch ``registry/<plugin_id>`` always holds exactly one commit on top of a main commit: the
plugin's files and the regenerated ``registry.json``. Publishing again (a re-applied label, a new
version, a refresh after main moved) force-moves that branch and edits the PR that is open on it,
never a second PR. No git credentials are needed: blobs travel inline in the tree request.

API calls per publish (the open PRs were listed once by the caller): parent commit, tree, commit, ref
create (or read + move when the branch exists), PR create (or edit, skipped when unchanged).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from wxreg.forge.interface import Forge, Pull

BRANCH_PREFIX = "registry/"
COMMITTER_NAME = "wxreg"
COMMITTER_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"


def branch_name(plugin_id: str) -> str:
    return f"{BRANCH_PREFIX}{plugin_id}"


@dataclass(frozen=True)
class RegistryChange:
    plugin_id: str
    base_sha: str
    """The main commit the files were computed from."""
    files: Mapping[str, bytes | None]
    """Repository path -> new bytes, or ``None`` to delete the file."""
    title: str
    body: str
    message: str
    date: str | None = None
    """Author date of the commit (the event's time), for reproducible commits."""


@dataclass(frozen=True)
class PublishedPull:
    number: int
    url: str
    branch: str
    commit: str
    created: bool


class RegistryPublisher:
    def __init__(self, forge: Forge, *, base_branch: str = "main") -> None:
        self.forge = forge
        self.base_branch = base_branch

    def commit(self, change: RegistryChange) -> str:
        """A commit with ``change.files`` on top of ``change.base_sha``; its sha (3 API calls)."""
        author = (COMMITTER_NAME, COMMITTER_EMAIL) if change.date else None
        return self.forge.commit(change.base_sha, change.files, change.message, author=author, date=change.date)

    def publish(self, change: RegistryChange, open_pulls: Sequence[Pull]) -> PublishedPull:
        """Write the branch and open (or edit) its PR; ``open_pulls`` are the base's open PRs, listed once."""
        branch = branch_name(change.plugin_id)
        sha = self.commit(change)
        pull = next((p for p in open_pulls if p.head_ref == branch and p.head_repo == self.forge.repo), None)
        if pull is not None or not self.forge.create_branch(branch, sha):
            self.forge.move_branch(branch, sha)  # ours, always rebuilt from main (a closed PR's branch too)
        if pull is None:
            pull = self.forge.create_pull(self.base_branch, branch, change.title, change.body)
            created = True
        else:
            if pull.title != change.title or pull.body != change.body:
                self.forge.edit_pull(pull.number, title=change.title, body=change.body)
            created = False
        return PublishedPull(pull.number, pull.html_url, branch, sha, created)

    def refresh(self, pull: Pull, change: RegistryChange, *, expected_head: str) -> str | None:
        """Rebuild an open PR's branch on a newer main (3 + 2 API calls); the new head sha, or ``None`` when
        the branch moved since ``expected_head`` was read (a re-approval just wrote it: its build wins)."""
        sha = self.commit(change)
        return sha if self.forge.move_branch(pull.head_ref, sha, expected=expected_head) else None

    def commit_to_base(self, change: RegistryChange) -> str:
        """Commit ``change`` straight onto the base branch (the stats refresh): a fast-forward, never forced, so
        a base that moved meanwhile fails this run and the next one starts over (4 API calls)."""
        sha = self.commit(change)
        self.forge.move_branch(self.base_branch, sha, force=False)
        return sha
