"""GET /user, GET /users/{username}."""

from __future__ import annotations

from wxsandbox.github.router import Ctx, Router
from wxsandbox.github.state import ApiError
from wxsandbox.http import Response


def get_authenticated(ctx: Ctx) -> Response:
    user = ctx.require_actor()
    if user.is_bot:
        raise ApiError(403, "Resource not accessible by integration")
    with ctx.hub.state.lock:
        return Response.json(ctx.hub.shapes.private_user(user))


def get_user(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        user = ctx.hub.state.user(ctx.params["username"])
        if user is None:
            raise ApiError(404, "Not Found")
        return Response.json(ctx.hub.shapes.public_user(user))


def register(router: Router) -> None:
    router.add("GET", "/user", get_authenticated)
    router.add("GET", "/users/{username}", get_user)
