"""Collaborators: permission (``role_name`` + legacy ``permission``), check, add/remove."""

from __future__ import annotations

from wxsandbox.github.router import Ctx, Router
from wxsandbox.github.state import ROLES, ApiError, role_at_least
from wxsandbox.http import Response

LEGACY = {"admin": "admin", "maintain": "write", "write": "write", "triage": "read", "read": "read", "none": "none"}


def permission(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        # GitHub documents only 200 and 404 here: anyone who can see the repository may ask.
        repo = ctx.repo()
        user = ctx.hub.state.user(ctx.params["username"])
        if user is None:
            raise ApiError(404, "Not Found")
        role = ctx.hub.state.role(repo, user.login)
        if role == "none":
            role = "read"  # every stand-in repository is public: anyone can read it
        body = {
            "permission": LEGACY[role], "role_name": role,
            "user": {**ctx.hub.shapes.simple_user(user.login), "role_name": role,
                     "permissions": _permissions(role)},
        }
        return Response.json(body)


def _permissions(role: str) -> dict[str, bool]:
    return {"admin": role_at_least(role, "admin"), "maintain": role_at_least(role, "maintain"),
            "push": role_at_least(role, "write"), "triage": role_at_least(role, "triage"), "pull": True}


def check(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        ctx.require_actor()
        user = ctx.hub.state.user(ctx.params["username"])
        if user is None or (repo.roles.get(user.login, "none") == "none" and user.login != repo.owner):
            raise ApiError(404, "Not Found")
        return Response(204)


def add(ctx: Ctx) -> Response:
    data = ctx.body()
    wanted = str(data.get("permission") or "write")
    wanted = {"pull": "read", "push": "write"}.get(wanted, wanted)
    if wanted not in ROLES[1:]:
        raise ApiError(422, "Validation Failed")
    with ctx.hub.state.lock:
        repo = ctx.repo()
        ctx.require_role(repo, "admin")
        user = ctx.hub.state.user(ctx.params["username"])
        if user is None:
            raise ApiError(404, "Not Found")
        repo.roles[user.login] = wanted
        return Response(204)


def remove(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        ctx.require_role(repo, "admin")
        user = ctx.hub.state.user(ctx.params["username"])
        if user is not None:
            repo.roles.pop(user.login, None)
        return Response(204)


def register(router: Router) -> None:
    router.add("GET", "/repos/{owner}/{repo}/collaborators/{username}/permission", permission)
    router.add("GET", "/repos/{owner}/{repo}/collaborators/{username}", check)
    router.add("PUT", "/repos/{owner}/{repo}/collaborators/{username}", add)
    router.add("DELETE", "/repos/{owner}/{repo}/collaborators/{username}", remove)
