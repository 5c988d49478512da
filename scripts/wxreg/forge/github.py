"""The :class:`~wxreg.forge.interface.Forge` on GitHub (and the sandbox's stand-in), through PyGithub.

The only module that imports PyGithub. The client is built once per forge object. PyGithub's default
retry also repeats POSTs after a read timeout or a 5xx, which duplicates a comment whose answer was
lost; here only idempotent methods are retried, and a create whose answer was lost is looked up
before it is written again (a comment by the bot with the same body; a PR by its head branch).

PyGithub also pauses between requests (0.25 s) and between writes (1 s), as GitHub asks of integrations
(secondary rate limits). ``WXREG_GITHUB_PACING=off`` in the environment drops those pauses and keeps the
retries: for a forge with no such limits, such as the sandbox's stand-in, whose workflow runs set it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import requests
from github import Auth, Github, GithubException, InputGitAuthor, InputGitTreeElement
from github.GithubRetry import GithubRetry
from github.Issue import Issue as GhIssue
from github.PullRequest import PullRequest as GhPull
from github.Repository import Repository
from urllib3.util.retry import Retry

from wxreg.forge.config import GitHubConfig
from wxreg.forge.interface import (
    Comment,
    Conditional,
    ForgeError,
    Issue,
    PagesSite,
    Protection,
    Pull,
    Role,
    Status,
)

T = TypeVar("T")
IDEMPOTENT_METHODS = Retry.DEFAULT_ALLOWED_METHODS
"""GET, HEAD, PUT, DELETE, OPTIONS, TRACE: never POST or PATCH."""


def _lost(exc: BaseException) -> bool:
    """The request may have landed but its answer did not arrive (5xx, timeout, dropped connection)."""
    if isinstance(exc, GithubException):
        return exc.status >= 500
    return isinstance(exc, requests.exceptions.RequestException | OSError)


def _guard(call: Callable[[], T]) -> T:
    try:
        return call()
    except GithubException as exc:
        raise ForgeError(f"HTTP {exc.status}: {exc.data}", exc.status) from exc
    except (requests.exceptions.RequestException, OSError, ValueError) as exc:
        raise ForgeError(f"{type(exc).__name__}: {exc}") from exc


PACING_ENV = "WXREG_GITHUB_PACING"


def make_client(config: GitHubConfig) -> Github:
    kwargs: dict[str, Any] = {"base_url": config.api_url, "auth": Auth.Token(config.token) if config.token else None}
    if config.throttle:
        kwargs["retry"] = GithubRetry(total=10, allowed_methods=IDEMPOTENT_METHODS)
        if os.environ.get(PACING_ENV) == "off":
            kwargs.update(seconds_between_requests=None, seconds_between_writes=None)
    else:
        kwargs.update(retry=None, seconds_between_requests=None, seconds_between_writes=None)
    return Github(**kwargs)


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _issue(item: GhIssue) -> Issue:
    return Issue(int(item.number), str(item.title or ""), str(item.body or ""), str(item.user.login),
                 frozenset(str(label.name) for label in item.labels), str(item.state), str(item.html_url),
                 item.pull_request is not None, _when(item.created_at), _when(item.closed_at))


def _pull(item: GhPull) -> Pull:
    head_repo = item.head.repo.full_name if item.head.repo is not None else ""
    return Pull(int(item.number), str(item.html_url), str(item.title or ""), str(item.body or ""),
                str(item.user.login), str(item.head.ref), str(item.head.sha), str(head_repo), str(item.base.ref),
                str(item.state))


class GitHubForge:
    def __init__(self, config: GitHubConfig, client: Github | None = None) -> None:
        self.config = config
        self.client = client or make_client(config)
        self._repo: Repository = self.client.withLazy(True).get_repo(config.repo)
        self._bot = config.bot_login

    @property
    def repo(self) -> str:
        return self.config.repo

    @property
    def api_url(self) -> str:
        return self.config.api_url.rstrip("/")

    @property
    def bot_login(self) -> str:
        if self._bot is None:
            self._bot = _guard(lambda: str(self.client.get_user().login))
        return self._bot

    # -- issues, comments, labels ------------------------------------------------------------------

    def _gh_issue(self, number: int) -> GhIssue:
        return self._repo.get_issue(number)  # lazy: a URL holder until an attribute is read

    def issue(self, number: int) -> Issue:
        return _guard(lambda: _issue(self._gh_issue(number)))

    def open_issues(self, label: str) -> list[Issue]:
        return _guard(lambda: [_issue(i) for i in self._repo.get_issues(state="open", labels=[label])])

    def comments(self, number: int) -> list[Comment]:
        return _guard(lambda: [Comment(int(c.id), str(c.user.login), str(c.body or ""))
                               for c in self._gh_issue(number).get_comments()])

    def create_comment(self, number: int, body: str) -> Comment:
        issue = self._gh_issue(number)
        try:
            made = issue.create_comment(body)
            return Comment(int(made.id), self.bot_login, body)
        except Exception as exc:
            if not _lost(exc):
                raise ForgeError(str(exc), getattr(exc, "status", None)) from exc
        landed = next((c for c in self.comments(number)
                       if c.user == self.bot_login and c.body.strip() == body.strip()), None)
        if landed is not None:
            return landed
        made = _guard(lambda: issue.create_comment(body))
        return Comment(int(made.id), self.bot_login, body)

    def edit_comment(self, comment_id: int, body: str) -> None:
        url = f"{self._repo.url}/issues/comments/{comment_id}"
        _guard(lambda: self.client.requester.requestJsonAndCheck("PATCH", url, input={"body": body}))

    def add_label(self, number: int, name: str) -> None:
        # Adding a label twice leaves one label: a retry after a lost answer is harmless.
        try:
            self._gh_issue(number).add_to_labels(name)
        except Exception as exc:
            if not _lost(exc):
                raise ForgeError(str(exc), getattr(exc, "status", None)) from exc
            _guard(lambda: self._gh_issue(number).add_to_labels(name))

    def remove_label(self, number: int, name: str) -> None:
        try:
            self._gh_issue(number).remove_from_labels(name)
        except GithubException as exc:
            if exc.status != 404:
                raise ForgeError(f"HTTP {exc.status}: {exc.data}", exc.status) from exc

    def close_issue(self, number: int, reason: str) -> None:
        _guard(lambda: self._gh_issue(number).edit(state="closed", state_reason=reason))

    def issues_with_label(self, label: str, state: str = "all") -> list[Issue]:
        return _guard(lambda: [_issue(i) for i in self._repo.get_issues(state=state, labels=[label])
                               if i.pull_request is None])

    def create_issue(self, title: str, body: str, labels: Sequence[str]) -> Issue:
        try:
            return _issue(self._repo.create_issue(title=title, body=body, labels=list(labels)))
        except Exception as exc:
            if not _lost(exc):
                raise ForgeError(str(exc), getattr(exc, "status", None)) from exc
        # The answer was lost: an open issue by the bot with this title and body is the one that landed.
        found = (self._repo.get_issues(state="open", labels=list(labels)[:1]) if labels
                 else self._repo.get_issues(state="open"))
        landed = _guard(lambda: next((_issue(i) for i in found if i.user.login == self.bot_login and i.title == title
                                      and (i.body or "").strip() == body.strip()), None))
        if landed is not None:
            return landed
        return _guard(lambda: _issue(self._repo.create_issue(title=title, body=body, labels=list(labels))))

    def edit_issue(self, number: int, *, body: str) -> None:
        url = f"{self._repo.url}/issues/{number}"
        _guard(lambda: self.client.requester.requestJsonAndCheck("PATCH", url, input={"body": body}))

    # -- who -------------------------------------------------------------------------------------

    def role(self, login: str) -> Role:
        try:
            return Role(str(self._repo.get_collaborator_role_name(login)))
        except GithubException as exc:
            return Role(None, f"HTTP {exc.status}")
        except Exception as exc:  # network errors, malformed answers: never a yes
            return Role(None, type(exc).__name__)

    def is_public_member(self, org: str, login: str) -> bool | None:
        try:
            status, _, _ = self.client.requester.requestJson("GET", f"/orgs/{org}/public_members/{login}")
        except Exception:
            return None
        if status == 204:
            return True
        if status in (302, 404):
            return False
        return None

    # -- git data --------------------------------------------------------------------------------

    def branch_sha(self, branch: str) -> str | None:
        try:
            return str(self._repo.get_git_ref(f"heads/{branch}").object.sha)
        except GithubException as exc:
            if exc.status == 404:
                return None
            raise ForgeError(f"HTTP {exc.status}: {exc.data}", exc.status) from exc

    def commit(self, parent: str, files: Mapping[str, bytes | None], message: str, *,
               author: tuple[str, str] | None = None, date: str | None = None) -> str:
        def run() -> str:
            base = self._repo.get_git_commit(parent)
            elements = [
                InputGitTreeElement(path, "100644", "blob", sha=None) if data is None
                else InputGitTreeElement(path, "100644", "blob", content=data.decode("utf-8"))
                for path, data in sorted(files.items())
            ]
            tree = self._repo.create_git_tree(elements, base.tree)
            if author is not None and date:
                who = InputGitAuthor(author[0], author[1], date)
                return str(self._repo.create_git_commit(message, tree, [base], author=who, committer=who).sha)
            return str(self._repo.create_git_commit(message, tree, [base]).sha)

        # Blobs, trees and commits are content-addressed: writing one twice is harmless.
        return _guard(run)

    def create_branch(self, branch: str, sha: str) -> bool:
        try:
            self._repo.create_git_ref(f"refs/heads/{branch}", sha)
            return True
        except GithubException as exc:
            if exc.status == 422:  # it exists
                return False
            if exc.status < 500:
                raise ForgeError(f"HTTP {exc.status}: {exc.data}", exc.status) from exc
        except (requests.exceptions.RequestException, OSError):
            pass
        # The answer was lost: the branch is there when the create landed.
        return self.branch_sha(branch) != sha and self.create_branch(branch, sha)

    def move_branch(self, branch: str, sha: str, *, force: bool = True, expected: str | None = None) -> bool:
        def run() -> bool:
            ref = self._repo.get_git_ref(f"heads/{branch}")
            # Read it first even from a lazy client: the lazy ref points at GET-only ``git/ref/``; the
            # answer carries the ``git/refs/`` URL that PATCH needs.
            current = ref.object.sha
            if expected is not None and current != expected:
                return False
            if current != sha:
                ref.edit(sha, force=force)
            return True

        return _guard(run)

    def file_at(self, ref: str, path: str) -> bytes | None:
        try:
            found = self._repo.get_contents(path, ref=ref)
        except GithubException as exc:
            if exc.status == 404:
                return None
            raise ForgeError(f"HTTP {exc.status}: {exc.data}", exc.status) from exc
        except (requests.exceptions.RequestException, OSError) as exc:
            raise ForgeError(f"{type(exc).__name__}: {exc}") from exc
        if isinstance(found, list):
            return None  # a directory
        return bytes(found.decoded_content)

    # -- pull requests and statuses --------------------------------------------------------------

    def open_pulls(self, base: str) -> list[Pull]:
        return _guard(lambda: [_pull(p) for p in self._repo.get_pulls(state="open", base=base)])

    def pull(self, number: int) -> Pull:
        def run() -> Pull:
            item = self._repo.get_pull(number)
            found = _pull(item)
            mergeable = item.mergeable
            return Pull(**{**found.__dict__, "mergeable": mergeable})

        return _guard(run)

    def _pull_by_head(self, base: str, head: str) -> Pull | None:
        owner = self.config.repo.split("/")[0]
        pulls = _guard(lambda: [_pull(p) for p in self._repo.get_pulls(state="open", head=f"{owner}:{head}",
                                                                        base=base)])
        return pulls[0] if pulls else None

    def create_pull(self, base: str, head: str, title: str, body: str) -> Pull:
        try:
            return _pull(self._repo.create_pull(base=base, head=head, title=title, body=body,
                                                maintainer_can_modify=True))
        except Exception as exc:
            if not _lost(exc) and not (isinstance(exc, GithubException) and exc.status == 422):
                raise ForgeError(str(exc), getattr(exc, "status", None)) from exc
            # Lost answer, or 422 "a pull request already exists": find the one on this head branch.
            landed = self._pull_by_head(base, head)
            if landed is not None:
                return landed
            if isinstance(exc, GithubException) and exc.status == 422:
                raise ForgeError(str(exc), 422) from exc
        return _guard(lambda: _pull(self._repo.create_pull(base=base, head=head, title=title, body=body,
                                                           maintainer_can_modify=True)))

    def edit_pull(self, number: int, *, title: str, body: str) -> None:
        url = f"{self._repo.url}/pulls/{number}"
        _guard(lambda: self.client.requester.requestJsonAndCheck("PATCH", url, input={"title": title, "body": body}))

    def close_pull(self, number: int) -> None:
        url = f"{self._repo.url}/pulls/{number}"
        _guard(lambda: self.client.requester.requestJsonAndCheck("PATCH", url, input={"state": "closed"}))

    def set_status(self, sha: str, status: Status) -> None:
        # A status is "the newest per context": posting the same one twice changes nothing.
        def run() -> None:
            self._repo.get_commit(sha).create_status(status.state, description=status.description[:140],
                                                     context=status.context)

        try:
            run()
        except Exception as exc:
            if not _lost(exc):
                raise ForgeError(str(exc), getattr(exc, "status", None)) from exc
            _guard(run)

    def statuses(self, sha: str) -> Sequence[Status]:
        def run() -> list[Status]:
            combined = self._repo.get_commit(sha).get_combined_status()
            return [Status(str(s.context), str(s.state), str(s.description or "")) for s in combined.statuses]

        return _guard(run)

    def merge_pull(self, number: int, sha: str, title: str) -> None:
        # PUT: a repeat after a lost answer finds the PR merged (405), which the caller reads as refused;
        # it then looks at the PR again rather than trusting either answer.
        url = f"{self._repo.url}/pulls/{number}/merge"
        _guard(lambda: self.client.requester.requestJsonAndCheck(
            "PUT", url, input={"sha": sha, "merge_method": "merge", "commit_title": title}))

    # -- repository metadata ---------------------------------------------------------------------

    def dispatch_workflow(self, workflow: str, ref: str, inputs: Mapping[str, str] | None = None) -> None:
        # A dispatch whose answer was lost may have started the run: dispatches are not retried; the
        # started workflows are written to be idempotent (a second run finds nothing to do).
        url = f"{self.api_url}/repos/{self.repo}/actions/workflows/{workflow}/dispatches"
        _guard(lambda: self.client.requester.requestJsonAndCheck(
            "POST", url, input={"ref": ref, "inputs": dict(inputs or {})}))

    def get_conditional(self, url: str, etag: str | None) -> Conditional:
        if not url.startswith(self.api_url + "/"):
            raise ForgeError(f"not on the configured API: {url}")  # never send the token elsewhere
        headers = {"If-None-Match": etag} if etag else {}
        params = {"per_page": 100} if url.endswith("/releases") else None
        status, answer_headers, body = _guard(
            lambda: self.client.requester.requestJson("GET", url, parameters=params, headers=headers))
        if status == 304:
            return Conditional(None, etag)
        if status >= 400:
            raise ForgeError(f"HTTP {status} for {url}", status)
        lowered = {k.lower(): v for k, v in answer_headers.items()}
        return Conditional(json.loads(body) if body else None, lowered.get("etag"))

    # -- repository settings ---------------------------------------------------------------------

    def _read(self, path: str) -> Any | None:
        """GET ``path`` under the repository's API URL as JSON; ``None`` on 404, :class:`ForgeError` otherwise."""
        url = f"{self.api_url}/repos/{self.repo}{path}"
        status, _, body = _guard(lambda: self.client.requester.requestJson("GET", url))
        if status == 404:
            return None
        if status >= 400:
            raise ForgeError(f"HTTP {status} for {url}", status)
        try:
            return json.loads(body) if body else None
        except ValueError as exc:
            raise ForgeError(f"not JSON: {url}") from exc

    def _items(self, path: str, key: str) -> dict[str, str] | None:
        """Every page of a list of named objects: name -> ``value`` (empty when the item has none); ``None``
        on 404."""
        found: dict[str, str] = {}
        page = 1
        while True:
            data = self._read(f"{path}?per_page=100&page={page}")
            if data is None:
                return None
            items = data.get(key) if isinstance(data, dict) else data
            if not isinstance(items, list):
                raise ForgeError(f"unexpected answer for {path}")
            found.update((str(item["name"]), str(item.get("value") or "")) for item in items
                         if isinstance(item, dict) and "name" in item)
            if len(items) < 100:
                return found
            page += 1

    def _names(self, path: str, key: str) -> frozenset[str] | None:
        items = self._items(path, key)
        return None if items is None else frozenset(items)

    def label_names(self) -> frozenset[str]:
        names = self._names("/labels", "labels")
        if names is None:
            raise ForgeError(f"no repository {self.repo} at {self.api_url}", 404)
        return names

    def create_label(self, name: str, color: str, description: str) -> None:
        try:
            self._repo.create_label(name, color, description)
        except GithubException as exc:
            if exc.status == 422 and name.casefold() in {n.casefold() for n in self.label_names()}:
                return  # already there (perhaps from a repeat whose first answer was lost)
            if exc.status < 500:
                raise ForgeError(f"HTTP {exc.status}: {exc.data}", exc.status) from exc
            if name.casefold() not in {n.casefold() for n in self.label_names()}:
                _guard(lambda: self._repo.create_label(name, color, description))
        except (requests.exceptions.RequestException, OSError) as exc:
            if name.casefold() not in {n.casefold() for n in self.label_names()}:
                raise ForgeError(f"{type(exc).__name__}: {exc}") from exc

    def secret_names(self, environment: str | None = None) -> frozenset[str] | None:
        if environment is None:
            names = self._names("/actions/secrets", "secrets")
            if names is None:
                raise ForgeError(f"no repository {self.repo} at {self.api_url}", 404)
            return names
        return self._names(f"/environments/{environment}/secrets", "secrets")

    def variables(self) -> Mapping[str, str]:
        return dict(self._items("/actions/variables", "variables") or {})

    def pages(self) -> PagesSite | None:
        data = self._read("/pages")
        if not isinstance(data, dict):
            return None
        return PagesSite(str(data.get("build_type") or "legacy"), str(data.get("html_url") or ""))

    def is_private(self) -> bool:
        data = self._read("")
        if not isinstance(data, dict):
            raise ForgeError(f"no repository {self.repo} at {self.api_url}", 404)
        return bool(data.get("private")) or data.get("visibility") in ("private", "internal")

    def branch_protection(self, branch: str) -> Protection | None:
        data = self._read(f"/branches/{branch}/protection")
        if not isinstance(data, dict):
            return None
        checks = data.get("required_status_checks") or {}
        contexts = {str(c) for c in checks.get("contexts") or []}
        contexts |= {str(c.get("context")) for c in checks.get("checks") or [] if isinstance(c, dict)}
        return Protection(frozenset(contexts), bool(checks.get("strict")))
