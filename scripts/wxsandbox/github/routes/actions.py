"""Dispatches: ``workflow_dispatch`` and ``repository_dispatch``.

These are the two events GitHub lets the workflow token start runs with, so they are delivered
whoever the actor is.
"""

from __future__ import annotations

from typing import Any

from wxsandbox.github.gitrepo import ZERO_SHA
from wxsandbox.github.router import Ctx, Router
from wxsandbox.github.state import ApiError
from wxsandbox.http import Response


def workflow_dispatch(ctx: Ctx) -> Response:
    data = ctx.body()
    ref = data.get("ref")
    inputs: Any = data.get("inputs") or {}
    if not isinstance(ref, str) or not isinstance(inputs, dict):
        raise ApiError(422, "Invalid request.\n\n\"ref\" wasn't supplied.")
    workflow = ctx.params["workflow"]
    if not workflow.endswith((".yml", ".yaml")):
        raise ApiError(404, "Not Found")
    with ctx.hub.state.lock:
        repo = ctx.repo()
        actor = ctx.require_role(repo, "write")
        git = ctx.hub.git(repo)
        full_ref = ref if ref.startswith("refs/") else f"refs/heads/{ref}"
        sha = git.ref_sha(full_ref) or (git.ref_sha(f"refs/tags/{ref}") if not ref.startswith("refs/") else None)
        if sha is None:
            raise ApiError(422, f"No ref found for: {ref}")
        if git.entry_at(sha, f".github/workflows/{workflow}") is None:
            raise ApiError(404, "Not Found")
        payload = {"inputs": {str(k): v for k, v in inputs.items()}, "ref": full_ref,
                   "repository": ctx.hub.shapes.repository(repo), "sender": ctx.hub.shapes.simple_user(actor.login),
                   "workflow": f".github/workflows/{workflow}"}
        event = ctx.hub.events.custom("workflow_dispatch", payload, repo, full_ref, sha)
    ctx.hub.deliver([event], actor, even_from_bot=True)
    return Response(204)


def repository_dispatch(ctx: Ctx) -> Response:
    data = ctx.body()
    event_type, client_payload = data.get("event_type"), data.get("client_payload") or {}
    if not isinstance(event_type, str) or not event_type or not isinstance(client_payload, dict):
        raise ApiError(422, "Invalid request.\n\n\"event_type\" wasn't supplied.")
    with ctx.hub.state.lock:
        repo = ctx.repo()
        actor = ctx.require_role(repo, "write")
        git = ctx.hub.git(repo)
        ref = f"refs/heads/{repo.default_branch}"
        payload = {"action": event_type, "branch": repo.default_branch, "client_payload": client_payload,
                   "repository": ctx.hub.shapes.repository(repo), "sender": ctx.hub.shapes.simple_user(actor.login)}
        event = ctx.hub.events.custom("repository_dispatch", payload, repo, ref, git.ref_sha(ref) or ZERO_SHA)
    ctx.hub.deliver([event], actor, even_from_bot=True)
    return Response(204)


def register(router: Router) -> None:
    router.add("POST", "/repos/{owner}/{repo}/actions/workflows/{workflow}/dispatches", workflow_dispatch)
    router.add("POST", "/repos/{owner}/{repo}/dispatches", repository_dispatch)
