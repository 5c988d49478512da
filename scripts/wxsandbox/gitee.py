"""A local Gitee: git smart HTTP with ``user:token`` Basic auth, raw files, zip archives, a little of API v5,
and switches that make it refuse connections or hang, for mirror-failover tests.

    with GiteeStandIn(tmp_path / "gitee") as gitee:
        token = gitee.add_user("maria")
        gitee.create_repo("wxauto", "registry")
        gitee.set_role("wxauto/registry", "maria", "write")
        # git push http://maria:<token>@127.0.0.1:P/wxauto/registry.git ...
        gitee.refuse(); ...; gitee.restore()

Gitee's own answers are followed where known (raw as ``text/plain``, 401 for a wrong token on git so
git says "Authentication failed", 403 when the account may not push); bodies are Gitee-like, not
byte-identical.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import secrets
import shutil
import tempfile
import threading
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType
from typing import Any

from wxsandbox.githttp import GitRoute, git_http_backend, match_git_route, wants_push
from wxsandbox.github.gitrepo import GitRepo
from wxsandbox.http import HttpServer, Request, Response

ROLES = ("read", "write", "admin")
CHINA = timezone(timedelta(hours=8))
HANG_LIMIT_SECONDS = 600.0
"""A hung request is answered by dropping it after this long at most, so no thread waits for ever."""
_RAW = re.compile(r"^/(?P<owner>[^/]+)/(?P<repo>[^/]+)/raw/(?P<rest>.+)$")
_ARCHIVE = re.compile(r"^/(?P<owner>[^/]+)/(?P<repo>[^/]+)/repository/archive/(?P<ref>.+)\.zip$")
_API_REPO = re.compile(r"^/api/v5/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)(?P<rest>/.*)?$")


@dataclass
class GiteeUser:
    login: str
    name: str
    email: str


@dataclass
class GiteeRelease:
    id: int
    tag_name: str
    target_commitish: str
    name: str
    body: str
    author: str
    created_at: datetime
    prerelease: bool = False


@dataclass
class GiteeRepo:
    owner: str
    name: str
    path: Path
    default_branch: str
    roles: dict[str, str] = field(default_factory=dict)
    releases: list[GiteeRelease] = field(default_factory=list)
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


class GiteeStandIn:
    """Gitee on 127.0.0.1: ``url`` for git, raw files, archives and ``url + "/api/v5"``."""

    raw_content_type = "text/plain; charset=utf-8"
    """What raw files are served as. Believed to be Gitee's answer for text files but not checked against
    gitee.com from here (no access): set it on an instance to test a client against another answer."""

    def __init__(self, root: Path, *, port: int = 0) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._users: dict[str, GiteeUser] = {}
        self._tokens: dict[str, str] = {}
        self._repos: dict[str, GiteeRepo] = {}
        self._release_ids = itertools.count(1)
        self._answering = threading.Event()
        self._answering.set()
        self._server = HttpServer(self._app, port=port)
        self._port = self._server.port
        self._running = False
        self.request_log: list[tuple[str, str, int]] = []
        """(method, path, status) of every answered request."""

    # -- lifecycle and switches ------------------------------------------------------------------

    def start(self) -> GiteeStandIn:
        if not self._running:
            self._server.start()
            self._running = True
        return self

    def stop(self) -> None:
        self._answering.set()  # release hung requests
        if self._running:
            self._server.stop()
            self._running = False

    def __enter__(self) -> GiteeStandIn:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def refuse(self) -> None:
        """Close the listening socket: new connections are refused until ``restore()``."""
        with self._lock:
            if self._running:
                self._server.stop()
                self._running = False

    def hang(self) -> None:
        """Accept connections and read requests, but answer none until ``restore()``."""
        self._answering.clear()

    def restore(self) -> None:
        """Answer again, listening on the same port as before."""
        with self._lock:
            if not self._running:
                self._server = HttpServer(self._app, port=self._port)
                self._server.start()
                self._running = True
        self._answering.set()

    # -- addresses -------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v5"

    def git_url(self, full_name: str) -> str:
        return f"{self.url}/{self._repo(full_name).full_name}.git"

    def raw_file_url(self, full_name: str, ref: str, path: str) -> str:
        return f"{self.url}/{self._repo(full_name).full_name}/raw/{ref}/{path}"

    def releases_url(self, full_name: str) -> str:
        return f"{self.api_url}/repos/{self._repo(full_name).full_name}/releases"

    # -- accounts and repositories ---------------------------------------------------------------

    def add_user(self, login: str, *, name: str | None = None, email: str | None = None,
                 token: str | None = None) -> str:
        """Create a user; returns a personal access token (Gitee's are 32 hex characters)."""
        with self._lock:
            if login.lower() in self._users:
                raise ValueError(f"user {login!r} exists")
            self._users[login.lower()] = GiteeUser(login, name or login, email or f"{login}@users.noreply.gitee.com")
            new_token = token or secrets.token_hex(16)
            self._tokens[new_token] = login.lower()
            return new_token

    def create_repo(self, owner: str, name: str, *, default_branch: str = "master") -> Path:
        """An empty public repository; ``owner`` (a user, created if unknown) gets ``admin``."""
        with self._lock:
            key = f"{owner}/{name}".lower()
            if key in self._repos:
                raise ValueError(f"repository {owner}/{name} exists")
            if owner.lower() not in self._users:
                self.add_user(owner)
            path = self.root / owner / f"{name}.git"
            GitRepo.init_bare(path, default_branch)
            repo = GiteeRepo(owner, name, path, default_branch, roles={owner.lower(): "admin"})
            self._repos[key] = repo
            return path

    def set_role(self, full_name: str, login: str, role: str) -> None:
        """``read``, ``write``, ``admin`` or ``none`` (Gitee's reporter, developer, admin)."""
        if role not in (*ROLES, "none"):
            raise ValueError(f"role must be one of {', '.join(ROLES)} or none")
        with self._lock:
            repo = self._repo(full_name)
            if login.lower() not in self._users:
                raise ValueError(f"unknown user {login!r}")
            if role == "none":
                repo.roles.pop(login.lower(), None)
            else:
                repo.roles[login.lower()] = role

    def bare_repo_path(self, full_name: str) -> Path:
        return self._repo(full_name).path

    def push_directory(self, full_name: str, directory: Path, *, branch: str | None = None,
                       tag: str | None = None, message: str = "Mirror") -> str:
        """Commit ``directory`` as the whole tree of ``branch`` (on top of its head); returns the sha."""
        repo = self._repo(full_name)
        git = GitRepo(repo.path)
        branch = branch or repo.default_branch
        owner = self._users[repo.owner.lower()]
        with tempfile.TemporaryDirectory(prefix="wxsandbox-gitee-") as scratch:
            work = Path(scratch) / "work"
            shutil.copytree(directory, work, ignore=shutil.ignore_patterns(".git"), symlinks=True)
            env = {"GIT_INDEX_FILE": str(Path(scratch) / "index"), "GIT_WORK_TREE": str(work)}
            git.run("add", "--all", "--force", ".", env=env)
            tree = git.out("write-tree", env=env)
        head = git.ref_sha(f"refs/heads/{branch}")
        identity = {"GIT_AUTHOR_NAME": owner.name, "GIT_AUTHOR_EMAIL": owner.email,
                    "GIT_COMMITTER_NAME": owner.name, "GIT_COMMITTER_EMAIL": owner.email}
        sha = git.out("commit-tree", tree, *(["-p", head] if head else []), "-m", message, env=identity)
        git.update_ref(f"refs/heads/{branch}", sha)
        if tag:
            git.update_ref(f"refs/tags/{tag}", sha)
        return sha

    def create_release(self, full_name: str, tag_name: str, *, name: str | None = None, body: str = "",
                       author: str | None = None) -> int:
        with self._lock:
            repo = self._repo(full_name)
            if GitRepo(repo.path).resolve_commit(f"refs/tags/{tag_name}") is None:
                raise ValueError(f"no tag {tag_name!r} in {full_name}")
            release = GiteeRelease(next(self._release_ids), tag_name, repo.default_branch, name or tag_name, body,
                                   author or repo.owner, datetime.now(UTC))
            repo.releases.append(release)
            return release.id

    def _repo(self, full_name: str) -> GiteeRepo:
        with self._lock:
            repo = self._repos.get(full_name.lower().removesuffix(".git"))
        if repo is None:
            raise KeyError(full_name)
        return repo

    def _find_repo(self, owner: str, name: str) -> GiteeRepo | None:
        with self._lock:
            return self._repos.get(f"{owner}/{name}".lower().removesuffix(".git"))

    # -- HTTP --------------------------------------------------------------------------------------

    def _app(self, request: Request) -> Response:
        if not self._answering.is_set():
            # A hung host: hold the request until restored (bounded), then drop it unanswered.
            self._answering.wait(HANG_LIMIT_SECONDS)
            if not self._running:
                return Response.dropped()
        response = self._route(request)
        with self._lock:
            self.request_log.append((request.method, request.path, response.status))
        return response

    def _route(self, request: Request) -> Response:
        git_route = match_git_route(request)
        if git_route is not None:
            return self._serve_git(request, git_route)
        if found := _API_REPO.match(request.path):
            return self._serve_api(request, found["owner"], found["repo"], found["rest"] or "")
        if request.path.rstrip("/") == "/api/v5/user" and request.method == "GET":
            return self._serve_authenticated_user(request)
        if found := _RAW.match(request.path):
            return self._serve_raw(request, found["owner"], found["repo"], found["rest"])
        if found := _ARCHIVE.match(request.path):
            return self._serve_archive(found["owner"], found["repo"], found["ref"])
        return _not_found_page()

    def _user_from_basic(self, request: Request) -> tuple[bool, str | None]:
        """(credentials given, login they authenticate or ``None``)."""
        header = request.header("authorization")
        if not header:
            return False, None
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return True, None
        try:
            username, _, secret = base64.b64decode(value.strip()).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return True, None
        with self._lock:
            login = self._tokens.get(secret)
        # Gitee takes the token as the password of the account it belongs to.
        if login is None or login != username.lower():
            return True, None
        return True, login

    def _serve_git(self, request: Request, route: GitRoute) -> Response:
        repo = self._find_repo(route.owner, route.repo)
        if repo is None:
            return Response.text("Repository or file not found\n", status=404)
        given, login = self._user_from_basic(request)
        if given and login is None:
            return _git_unauthorized("[session-sandbox] Incorrect username or password (access token)\n")
        push = wants_push(request, route)
        if push:
            if login is None:
                return _git_unauthorized("Authentication required\n")
            with self._lock:
                role = repo.roles.get(login)
            if role not in ("write", "admin"):
                return Response.text("You do not have permission push to this repository\n", status=403)
        return git_http_backend(request, repo.path, route, login, allow_push=push)

    def _serve_raw(self, request: Request, owner: str, name: str, rest: str) -> Response:
        repo = self._find_repo(owner, name)
        if repo is None or request.method not in ("GET", "HEAD"):
            return _not_found_page()
        git = GitRepo(repo.path)
        parts = rest.split("/")
        for cut in range(1, len(parts)):
            commit = git.resolve_commit("/".join(parts[:cut]))
            if commit is None:
                continue
            entry = git.entry_at(commit, "/".join(parts[cut:]))
            if entry is None or entry.type != "blob":
                return _not_found_page()
            etag = f'W/"{entry.sha}"'
            headers = [("ETag", etag), ("Cache-Control", "max-age=0, private, must-revalidate")]
            wanted = request.header("if-none-match")
            if wanted and entry.sha in wanted:
                return Response(304, b"", headers)
            return Response(200, git.blob(entry.sha), [("Content-Type", self.raw_content_type), *headers])
        return _not_found_page()

    def _serve_archive(self, owner: str, name: str, ref: str) -> Response:
        repo = self._find_repo(owner, name)
        if repo is None:
            return _not_found_page()
        git = GitRepo(repo.path)
        commit = git.resolve_commit(ref)
        if commit is None:
            return _not_found_page()
        stem = f"{repo.name}-{ref.replace('/', '-')}"
        body = git.archive(commit, "zip", f"{repo.name}/")
        return Response(200, body, [("Content-Type", "application/zip"),
                                    ("Content-Disposition", f'attachment; filename="{stem}.zip"'),
                                    ("ETag", f'"{hashlib.sha256(body).hexdigest()[:32]}"')])

    # -- API v5 (repository, releases) ------------------------------------------------------------

    def _api_fields(self, request: Request) -> dict[str, Any]:
        """Query parameters and JSON body fields together: Gitee takes ``access_token`` in either."""
        fields: dict[str, Any] = {key: values[-1] for key, values in request.query.items()}
        try:
            body = request.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            fields.update(body)
        return fields

    def _api_user(self, request: Request, fields: dict[str, Any]) -> tuple[bool, str | None]:
        token = fields.get("access_token")
        if not isinstance(token, str):
            header = request.header("authorization") or ""
            scheme, _, value = header.partition(" ")
            token = value.strip() if scheme.lower() in ("token", "bearer") else None
        if token is None:
            return False, None
        with self._lock:
            return True, self._tokens.get(token)

    def _serve_authenticated_user(self, request: Request) -> Response:
        """``GET /api/v5/user``: who the token belongs to (401 without a token Gitee knows)."""
        _, login = self._api_user(request, self._api_fields(request))
        if login is None:
            return Response.json({"message": "401 Unauthorized: Access token does not exist"}, status=401)
        return Response.json(self._owner_body(login))

    def _serve_api(self, request: Request, owner: str, name: str, rest: str) -> Response:
        fields = self._api_fields(request)
        given, login = self._api_user(request, fields)
        if given and login is None:
            return Response.json({"message": "401 Unauthorized: Access token does not exist"}, status=401)
        repo = self._find_repo(owner, name)
        if repo is None:
            return Response.json({"message": "Not Found Project"}, status=404)
        if rest in ("", "/") and request.method == "GET":
            return Response.json(self._repo_body(repo))
        if rest == "/releases" and request.method == "GET":
            return Response.json([self._release_body(repo, r) for r in reversed(repo.releases)])
        if rest.startswith("/releases/tags/") and request.method == "GET":
            tag = rest.removeprefix("/releases/tags/")
            found = next((r for r in repo.releases if r.tag_name == tag), None)
            # Gitee answers 200 with a JSON null for a tag without a release.
            return Response.json(self._release_body(repo, found) if found else None)
        if rest == "/releases" and request.method == "POST":
            return self._api_create_release(fields, repo, login)
        return Response.json({"message": "404 Not Found"}, status=404)

    def _api_create_release(self, fields: dict[str, Any], repo: GiteeRepo, login: str | None) -> Response:
        if login is None:
            return Response.json({"message": "401 Unauthorized"}, status=401)
        with self._lock:
            role = repo.roles.get(login)
        if role not in ("write", "admin"):
            return Response.json({"message": "403 Forbidden"}, status=403)
        tag = fields.get("tag_name")
        if not isinstance(tag, str) or not tag:
            return Response.json({"message": "tag_name is missing"}, status=400)
        try:
            release_id = self.create_release(repo.full_name, tag, name=str(fields.get("name") or tag),
                                             body=str(fields.get("body") or ""), author=login)
        except ValueError as exc:
            return Response.json({"message": str(exc)}, status=400)
        release = next(r for r in repo.releases if r.id == release_id)
        return Response.json(self._release_body(repo, release), status=201)

    def _owner_body(self, login: str) -> dict[str, Any]:
        user = self._users.get(login.lower())
        return {"id": zlib.crc32(login.lower().encode()), "login": login, "name": user.name if user else login,
                "avatar_url": f"{self.url}/assets/no_portrait.png", "url": f"{self.api_url}/users/{login}",
                "html_url": f"{self.url}/{login}", "type": "User"}

    def _repo_body(self, repo: GiteeRepo) -> dict[str, Any]:
        web = f"{self.url}/{repo.full_name}"
        return {"id": zlib.crc32(repo.full_name.lower().encode()), "full_name": repo.full_name,
                "human_name": repo.full_name.replace("/", " / "), "path": repo.name, "name": repo.name,
                "namespace": {"path": repo.owner, "name": repo.owner, "type": "personal"},
                "owner": self._owner_body(repo.owner), "html_url": f"{web}.git", "ssh_url": None,
                "url": f"{self.api_url}/repos/{repo.full_name}", "default_branch": repo.default_branch,
                "public": True, "private": False, "internal": False, "fork": False,
                "releases_url": f"{self.api_url}/repos/{repo.full_name}/releases{{/id}}",
                "created_at": _iso(repo.created_at), "updated_at": _iso(repo.created_at)}

    def _release_body(self, repo: GiteeRepo, release: GiteeRelease) -> dict[str, Any]:
        archive = f"{self.url}/{repo.full_name}/repository/archive/{release.tag_name}"
        return {"id": release.id, "tag_name": release.tag_name, "target_commitish": release.target_commitish,
                "prerelease": release.prerelease, "name": release.name, "body": release.body,
                "author": self._owner_body(release.author), "created_at": _iso(release.created_at),
                # Gitee lists the source archives as assets; it has no zipball_url field.
                "assets": [{"browser_download_url": f"{archive}.zip", "name": f"{release.tag_name}.zip"}]}


def _iso(moment: datetime) -> str:
    # Gitee writes China time with its offset.
    return moment.astimezone(CHINA).isoformat(timespec="seconds")


def _not_found_page() -> Response:
    return Response.text("<!DOCTYPE html><html><body><h1>404</h1></body></html>", status=404,
                         content_type="text/html; charset=utf-8")


def _git_unauthorized(message: str) -> Response:
    response = Response.text(message, status=401)
    response.headers.append(("WWW-Authenticate", 'Basic realm="Gitee"'))
    return response


def git_credentials_env(username: str, token: str) -> dict[str, str]:
    """Environment for a git command that authenticates as ``username:token`` through a credential helper,
    as a person's git does (never in the remote URL): git first asks anonymously, gets 401, then sends
    these and says "Authentication failed" if the host refuses them."""
    helper = ('!f() { test "$1" = get || exit 0; '
              'echo "username=$WXSANDBOX_GIT_USER"; echo "password=$WXSANDBOX_GIT_TOKEN"; }; f')
    return {"GIT_CONFIG_COUNT": "2", "GIT_CONFIG_KEY_0": "credential.helper", "GIT_CONFIG_VALUE_0": "",
            "GIT_CONFIG_KEY_1": "credential.helper", "GIT_CONFIG_VALUE_1": helper,
            "WXSANDBOX_GIT_USER": username, "WXSANDBOX_GIT_TOKEN": token, "GIT_TERMINAL_PROMPT": "0"}
