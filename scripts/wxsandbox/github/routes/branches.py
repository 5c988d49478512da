"""Branches: list and get (with the full commit)."""

from __future__ import annotations

from wxsandbox.github.router import Ctx, Router
from wxsandbox.github.state import ApiError
from wxsandbox.http import Response


def list_branches(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        api = ctx.hub.urls.repo_api(repo.full_name)
        refs = ctx.hub.git(repo).refs("refs/heads/")
        items = [{"name": name.removeprefix("refs/heads/"), "commit": {"sha": sha, "url": f"{api}/commits/{sha}"},
                  "protected": False} for name, sha in sorted(refs.items())]
        return ctx.paginate(items)


def get_branch(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        git = ctx.hub.git(repo)
        name = ctx.params["branch"]
        sha = git.ref_sha(f"refs/heads/{name}")
        if sha is None:
            raise ApiError(404, "Branch not found")
        api = ctx.hub.urls.repo_api(repo.full_name)
        return Response.json({
            "name": name, "commit": ctx.hub.shapes.commit(repo, git.commit(sha)),
            "_links": {"self": f"{api}/branches/{name}", "html": f"{ctx.hub.urls.web}/{repo.full_name}/tree/{name}"},
            "protected": False,
            "protection": {"enabled": False, "required_status_checks": {"enforcement_level": "off", "contexts": [],
                                                                         "checks": []}},
            "protection_url": f"{api}/branches/{name}/protection",
        })


def register(router: Router) -> None:
    router.add("GET", "/repos/{owner}/{repo}/branches", list_branches)
    router.add("GET", "/repos/{owner}/{repo}/branches/{branch+}", get_branch)
