"""The non-REST faces of the stand-in: git smart HTTP (with GitHub's auth answers), archives, raw files."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from wxsandbox.githttp import GitRoute, git_http_backend, match_git_route, wants_push
from wxsandbox.github.gitrepo import ZERO_SHA
from wxsandbox.github.state import Repo, User, role_at_least
from wxsandbox.http import Request, Response

if TYPE_CHECKING:
    from wxsandbox.github.hub import Hub

AUTH_CHALLENGE = ("WWW-Authenticate", 'Basic realm="GitHub"')


def _unauthorized(message: str) -> Response:
    response = Response.text(message, status=401)
    response.headers.append(AUTH_CHALLENGE)
    return response


def serve_git(hub: Hub, request: Request, route: GitRoute) -> Response:
    """Clone anonymously; push with ``user:token`` Basic auth of someone with write, as on GitHub."""
    with hub.state.lock:
        repo = hub.state.repo(f"{route.owner}/{route.repo}")
    if repo is None:
        return Response.text("Repository not found.\n", status=404)
    push = wants_push(request, route)
    _, token = hub.token_from_header(request)
    user: User | None = None
    if token is not None:
        with hub.state.lock:
            login = hub.state.login_for_token(token)
            user = hub.state.user(login) if login else None
        if user is None:
            # GitHub's answer to a bad password or token, for fetches and pushes alike.
            return _unauthorized("Invalid username or token. Password authentication is not supported for Git "
                                 "operations.\n")
    if push:
        if user is None:
            return _unauthorized("Authentication required.\n")
        with hub.state.lock:
            role = hub.state.role(repo, user.login)
        scope = hub.token_scope(request)
        if not role_at_least(role, "write") or (scope is not None and not scope.may_push(repo.full_name)):
            return Response.text(f"Permission to {repo.full_name}.git denied to {user.login}.\n", status=403)
    if not route.is_push:
        return git_http_backend(request, repo.path, route, user.login if user else None, allow_push=push)
    assert user is not None
    return _receive_pack(hub, request, repo, route, user)


def _receive_pack(hub: Hub, request: Request, repo: Repo, route: GitRoute, user: User) -> Response:
    git = hub.git(repo)
    with repo.git_lock:
        before = git.refs()
        response = git_http_backend(request, repo.path, route, user.login, allow_push=True)
        after = git.refs()
    changes: list[tuple[str, str, str, bool]] = []
    for ref in sorted(set(before) | set(after)):
        old, new = before.get(ref, ZERO_SHA), after.get(ref, ZERO_SHA)
        if old == new:
            continue
        forced = (old != ZERO_SHA and new != ZERO_SHA and ref.startswith("refs/heads/")
                  and not git.is_ancestor(old, new))
        changes.append((ref, old, new, forced))
    if changes:
        events = hub.refs_changed(repo, changes, user)
        hub.deliver(events, user)
    return response


def serve_archive(hub: Hub, request: Request) -> Response | None:
    """``/codeload/{owner}/{repo}/legacy.zip/{ref}`` (and ``legacy.tar.gz``): ``git archive`` of the ref."""
    parts = request.path.split("/", 5)
    if len(parts) < 6 or parts[1] != "codeload" or parts[4] not in ("legacy.zip", "legacy.tar.gz"):
        return None
    owner, name, kind, ref = parts[2], parts[3], parts[4], parts[5]
    with hub.state.lock:
        repo = hub.state.repo(f"{owner}/{name}")
    if repo is None:
        return Response.text("404: Not Found", status=404)
    git = hub.git(repo)
    sha = git.resolve_commit(ref)
    if sha is None:
        return Response.text("404: Not Found", status=404)
    prefix = f"{repo.owner}-{repo.name}-{sha[:7]}"
    if kind == "legacy.zip":
        body, content_type, filename = git.archive(sha, "zip", prefix + "/"), "application/zip", f"{prefix}.zip"
    else:
        body = git.archive(sha, "tar.gz", prefix + "/")
        content_type, filename = "application/x-gzip", f"{prefix}.tar.gz"
    return Response(200, body, [("Content-Type", content_type),
                                ("Content-Disposition", f"attachment; filename={filename}"),
                                ("ETag", f'"{hashlib.sha256(body).hexdigest()[:40]}"')])


def serve_asset(hub: Hub, request: Request) -> Response | None:
    """``/{owner}/{repo}/releases/download/{tag}/{name}``: a release asset's bytes."""
    parts = request.path.split("/")
    if len(parts) < 7 or parts[3:5] != ["releases", "download"]:
        return None
    owner, name, tag, filename = parts[1], parts[2], "/".join(parts[5:-1]), parts[-1]
    with hub.state.lock:
        repo = hub.state.repo(f"{owner}/{name}")
        release = next((r for r in repo.releases.values() if r.tag_name == tag and not r.draft), None) if repo else None
        asset = next((a for a in release.assets if a.name == filename), None) if release else None
        if asset is None:
            return Response.text("Not Found", status=404)
        asset.download_count += 1
        data, kind = asset.data, asset.content_type
    return Response(200, data, [("Content-Type", kind), ("Content-Disposition", f"attachment; filename={filename}")])


def main_app(hub: Hub, request: Request) -> Response:
    fault = hub.faults.intercept(request, "main", apply=hub.api_app if request.path.startswith("/api/") else None)
    if fault is not None:
        hub.log(request, 0 if fault.drop_connection else fault.status, None)
        return fault
    if request.path == "/api/v3" or request.path.startswith(("/api/v3/", "/api/uploads/")):
        return hub.api_app(request)
    route = match_git_route(request)
    login: str | None = None
    if route is not None:
        _, token = hub.token_from_header(request)
        if token is not None:
            with hub.state.lock:
                login = hub.state.login_for_token(token)
        response = serve_git(hub, request, route)
    else:
        response = (serve_archive(hub, request) or serve_asset(hub, request)
                    or Response.text("Not Found\n", status=404))
    hub.log(request, response.status, login)
    return response


def raw_app(hub: Hub, request: Request) -> Response:
    """raw.githubusercontent.com: ``/{owner}/{repo}/{ref}/{path}`` as ``text/plain`` with ETag/304."""
    fault = hub.faults.intercept(request, "raw")
    if fault is not None:
        return fault
    not_found = Response.text("404: Not Found", status=404)
    if request.method not in ("GET", "HEAD"):
        return Response.text("405: Method Not Allowed", status=405)
    parts = request.path.lstrip("/").split("/")
    if len(parts) < 4:
        return not_found
    with hub.state.lock:
        repo = hub.state.repo(f"{parts[0]}/{parts[1]}")
    if repo is None:
        return not_found
    git = hub.git(repo)
    rest = parts[2:]
    start = 3 if rest[0] == "refs" and len(rest) > 3 and rest[1] in ("heads", "tags") else 1
    for cut in range(start, len(rest)):
        ref = "/".join(rest[:cut])
        commit = git.resolve_commit(ref)
        if commit is None:
            continue
        entry = git.entry_at(commit, "/".join(rest[cut:]))
        if entry is None or entry.type != "blob":
            return not_found
        etag = f'"{entry.sha}"'
        headers = [("ETag", etag), ("Cache-Control", "max-age=300"), ("Access-Control-Allow-Origin", "*"),
                   ("X-Content-Type-Options", "nosniff")]
        wanted = request.header("if-none-match")
        if wanted and etag in {tag.strip().removeprefix("W/") for tag in wanted.split(",")}:
            return Response(304, b"", headers)
        return Response(200, git.blob(entry.sha), [("Content-Type", "text/plain; charset=utf-8"), *headers])
    return not_found
