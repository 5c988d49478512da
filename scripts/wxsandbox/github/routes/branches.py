"""Branches: list and get (with the full commit), and the branch protection a merge must satisfy."""

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
                  "protected": name.removeprefix("refs/heads/") in repo.protection}
                 for name, sha in sorted(refs.items())]
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
            "protected": name in repo.protection,
            "protection": {"enabled": name in repo.protection, "required_status_checks": {
                "enforcement_level": "non_admins" if name in repo.protection else "off",
                "contexts": list(repo.protection.get(name, [])),
                "checks": [{"context": c, "app_id": None} for c in repo.protection.get(name, [])]}},
            "protection_url": f"{api}/branches/{name}/protection",
        })


def get_protection(ctx: Ctx) -> Response:
    """``GET .../branches/{branch}/protection`` (admin only): the required status checks, and ``strict`` for
    "Require branches to be up to date before merging"; 404 ``Branch not protected`` otherwise."""
    with ctx.hub.state.lock:
        repo = ctx.repo()
        ctx.require_role(repo, "admin")
        name = ctx.params["branch"]
        if name not in repo.protection:
            raise ApiError(404, "Branch not protected")
        api = f"{ctx.hub.urls.repo_api(repo.full_name)}/branches/{name}/protection"
        contexts = list(repo.protection[name])
        return Response.json({"url": api, "required_status_checks": {
            "url": f"{api}/required_status_checks", "strict": name in repo.protection_strict,
            "contexts": contexts, "checks": [{"context": c, "app_id": None} for c in contexts],
            "contexts_url": f"{api}/required_status_checks/contexts"}})


def register(router: Router) -> None:
    # Before the branch route: its ``{branch+}`` would take ``main/protection`` as a branch name.
    router.add("GET", "/repos/{owner}/{repo}/branches/{branch+}/protection", get_protection)
    router.add("GET", "/repos/{owner}/{repo}/branches", list_branches)
    router.add("GET", "/repos/{owner}/{repo}/branches/{branch+}", get_branch)
