"""Repositories: get, create for the authenticated user, fork, star, tags; zipball/tarball redirects."""

from __future__ import annotations

import re

from wxsandbox.github.gitrepo import Person
from wxsandbox.github.router import Ctx, Handler, Router
from wxsandbox.github.state import ApiError, Repo
from wxsandbox.http import Response


def get_repo(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        role = ctx.role(repo) if ctx.actor else None
        viewer = (role if role != "none" else "read") if ctx.actor else None
        return Response.json(ctx.hub.shapes.repository(repo, viewer_role=viewer, git=ctx.hub.git(repo),
                                                       with_parent=True))


def create_fork(ctx: Ctx) -> Response:
    """Fork into the caller's account (202, as GitHub answers: forking is asynchronous there)."""
    actor = ctx.require_actor()
    if actor.is_bot:
        raise ApiError(403, "Resource not accessible by integration")
    data = ctx.body()
    with ctx.hub.state.lock:
        source = ctx.repo()
        name = data.get("name") if isinstance(data.get("name"), str) else source.name
        existing = next((r for r in ctx.hub.state.repos.values()
                         if r.owner == actor.login and r.parent == source.full_name), None)
        if existing is None:
            if ctx.hub.state.repo(f"{actor.login}/{name}") is not None:
                raise ApiError(422, "Validation Failed", errors=[{
                    "resource": "Repository", "code": "custom", "field": "name",
                    "message": "name already exists on this account"}])
            if source.owner == actor.login:
                raise ApiError(422, "Validation Failed", errors=[{
                    "resource": "Repository", "code": "custom", "message": "Cannot fork your own repository"}])
            existing = ctx.hub.create_repo(actor.login, str(name), default_branch=source.default_branch,
                                           description=source.description, fork_of=source)
        body = ctx.hub.shapes.repository(existing, viewer_role="admin", git=ctx.hub.git(existing), with_parent=True)
        return Response.json(body, status=202)


NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def create_for_user(ctx: Ctx) -> Response:
    actor = ctx.require_actor()
    if actor.is_bot:
        raise ApiError(403, "Resource not accessible by integration")
    data = ctx.body()
    name = data.get("name")
    if not isinstance(name, str) or not NAME.match(name) or name in (".", ".."):
        raise ApiError(422, "Validation Failed", errors=[{"resource": "Repository", "field": "name",
                                                         "code": "invalid"}])
    description = data.get("description")
    with ctx.hub.state.lock:
        if ctx.hub.state.repo(f"{actor.login}/{name}") is not None:
            raise ApiError(422, "Repository creation failed.", errors=[{
                "resource": "Repository", "code": "custom", "field": "name",
                "message": "name already exists on this account"}])
        repo = ctx.hub.create_repo(actor.login, name, description=description if isinstance(description, str) else "")
        git = ctx.hub.git(repo)
        if data.get("auto_init"):
            tree = git.build_tree(None, [("README.md", "100644", git.hash_blob(f"# {name}\n".encode()))])
            who = Person(actor.name or actor.login, actor.commit_email, ctx.hub.state.clock())
            git.update_ref(f"refs/heads/{repo.default_branch}", git.commit_tree(tree, [], "Initial commit\n", who))
        body = ctx.hub.shapes.repository(repo, viewer_role="admin", git=git)
        return Response.json(body, status=201, headers=[("Location", body["url"])])


def list_tags(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        git = ctx.hub.git(repo)
        api = ctx.hub.urls.repo_api(repo.full_name)
        items = []
        for ref in sorted(git.refs("refs/tags/"), reverse=True):
            name = ref.removeprefix("refs/tags/")
            sha = git.ref_sha(ref)
            if sha is None or git.object_type(sha) != "commit":
                continue
            items.append({"name": name, "commit": {"sha": sha, "url": f"{api}/commits/{sha}"},
                          "zipball_url": f"{api}/zipball/refs/tags/{name}",
                          "tarball_url": f"{api}/tarball/refs/tags/{name}", "node_id": f"REF_{name}"})
        return ctx.paginate(items)


def _starred_repo(ctx: Ctx) -> tuple[str, Repo]:
    login = ctx.require_actor().login
    repo = ctx.repo()
    return login, repo


def star(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        login, repo = _starred_repo(ctx)
        repo.stargazers.add(login)
        return Response(204)


def unstar(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        login, repo = _starred_repo(ctx)
        repo.stargazers.discard(login)
        return Response(204)


def is_starred(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        login, repo = _starred_repo(ctx)
        if login not in repo.stargazers:
            raise ApiError(404, "Not Found")
        return Response(204)


def archive_redirect(kind: str) -> Handler:
    def handler(ctx: Ctx) -> Response:
        with ctx.hub.state.lock:
            repo = ctx.repo()
        ref = ctx.params.get("ref") or repo.default_branch
        if ctx.hub.git(repo).resolve_commit(ref) is None:
            raise ApiError(404, "Not Found")
        fmt = "legacy.zip" if kind == "zipball" else "legacy.tar.gz"
        location = f"{ctx.hub.urls.web}/codeload/{repo.full_name}/{fmt}/{ref}"
        return Response(302, b"", [("Location", location)])
    return handler


def register(router: Router) -> None:
    router.add("GET", "/repos/{owner}/{repo}", get_repo)
    router.add("POST", "/user/repos", create_for_user)
    router.add("POST", "/repos/{owner}/{repo}/forks", create_fork)
    router.add("PUT", "/user/starred/{owner}/{repo}", star)
    router.add("DELETE", "/user/starred/{owner}/{repo}", unstar)
    router.add("GET", "/user/starred/{owner}/{repo}", is_starred)
    router.add("GET", "/repos/{owner}/{repo}/tags", list_tags)
    for kind in ("zipball", "tarball"):
        handler = archive_redirect(kind)
        router.add("GET", f"/repos/{{owner}}/{{repo}}/{kind}", handler)
        router.add("GET", f"/repos/{{owner}}/{{repo}}/{kind}/{{ref+}}", handler)
