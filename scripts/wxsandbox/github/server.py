"""``GitHubStandIn``: the public face of the GitHub stand-in (servers, users, repos, events, faults)."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from wxsandbox.events import EventSink
from wxsandbox.github import webform
from wxsandbox.github.clock import Clock, system_clock
from wxsandbox.github.faults import Faults
from wxsandbox.github.githost import main_app, raw_app
from wxsandbox.github.gitrepo import ZERO_SHA, GitRepo, Person
from wxsandbox.github.hub import Hub, RequestLogEntry
from wxsandbox.github.pages import PagesSite, pages_app
from wxsandbox.github.payloads import Urls
from wxsandbox.github.state import BOT_ID, BOT_LOGIN, ROLES, Repo
from wxsandbox.github.tokens import TokenScope, normalise_permissions
from wxsandbox.http import HttpServer


class GitHubStandIn:
    """A local GitHub: REST under ``api_url``, git smart HTTP and archives under ``url``, raw files under ``raw_url``.

    ``root`` holds the bare repositories at ``root/<owner>/<repo>.git``. Events caused by users (not by
    ``bot_token``) go to ``event_sink``; ``clock`` stamps bodies and the commits the stand-in writes.
    """

    def __init__(self, root: Path, *, event_sink: EventSink | None = None, clock: Clock | None = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._hub = Hub(self.root, clock or system_clock, event_sink)
        self._main = HttpServer(lambda request: main_app(self._hub, request))
        self._raw = HttpServer(lambda request: raw_app(self._hub, request))
        self._pages = HttpServer(lambda request: pages_app(self._hub, request))
        self._hub.set_urls(Urls(self._main.url, f"{self._main.url}/api/v3", self._raw.url))
        self.bot_login = BOT_LOGIN
        self.bot_token = self._hub.state.add_user(BOT_LOGIN, name=None, email="41898282+github-actions[bot]@users."
                                                  "noreply.github.com", user_type="Bot", user_id=BOT_ID)
        self._started = False

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> GitHubStandIn:
        if not self._started:
            self._main.start()
            self._raw.start()
            self._pages.start()
            self._hub.pages_base_url = self._pages.url
            self._started = True
        return self

    def stop(self) -> None:
        if self._started:
            self._main.stop()
            self._raw.stop()
            self._pages.stop()
            self._started = False

    def __enter__(self) -> GitHubStandIn:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- addresses ---------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self._hub.urls.web

    @property
    def api_url(self) -> str:
        return self._hub.urls.api

    @property
    def raw_url(self) -> str:
        return self._hub.urls.raw

    @property
    def pages_url(self) -> str:
        """``http://127.0.0.1:Q``: GitHub Pages, a project site at ``pages_url/<owner>/<repo>/``."""
        return self._pages.url

    def enable_pages(self, full_name: str, *, branch: str = "main", folder: str = "/",
                     build_type: str = "legacy") -> str:
        """Publish ``folder`` of ``branch`` as the repository's Pages site (``build_type="workflow"``: what
        ``actions/deploy-pages`` deploys instead, the setting *Source: GitHub Actions*); its base URL."""
        if folder not in ("/", "/docs"):
            raise ValueError("GitHub Pages serves / or /docs")
        if build_type not in ("legacy", "workflow"):
            raise ValueError("build_type is legacy or workflow")
        with self._hub.state.lock:
            repo = self._repo(full_name)
            self._hub.pages[repo.full_name.lower()] = PagesSite(branch, folder, build_type)
            return f"{self.pages_url}/{repo.full_name}/"

    def deploy_pages(self, full_name: str, files: Mapping[str, bytes]) -> str:
        """What a deploy-pages run does, without the run: ``files`` (site path -> bytes) become the site of
        ``full_name``, whose Pages must deploy from Actions; its base URL."""
        with self._hub.state.lock:
            repo = self._repo(full_name)
            site = self._hub.pages.get(repo.full_name.lower())
            if site is None or site.build_type != "workflow":
                raise ValueError("enable_pages(..., build_type='workflow') first")
            self._hub.pages_deployments[repo.full_name.lower()] = dict(files)
            return f"{self.pages_url}/{repo.full_name}/"

    @property
    def faults(self) -> Faults:
        return self._hub.faults

    @property
    def request_log(self) -> list[RequestLogEntry]:
        """(method, path, status, login) per request to the main port; status 0 for a dropped connection."""
        return self._hub.request_log

    @property
    def hub(self) -> Hub:
        """The core, for tests that inspect state directly."""
        return self._hub

    def set_bot_scope(self, full_names: Iterable[str] | None) -> None:
        """Limit the workflow token's write access to these repositories (as GITHUB_TOKEN is limited to the
        repository its workflow runs in); it still reads every public repository. ``None``: writes everywhere."""
        with self._hub.state.lock:
            self._hub.state.bot_scope = None if full_names is None else {name.lower() for name in full_names}

    def workflow_token(self, full_name: str, permissions: Mapping[str, str] | str | None = None) -> str:
        """A ``GITHUB_TOKEN`` for one job of a workflow in ``full_name``: the bot, writing only to that
        repository and only where ``permissions`` (the job's ``permissions:`` value; ``None``: GitHub's
        restricted default, contents read) allow. What it does delivers no events, like ``bot_token``."""
        levels = normalise_permissions(permissions)
        with self._hub.state.lock:
            repo = self._repo(full_name)
            token = f"ghs_{secrets.token_hex(18)}"
            self._hub.state.tokens[token] = self.bot_login
            self._hub.state.token_scopes[token] = TokenScope(repo.full_name, levels)
            return token

    def set_rate_limit(self, *, authenticated: int = 5000, anonymous: int = 60, enforce: bool = True) -> None:
        """Primary rate limits per hour (always reported in ``X-RateLimit-*``; refused with 403 when ``enforce``)."""
        self._hub.rate_limits = {"authenticated": authenticated, "anonymous": anonymous}
        self._hub.enforce_rate_limit = enforce

    def set_event_sink(self, sink: EventSink | None) -> None:
        self._hub.sink = sink

    # -- users and repositories --------------------------------------------------------------------

    def add_user(self, login: str, *, name: str | None = None, email: str | None = None,
                 token: str | None = None) -> str:
        """Create a user and return a personal access token for it (``token`` to choose it)."""
        return self._hub.state.add_user(login, name=name, email=email, token=token)

    def add_org(self, login: str, *, public_members: Iterable[str] = ()) -> None:
        """An organisation (it owns repositories like a user) and the logins that show their membership."""
        self._hub.state.add_user(login, name=login, email=None, user_type="Organization")
        self.set_public_members(login, public_members)

    def set_public_members(self, org: str, logins: Iterable[str]) -> None:
        with self._hub.state.lock:
            self._hub.state.public_members[org.lower()] = set(logins)

    def protect_branch(self, full_name: str, branch: str, required_contexts: Iterable[str], *,
                       strict: bool = False) -> None:
        """Branch protection as the maintainers' checklist sets it: merges need these statuses green and, when
        ``strict`` ("Require branches to be up to date before merging"), the head to contain the branch."""
        with self._hub.state.lock:
            repo = self._repo(full_name)
            repo.protection[branch] = list(required_contexts)
            if strict:
                repo.protection_strict.add(branch)
            else:
                repo.protection_strict.discard(branch)

    def add_token(self, login: str, token: str | None = None) -> str:
        """Another token for an existing user."""
        state = self._hub.state
        with state.lock:
            user = state.user(login)
            if user is None:
                raise ValueError(f"unknown user {login!r}")
            new_token = token or f"ghp_{secrets.token_hex(18)}"
            state.tokens[new_token] = user.login
            return new_token

    def revoke_token(self, token: str) -> None:
        with self._hub.state.lock:
            self._hub.state.tokens.pop(token, None)
            self._hub.state.token_scopes.pop(token, None)

    def token_for(self, login: str) -> str:
        """The first token issued to ``login``."""
        with self._hub.state.lock:
            return next(token for token, owner in self._hub.state.tokens.items() if owner == login)

    def create_repo(self, owner: str, name: str, *, default_branch: str = "main", description: str = "") -> Path:
        """An empty public repository (GitHub's default labels, no commits) owned by user ``owner``."""
        return self._hub.create_repo(owner, name, default_branch=default_branch, description=description).path

    def set_role(self, full_name: str, login: str, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        with self._hub.state.lock:
            repo = self._repo(full_name)
            user = self._hub.state.user(login)
            if user is None:
                raise ValueError(f"unknown user {login!r}")
            if role == "none":
                repo.roles.pop(user.login, None)
            else:
                repo.roles[user.login] = role

    def bare_repo_path(self, full_name: str) -> Path:
        with self._hub.state.lock:
            return self._repo(full_name).path

    def git_url(self, full_name: str) -> str:
        with self._hub.state.lock:
            return f"{self.url}/{self._repo(full_name).full_name}.git"

    def _repo(self, full_name: str) -> Repo:
        repo = self._hub.state.repo(full_name)
        if repo is None:
            raise KeyError(full_name)
        return repo

    def push_directory(self, full_name: str, directory: Path, *, branch: str = "main", tag: str | None = None,
                       message: str = "Add plugin files", author_login: str | None = None) -> str:
        """Commit ``directory``'s files as the whole tree of ``branch`` (on top of its head), tag it, and move
        the refs through the same path as a push, so events fire. Returns the commit sha."""
        with self._hub.state.lock:
            repo = self._repo(full_name)
            login = author_login or repo.owner
            user = self._hub.state.user(login)
            if user is None:
                raise ValueError(f"unknown user {login!r}")
        git = self._hub.git(repo)
        tree = _write_directory_tree(git, Path(directory))
        ref = f"refs/heads/{branch}"
        head = git.ref_sha(ref)
        who = Person(user.name or user.login, user.commit_email, self._hub.state.clock())
        sha = git.commit_tree(tree, [head] if head else [], message + "\n", who)
        events = self._hub.update_ref(repo, ref, sha, user, force=False, expected=head or ZERO_SHA)
        if tag:
            events += self._hub.update_ref(repo, f"refs/tags/{tag}", sha, user)
        self._hub.deliver(events, user)
        return sha


    def submit_issue_form(self, full_name: str, template: str, answers: Mapping[str, Any], *, login: str,
                          title: str | None = None) -> int:
        """Open an issue the way a person does in the browser: the form ``.github/ISSUE_TEMPLATE/<template>``
        from the default branch, rendered by ``issueforms`` (required fields enforced, CRLF line breaks), with
        the template's labels applied whatever ``login``'s role. Events fire as for the API. Returns the number."""
        self._repo(full_name)
        return webform.submit(self._hub, full_name, template, answers, login=login, title=title)

    def submit_rendered_form(self, full_name: str, title: str, body: str, *, login: str,
                             labels: Iterable[str] = ("plugin-submission",)) -> int:
        """Like :meth:`submit_issue_form` for a body already in the form's rendering (a test's own answers):
        the form's labels arrive with ``opened``, whatever ``login``'s role. Returns the number."""
        self._repo(full_name)
        return webform.submit_rendered(self._hub, full_name, title, body, list(labels), login=login)


def _write_directory_tree(git: GitRepo, directory: Path) -> str:
    """A tree object for every file under ``directory`` (``.git`` skipped), via a scratch index."""
    with tempfile.TemporaryDirectory(prefix="wxsandbox-tree-") as scratch:
        env = {**os.environ, "GIT_DIR": str(git.path), "GIT_INDEX_FILE": str(Path(scratch) / "index"),
               "GIT_WORK_TREE": str(directory)}
        if (directory / ".git").exists():
            work = Path(scratch) / "work"
            shutil.copytree(directory, work, ignore=shutil.ignore_patterns(".git"))
            env["GIT_WORK_TREE"] = str(work)
        subprocess.run(["git", "add", "--all", "--force", "."], env=env, cwd=env["GIT_WORK_TREE"], check=True,
                       capture_output=True)
        done = subprocess.run(["git", "write-tree"], env=env, check=True, capture_output=True)
        return done.stdout.decode().strip()
