"""An in-memory :class:`~wxreg.forge.interface.Forge` for fast unit tests of approval and review logic.

It keeps issues, comments, labels, roles, public members, pull requests and statuses in dictionaries,
and branches as ``name -> sha`` over commits that are file maps (``commit`` merges the parent's files
with the change). It can also lose the answer of its next writes (:meth:`FakeForge.lose_next`), the way
the REST stand-in's ``lose_response`` fault does, to test that callers never write twice.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from wxreg.forge.interface import Comment, Conditional, ForgeError, Issue, PagesSite, Protection, Pull, Role, Status


@dataclass
class FakeForge:
    repo: str = "wxauto/registry"
    bot_login: str = "github-actions[bot]"
    issues: dict[int, Issue] = field(default_factory=dict)
    comment_list: dict[int, list[Comment]] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    role_errors: dict[str, str] = field(default_factory=dict)
    """login -> why its role cannot be read (``role`` answers ``Role(None, why)``: fail closed)."""
    public_members: dict[str, set[str]] = field(default_factory=dict)
    unreadable_orgs: set[str] = field(default_factory=set)
    """Organisations whose membership cannot be read (``is_public_member`` answers ``None``)."""
    pulls: dict[int, Pull] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)
    commits: dict[str, dict[str, bytes]] = field(default_factory=dict)
    status_list: dict[str, list[Status]] = field(default_factory=dict)
    metadata: dict[str, object] = field(default_factory=dict)
    protection: dict[str, list[str]] = field(default_factory=dict)
    """Branch -> the status contexts a merge into it requires (405 without them)."""
    protection_strict: set[str] = field(default_factory=set)
    """Protected branches whose merges also need the head up to date ("require branches to be up to date")."""
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)
    """The repository's labels: name -> (colour, description)."""
    secrets: set[str] = field(default_factory=set)
    environment_secrets: dict[str, set[str]] = field(default_factory=dict)
    """Deployment environment -> the names of its secrets (an environment that exists has a key)."""
    variable_values: dict[str, str] = field(default_factory=dict)
    """The repository's Actions variables, name -> value."""
    pages_site: PagesSite | None = None
    private: bool = False
    dispatched: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    """Every call by name, in order: the fake's request log."""
    _lose: int = 0
    _next_id: int = 1

    def lose_next(self, times: int = 1) -> None:
        """The next ``times`` writes land, then raise as if their answer was lost (a 502)."""
        self._lose = times

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _landed(self) -> None:
        if self._lose > 0:
            self._lose -= 1
            raise ForgeError("HTTP 502: Bad Gateway (answer lost)", 502)

    # -- issues, comments, labels ------------------------------------------------------------------

    def add_issue(self, user: str, title: str, body: str, labels: frozenset[str] = frozenset()) -> int:
        number = self._id()
        self.issues[number] = Issue(number, title, body, user, labels, "open", f"https://forge/{self.repo}/{number}")
        return number

    def issue(self, number: int) -> Issue:
        self.calls.append("issue")
        if number not in self.issues:
            raise ForgeError("HTTP 404: Not Found", 404)
        return self.issues[number]

    def open_issues(self, label: str) -> list[Issue]:
        self.calls.append("open_issues")
        return [i for i in self.issues.values() if i.state == "open" and label in i.labels]

    def comments(self, number: int) -> list[Comment]:
        self.calls.append("comments")
        return list(self.comment_list.get(number, []))

    def add_comment_as(self, number: int, user: str, body: str) -> Comment:
        made = Comment(self._id(), user, body)
        self.comment_list.setdefault(number, []).append(made)
        return made

    def create_comment(self, number: int, body: str) -> Comment:
        self.calls.append("create_comment")
        made = self.add_comment_as(number, self.bot_login, body)
        try:
            self._landed()
        except ForgeError:
            landed = next((c for c in self.comments(number) if c.user == self.bot_login and c.body == body), None)
            if landed is not None:
                return landed
            raise
        return made

    def edit_comment(self, comment_id: int, body: str) -> None:
        self.calls.append("edit_comment")
        for items in self.comment_list.values():
            for index, comment in enumerate(items):
                if comment.id == comment_id:
                    items[index] = replace(comment, body=body)
                    return
        raise ForgeError("HTTP 404: Not Found", 404)

    def add_label(self, number: int, name: str) -> None:
        self.calls.append("add_label")
        self.issues[number] = replace(self.issues[number], labels=self.issues[number].labels | {name})

    def remove_label(self, number: int, name: str) -> None:
        self.calls.append("remove_label")
        self.issues[number] = replace(self.issues[number], labels=self.issues[number].labels - {name})

    def close_issue(self, number: int, reason: str) -> None:
        self.calls.append("close_issue")
        self.issues[number] = replace(self.issues[number], state="closed")

    def issues_with_label(self, label: str, state: str = "all") -> list[Issue]:
        self.calls.append("issues_with_label")
        return [i for i in self.issues.values() if label in i.labels and not i.is_pull_request
                and state in ("all", i.state)]

    def create_issue(self, title: str, body: str, labels: Sequence[str]) -> Issue:
        self.calls.append("create_issue")
        number = self.add_issue(self.bot_login, title, body, frozenset(labels))
        with contextlib.suppress(ForgeError):  # a lost answer: the issue landed, as the real forge finds it
            self._landed()
        return self.issues[number]

    def edit_issue(self, number: int, *, body: str) -> None:
        self.calls.append("edit_issue")
        self.issues[number] = replace(self.issues[number], body=body)

    # -- who -------------------------------------------------------------------------------------

    def role(self, login: str) -> Role:
        self.calls.append("role")
        if login in self.role_errors:
            return Role(None, self.role_errors[login])
        return Role(self.roles.get(login, "none" if login else None))

    def is_public_member(self, org: str, login: str) -> bool | None:
        self.calls.append("is_public_member")
        if org.casefold() in self.unreadable_orgs:
            return None
        return login.casefold() in {m.casefold() for m in self.public_members.get(org.casefold(), set())}

    # -- git data --------------------------------------------------------------------------------

    def file_at(self, ref: str, path: str) -> bytes | None:
        self.calls.append("file_at")
        return self.commits.get(self.branches.get(ref, ref), {}).get(path)

    def dispatch_workflow(self, workflow: str, ref: str, inputs: Mapping[str, str] | None = None) -> None:
        self.calls.append("dispatch_workflow")
        self.dispatched.append((workflow, ref, dict(inputs or {})))
        self._landed()

    def branch_sha(self, branch: str) -> str | None:
        self.calls.append("branch_sha")
        return self.branches.get(branch)

    def commit(self, parent: str, files: Mapping[str, bytes | None], message: str, *,
               author: tuple[str, str] | None = None, date: str | None = None) -> str:
        self.calls.append("commit")
        tree = dict(self.commits.get(parent, {}))
        for path, data in files.items():
            if data is None:
                tree.pop(path, None)
            else:
                tree[path] = data
        sha = hashlib.sha256(repr((parent, sorted(tree.items()), message, date)).encode()).hexdigest()[:40]
        self.commits[sha] = tree
        return sha

    def create_branch(self, branch: str, sha: str) -> bool:
        self.calls.append("create_branch")
        if branch in self.branches:
            return False
        self.branches[branch] = sha
        return True

    def move_branch(self, branch: str, sha: str, *, force: bool = True, expected: str | None = None) -> bool:
        self.calls.append("move_branch")
        if expected is not None and self.branches.get(branch) != expected:
            return False
        self.branches[branch] = sha
        for number, pull in self.pulls.items():
            if pull.head_ref == branch and pull.state == "open":
                self.pulls[number] = replace(pull, head_sha=sha)
        return True

    # -- pull requests and statuses --------------------------------------------------------------

    def open_pulls(self, base: str) -> list[Pull]:
        self.calls.append("open_pulls")
        return [p for p in self.pulls.values() if p.state == "open" and p.base_ref == base]

    def pull(self, number: int) -> Pull:
        self.calls.append("pull")
        return self.pulls[number]

    def create_pull(self, base: str, head: str, title: str, body: str) -> Pull:
        self.calls.append("create_pull")
        existing = next((p for p in self.open_pulls(base) if p.head_ref == head), None)
        if existing is not None:
            return existing
        number = self._id()
        made = Pull(number, f"https://forge/{self.repo}/pull/{number}", title, body, self.bot_login, head,
                    self.branches.get(head, ""), self.repo, base)
        self.pulls[number] = made
        self.issues[number] = Issue(number, title, body, self.bot_login, frozenset(), "open", made.html_url, True)
        try:
            self._landed()
        except ForgeError:
            landed = next((p for p in self.open_pulls(base) if p.head_ref == head), None)
            if landed is not None:
                return landed
            raise
        return made

    def edit_pull(self, number: int, *, title: str, body: str) -> None:
        self.calls.append("edit_pull")
        self.pulls[number] = replace(self.pulls[number], title=title, body=body)

    def close_pull(self, number: int) -> None:
        self.calls.append("close_pull")
        self.pulls[number] = replace(self.pulls[number], state="closed")

    def set_status(self, sha: str, status: Status) -> None:
        self.calls.append("set_status")
        self.status_list.setdefault(sha, []).append(status)

    def statuses(self, sha: str) -> Sequence[Status]:
        self.calls.append("statuses")
        newest: dict[str, Status] = {}
        for status in self.status_list.get(sha, []):
            newest[status.context] = status
        return list(newest.values())

    def merge_pull(self, number: int, sha: str, title: str) -> None:
        self.calls.append("merge_pull")
        pull = self.pulls[number]
        if pull.state != "open":
            raise ForgeError("HTTP 405: Pull Request is not mergeable", 405)
        if pull.head_sha != sha:
            raise ForgeError("HTTP 409: Head branch was modified", 409)
        newest = {s.context: s.state for s in self.status_list.get(sha, [])}
        missing = [c for c in self.protection.get(pull.base_ref, []) if newest.get(c) != "success"]
        if missing:
            raise ForgeError(f'HTTP 405: Required status check "{missing[0]}" is expected.', 405)
        self.branches[pull.base_ref] = self.commit(self.branches.get(pull.base_ref, ""),
                                                   self.commits.get(sha, {}), title)
        self.pulls[number] = replace(pull, state="closed")

    # -- repository metadata ---------------------------------------------------------------------

    def get_conditional(self, url: str, etag: str | None) -> Conditional:
        self.calls.append("get_conditional")
        data = self.metadata.get(url)
        tag = hashlib.sha256(repr(data).encode()).hexdigest()[:16]
        return Conditional(None, etag) if etag == tag else Conditional(data, tag)

    # -- repository settings ---------------------------------------------------------------------

    def label_names(self) -> frozenset[str]:
        self.calls.append("label_names")
        return frozenset(self.labels)

    def create_label(self, name: str, color: str, description: str) -> None:
        self.calls.append("create_label")
        self.labels.setdefault(name, (color, description))
        self._landed()

    def secret_names(self, environment: str | None = None) -> frozenset[str] | None:
        self.calls.append("secret_names")
        if environment is None:
            return frozenset(self.secrets)
        names = self.environment_secrets.get(environment)
        return None if names is None else frozenset(names)

    def variables(self) -> Mapping[str, str]:
        self.calls.append("variables")
        return dict(self.variable_values)

    def pages(self) -> PagesSite | None:
        self.calls.append("pages")
        return self.pages_site

    def is_private(self) -> bool:
        self.calls.append("is_private")
        return self.private

    def branch_protection(self, branch: str) -> Protection | None:
        self.calls.append("branch_protection")
        if branch not in self.protection:
            return None
        return Protection(frozenset(self.protection[branch]), branch in self.protection_strict)
