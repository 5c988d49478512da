"""One registry PR per plugin, from one fixed branch, written through the git data API.

The branch ``registry/<plugin_id>`` always holds exactly one commit on top of a main commit: the
plugin's files and the regenerated ``registry.json``. Publishing again (a re-applied label, a new
version, a refresh after main moved) force-moves that branch and edits the PR that is open on it,
never a second PR. No git credentials are needed: blobs travel inline in the tree request.

API calls per publish: parent commit, tree, commit, open PRs for the branch, ref create or move (2 when
a stale branch exists without a PR), PR create (or edit, skipped when unchanged).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from github import GithubException, InputGitAuthor, InputGitTreeElement
from github.PullRequest import PullRequest
from github.Repository import Repository

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
    def __init__(self, repo: Repository, *, owner: str, base_branch: str = "main") -> None:
        self.repo = repo
        self.owner = owner
        self.base_branch = base_branch

    def open_pull(self, plugin_id: str) -> PullRequest | None:
        branch = branch_name(plugin_id)
        pulls = list(self.repo.get_pulls(state="open", head=f"{self.owner}:{branch}", base=self.base_branch))
        return pulls[0] if pulls else None

    def commit(self, change: RegistryChange) -> str:
        """A commit with ``change.files`` on top of ``change.base_sha``; its sha (3 API calls)."""
        parent = self.repo.get_git_commit(change.base_sha)
        elements = [
            InputGitTreeElement(path, "100644", "blob", sha=None) if data is None
            else InputGitTreeElement(path, "100644", "blob", content=data.decode("utf-8"))
            for path, data in sorted(change.files.items())
        ]
        tree = self.repo.create_git_tree(elements, parent.tree)
        if change.date:
            author = InputGitAuthor(COMMITTER_NAME, COMMITTER_EMAIL, change.date)
            created = self.repo.create_git_commit(change.message, tree, [parent], author=author, committer=author)
        else:
            created = self.repo.create_git_commit(change.message, tree, [parent])
        return str(created.sha)

    def move_branch(self, branch: str, sha: str, *, exists: bool) -> None:
        """Point ``branch`` at ``sha`` (force: the branch is ours and always rebuilt from main)."""
        if not exists:
            try:
                self.repo.create_git_ref(f"refs/heads/{branch}", sha)
                return
            except GithubException as exc:
                if exc.status != 422:  # 422: it exists (a closed PR's branch); move it below
                    raise
        self._edit_ref(branch, sha)

    def _edit_ref(self, branch: str, sha: str, *, force: bool = True, expected: str | None = None) -> bool:
        """Move ``branch`` to ``sha``; ``False`` (nothing done) when it no longer points at ``expected``."""
        ref = self.repo.get_git_ref(f"heads/{branch}")
        # Read it first even from a lazy client: PyGithub's lazy ref points at GET-only ``git/ref/``; the
        # answer carries the ``git/refs/`` URL that PATCH needs.
        current = ref.object.sha
        if expected is not None and current != expected:
            return False
        if current != sha:
            ref.edit(sha, force=force)
        return True

    def publish(self, change: RegistryChange) -> PublishedPull:
        branch = branch_name(change.plugin_id)
        sha = self.commit(change)
        pull = self.open_pull(change.plugin_id)
        self.move_branch(branch, sha, exists=pull is not None)
        if pull is None:
            pull = self.repo.create_pull(base=self.base_branch, head=branch, title=change.title, body=change.body,
                                         maintainer_can_modify=True)
            created = True
        else:
            if pull.title != change.title or (pull.body or "") != change.body:
                pull.edit(title=change.title, body=change.body)
            created = False
        return PublishedPull(int(pull.number), str(pull.html_url), branch, sha, created)

    def refresh(self, pull: PullRequest, change: RegistryChange, *, expected_head: str) -> str | None:
        """Rebuild an open PR's branch on a newer main (3 + 2 API calls); the new head sha, or ``None`` when
        the branch moved since ``expected_head`` was read (a re-approval just wrote it: its build wins)."""
        sha = self.commit(change)
        return sha if self._edit_ref(pull.head.ref, sha, expected=expected_head) else None

    def commit_to_base(self, change: RegistryChange) -> str:
        """Commit ``change`` straight onto the base branch (the stats refresh): a fast-forward, never forced, so
        a base that moved meanwhile fails this run and the next one starts over (4 API calls)."""
        sha = self.commit(change)
        self._edit_ref(self.base_branch, sha, force=False)
        return sha
