"""GET /rate_limit and GET / (the API root)."""

from __future__ import annotations

from typing import Any

from wxsandbox.github.router import Ctx, Router
from wxsandbox.http import Response


def rate_limit(ctx: Ctx) -> Response:
    limit, used, reset = ctx.hub.rate_status(ctx.actor, ctx.request.client_address)
    core = {"limit": limit, "used": used, "remaining": max(0, limit - used), "reset": reset}

    def other(cap: int) -> dict[str, Any]:
        return {"limit": cap, "used": 0, "remaining": cap, "reset": reset}

    return Response.json({
        "resources": {"core": core, "search": other(30), "graphql": other(limit), "integration_manifest": other(5000),
                      "code_search": other(10)},
        "rate": core,
    })


def root(ctx: Ctx) -> Response:
    api = ctx.hub.urls.api
    return Response.json({"current_user_url": f"{api}/user", "repository_url": f"{api}/repos/{{owner}}/{{repo}}",
                          "user_url": f"{api}/users/{{user}}", "rate_limit_url": f"{api}/rate_limit"})


def register(router: Router) -> None:
    router.add("GET", "/rate_limit", rate_limit)
    router.add("GET", "/", root)
