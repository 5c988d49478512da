"""GET /repos/{owner}/{repo}; zipball/tarball redirects to the archive host."""

from __future__ import annotations

from wxsandbox.github.router import Ctx, Handler, Router
from wxsandbox.github.state import ApiError
from wxsandbox.http import Response


def get_repo(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        role = ctx.role(repo) if ctx.actor else None
        return Response.json(ctx.hub.shapes.repository(repo, viewer_role=role if role != "none" else "read" if
                                                       ctx.actor else None, git=ctx.hub.git(repo)))


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
    for kind in ("zipball", "tarball"):
        handler = archive_redirect(kind)
        router.add("GET", f"/repos/{{owner}}/{{repo}}/{kind}", handler)
        router.add("GET", f"/repos/{{owner}}/{{repo}}/{kind}/{{ref+}}", handler)
