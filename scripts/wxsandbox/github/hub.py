"""The stand-in's core: state + git + routing + events, shared by the REST, git and raw front ends."""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections.abc import Callable
from pathlib import Path

import wxsandbox.github.pullops as pullops
from wxsandbox.events import Event, EventSink
from wxsandbox.github.clock import Clock
from wxsandbox.github.faults import Faults
from wxsandbox.github.gitrepo import ZERO_SHA, GitError, GitRepo
from wxsandbox.github.pages import PagesSite
from wxsandbox.github.payloads import Shapes, Urls
from wxsandbox.github.router import DOCS, Ctx, Router
from wxsandbox.github.state import DEFAULT_LABELS, ApiError, Label, Repo, State, User
from wxsandbox.github.tokens import TokenScope
from wxsandbox.github.webhooks import EventFactory
from wxsandbox.http import Request, Response

API_PREFIX = "/api/v3"
UPLOADS_PREFIX = "/api/uploads"
"""GitHub Enterprise's uploads host layout: ``https://HOST/api/uploads/repos/...``."""
RATE_WINDOW_SECONDS = 3600

RequestLogEntry = tuple[str, str, int, str | None]
Observer = Callable[[Request, Response], None]


class Hub:
    def __init__(self, root: Path, clock: Clock, event_sink: EventSink | None) -> None:
        self.root = root
        self.state = State(clock)
        self.faults = Faults()
        self.router = Router()
        self.sink = event_sink
        self.urls = Urls("http://127.0.0.1:0", "http://127.0.0.1:0/api/v3", "http://127.0.0.1:0")
        self.shapes = Shapes(self.urls, self.state)
        self.events = EventFactory(self.shapes, self.state)
        self.request_log: list[RequestLogEntry] = []
        self.enforce_rate_limit = False
        self.rate_limits = {"authenticated": 5000, "anonymous": 60}
        self._rate_used: dict[str, int] = {}
        self._rate_reset = int(time.time()) + RATE_WINDOW_SECONDS
        self._log_lock = threading.Lock()
        self.pages: dict[str, PagesSite] = {}
        """Repositories with a Pages site, by lower-cased full name."""
        self.pages_deployments: dict[str, dict[str, bytes]] = {}
        """The files of the last Actions deployment of a ``workflow`` Pages site, by lower-cased full name."""
        self.pages_base_url = "http://127.0.0.1:0"
        """Where the Pages front end listens (set by the server once started)."""
        self.observers: list[Observer] = []
        """Called with every REST request and its answer (before ETag/304 handling): fidelity tests."""
        from wxsandbox.github.routes import register_all

        register_all(self.router)

    def set_urls(self, urls: Urls) -> None:
        self.urls = urls
        self.shapes = Shapes(urls, self.state)
        self.events = EventFactory(self.shapes, self.state)

    def git(self, repo: Repo) -> GitRepo:
        return GitRepo(repo.path)

    def create_repo(self, owner: str, name: str, *, default_branch: str = "main", description: str = "",
                    fork_of: Repo | None = None) -> Repo:
        """A new repository; ``fork_of`` copies that repository's branches and tags (not its PR refs)."""
        state = self.state
        with state.lock:
            user = state.user(owner)
            if user is None:
                raise ValueError(f"unknown user {owner!r}")
            if state.repo(f"{owner}/{name}") is not None:
                raise ValueError(f"repository {owner}/{name} exists")
            path = self.root / user.login / f"{name}.git"
            git = GitRepo.init_bare(path, default_branch)
            if fork_of is not None:
                git.run("fetch", "--quiet", "--no-tags", str(fork_of.path), "+refs/heads/*:refs/heads/*",
                        "+refs/tags/*:refs/tags/*")
            git.add_config(("receive", "hideRefs", "refs/pull"))  # GitHub refuses pushes to refs/pull/*
            now = state.clock()
            repo = Repo(state.next_id("repo"), user.login, name, path, default_branch, description, now, now,
                        parent=fork_of.full_name if fork_of else None)
            for label_name, color, text in DEFAULT_LABELS:
                repo.labels[label_name] = Label(state.next_id("label"), label_name, color, text, default=True)
            state.repos[repo.full_name.lower()] = repo
            return repo

    # -- identity ----------------------------------------------------------------------------------

    def token_from_header(self, request: Request) -> tuple[str | None, str | None]:
        """(username, token) from ``Authorization``: ``token``, ``Bearer`` or ``Basic user:token``."""
        header = request.header("authorization")
        if not header:
            return None, None
        scheme, _, value = header.strip().partition(" ")
        scheme = scheme.lower()
        if scheme in ("token", "bearer"):
            return None, value.strip()
        if scheme == "basic":
            try:
                decoded = base64.b64decode(value.strip()).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                return None, ""
            user, _, secret = decoded.partition(":")
            return user, secret
        return None, ""

    def token_scope(self, request: Request) -> TokenScope | None:
        """The limits of a workflow token, ``None`` for any other caller."""
        _, token = self.token_from_header(request)
        if token is None:
            return None
        with self.state.lock:
            return self.state.token_scopes.get(token)

    def authenticate(self, request: Request) -> User | None:
        """The caller, ``None`` when anonymous; 401 ``Bad credentials`` for an unknown token."""
        _, token = self.token_from_header(request)
        if token is None:
            return None
        with self.state.lock:
            login = self.state.login_for_token(token)
            user = self.state.user(login) if login else None
        if user is None:
            raise ApiError(401, "Bad credentials")
        return user

    # -- events ------------------------------------------------------------------------------------

    def deliver(self, events: list[Event], actor: User | None, *, even_from_bot: bool = False) -> None:
        """Hand events to the sink, unless the workflow token caused them (GitHub starts no runs then,
        except for dispatches: ``even_from_bot``). Called after the state lock is released, in the
        request's thread, before the answer is sent: a sink that runs workflows should queue them."""
        sink = self.sink
        if sink is None or actor is None or (actor.is_bot and not even_from_bot):
            return
        for event in events:
            sink.deliver(event)

    # -- the ref-update path shared by git pushes, the refs API, contents, merges and releases -----

    def update_ref(self, repo: Repo, ref: str, new: str, actor: User, *, force: bool = True,
                   expected: str | None = None) -> list[Event]:
        """Point ``ref`` at ``new`` (``ZERO_SHA`` deletes) and build the events a push would fire."""
        git = self.git(repo)
        with repo.git_lock:
            before = git.raw_ref(ref) or ZERO_SHA
            if expected is not None and before != expected:
                raise ApiError(409, "Reference update failed" if expected != ZERO_SHA else "Reference already exists")
            if before == new:
                return []
            forced = False
            if before != ZERO_SHA and new != ZERO_SHA and ref.startswith("refs/heads/"):
                forced = not git.is_ancestor(before, new)
                if forced and not force:
                    raise ApiError(422, "Update is not a fast forward")
            try:
                if new == ZERO_SHA:
                    git.delete_ref(ref)
                else:
                    git.update_ref(ref, new, before)
            except GitError as exc:
                raise ApiError(422, f"Reference update failed: {exc}") from exc
        return self.refs_changed(repo, [(ref, before, new, forced)], actor)

    def refs_changed(self, repo: Repo, changes: list[tuple[str, str, str, bool]], actor: User) -> list[Event]:
        """After refs moved: push events, PR head refs and ``synchronize`` for open PRs on the branch."""
        git = self.git(repo)
        events: list[Event] = []
        with self.state.lock:
            repo.pushed_at = self.state.clock()
            for ref, before, after, forced in changes:
                if ref.startswith("refs/pull/"):
                    continue
                events.append(self.events.push(repo, git, ref, before, after, actor.login, forced=forced))
                if ref.startswith(("refs/heads/", "refs/tags/")) and ZERO_SHA in (before, after):
                    created = before == ZERO_SHA
                    sha = after if created else (git.ref_sha(f"refs/heads/{repo.default_branch}") or ZERO_SHA)
                    events.append(self.events.create_or_delete(repo, ref, sha, actor.login, created=created))
                if ref.startswith("refs/heads/") and after != ZERO_SHA:
                    events += pullops.branch_moved(self, repo, git, ref.removeprefix("refs/heads/"), after, actor)
                if ref == f"refs/heads/{repo.default_branch}" and after != ZERO_SHA:
                    events += pullops.close_from_commits(self, repo, git, before, after, actor)
        return events

    # -- front ends --------------------------------------------------------------------------------

    def log(self, request: Request, status: int, login: str | None) -> None:
        with self._log_lock:
            self.request_log.append((request.method, request.path, status, login))

    def _rate_headers(self, key: str, limit: int) -> list[tuple[str, str]]:
        now = int(time.time())
        with self._log_lock:
            if now >= self._rate_reset:
                self._rate_used.clear()
                self._rate_reset = now + RATE_WINDOW_SECONDS
            used = self._rate_used.get(key, 0)
        return [("X-RateLimit-Limit", str(limit)), ("X-RateLimit-Remaining", str(max(0, limit - used))),
                ("X-RateLimit-Reset", str(self._rate_reset)), ("X-RateLimit-Used", str(used)),
                ("X-RateLimit-Resource", "core")]

    def rate_status(self, user: User | None, client: str) -> tuple[int, int, int]:
        """(limit, used, reset) for a caller."""
        key = user.login if user else f"ip:{client}"
        limit = self.rate_limits["authenticated" if user else "anonymous"]
        with self._log_lock:
            return limit, self._rate_used.get(key, 0), self._rate_reset

    def api_app(self, request: Request) -> Response:
        user: User | None = None
        try:
            user = self.authenticate(request)
            key = user.login if user else f"ip:{request.client_address}"
            limit = self.rate_limits["authenticated" if user else "anonymous"]
            with self._log_lock:
                used = self._rate_used.get(key, 0)
                exhausted = self.enforce_rate_limit and used >= limit
                if not exhausted:
                    self._rate_used[key] = used + 1
            if exhausted:
                who = f"user ID {user.id}" if user else request.client_address
                raise ApiError(403, f"API rate limit exceeded for {who}.", headers=self._rate_headers(key, limit))
            response = self._dispatch(request, user)
            rate = self._rate_headers(key, limit)
        except ApiError as error:
            response = error_response(error)
            rate = []
        except Exception as exc:  # a stand-in bug: answer 500 and keep it in the log
            response = Response.json({"message": f"sandbox error: {type(exc).__name__}: {exc}"}, status=500)
            rate = []
        response.headers += [*rate, ("X-GitHub-Media-Type", "github.v3; format=json"),
                             ("X-GitHub-Api-Version-Selected", "2022-11-28")]
        for observer in list(self.observers):
            observer(request, response)
        if request.method in ("GET", "HEAD") and response.status == 200:
            etag = 'W/"' + hashlib.sha256(response.body).hexdigest()[:40] + '"'
            response.headers.append(("ETag", etag))
            response.headers.append(("Cache-Control", "private, max-age=60, s-maxage=60"))
            wanted = request.header("if-none-match")
            if wanted and etag.removeprefix("W/") in {tag.strip().removeprefix("W/") for tag in wanted.split(",")}:
                response = Response(304, b"", [h for h in response.headers if h[0] != "Content-Type"])
                with self._log_lock:  # conditional requests answered 304 are free on GitHub
                    self._rate_used[key] = max(0, self._rate_used.get(key, 1) - 1)
        self.log(request, response.status, user.login if user else None)
        return response

    def _dispatch(self, request: Request, user: User | None) -> Response:
        if request.path.startswith(UPLOADS_PREFIX + "/"):
            path = "/uploads" + request.path.removeprefix(UPLOADS_PREFIX)
        else:
            path = request.path.removeprefix(API_PREFIX) or "/"
        if len(path) > 1:
            path = path.rstrip("/")
        matched = self.router.match(request.method, path)
        if matched is None:
            raise ApiError(404, "Not Found")
        handler, params = matched
        scope = self.token_scope(request)
        if scope is not None and request.method not in ("GET", "HEAD"):
            target = f"{params['owner']}/{params['repo']}" if "owner" in params and "repo" in params else None
            if not scope.may_write(request.method, path, target):
                raise ApiError(403, "Resource not accessible by integration")
        ctx = Ctx(self, request, params, user)
        response = handler(ctx)
        self.deliver(ctx.events, user)
        return response


def error_response(error: ApiError) -> Response:
    body: dict[str, object] = {"message": error.message, "documentation_url": DOCS, "status": str(error.status)}
    if error.errors is not None:
        body["errors"] = error.errors
    headers = list(error.headers)
    if error.status == 401:
        headers.append(("WWW-Authenticate", 'Basic realm="GitHub"'))
    return Response.json(body, status=error.status, headers=headers)
