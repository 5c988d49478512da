"""Commit statuses: create one on a sha (what branch protection's required statuses read)."""

from __future__ import annotations

from wxsandbox.github.clock import iso
from wxsandbox.github.router import Ctx, Router
from wxsandbox.github.state import ApiError
from wxsandbox.http import Response

STATES = ("error", "failure", "pending", "success")


def create_status(ctx: Ctx) -> Response:
    data = ctx.body()
    state, context = data.get("state"), data.get("context") or "default"
    if state not in STATES or not isinstance(context, str):
        raise ApiError(422, "Validation Failed", errors=[{"resource": "Status", "field": "state", "code": "invalid"}])
    with ctx.hub.state.lock:
        repo = ctx.repo()
        actor = ctx.require_role(repo, "write")
        sha = ctx.hub.git(repo).resolve_commit(ctx.params["sha"])
        if sha is None:
            raise ApiError(422, f"No commit found for SHA: {ctx.params['sha']}")
        status = {"id": ctx.hub.state.next_id("status"), "state": state, "context": context,
                  "description": data.get("description"), "target_url": data.get("target_url"),
                  "creator": ctx.hub.shapes.simple_user(actor.login), "created_at": iso(ctx.hub.state.clock()),
                  "url": f"{ctx.hub.urls.repo_api(repo.full_name)}/statuses/{sha}"}
        repo.statuses.setdefault(sha, []).append(status)
        return Response.json(status, status=201)


def register(router: Router) -> None:
    base = "/repos/{owner}/{repo}"
    router.add("POST", f"{base}/statuses/{{sha}}", create_status)
