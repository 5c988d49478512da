"""Read-only views of a repository's Actions and Pages settings, and its workflow runs.

``GET /repos/{o}/{r}/actions/runs`` lists what the act runner (the event sink) recorded; secrets (names
only, admin only, as on GitHub; also a deployment environment's), variables and the Pages site come from
the same settings the runner and :meth:`GitHubStandIn.enable_pages` hold. ``wxreg doctor`` reads a
fork's set-up through these.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from wxsandbox.github.router import Ctx, Router
from wxsandbox.github.state import ApiError
from wxsandbox.http import Response


def _iso(moment: float | None) -> str | None:
    return None if moment is None else datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sink_setting(ctx: Ctx, method: str, full_name: str) -> dict[str, str]:
    getter = getattr(ctx.hub.sink, method, None)
    return dict(getter(full_name)) if callable(getter) else {}


def list_runs(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        full_name = repo.full_name
        html = f"{ctx.hub.urls.web}/{full_name}/actions/runs"
        api = f"{ctx.hub.urls.repo_api(full_name)}/actions/runs"
    runs = [run for run in list(getattr(ctx.hub.sink, "runs", []))
            if run.event.repo_full_name.lower() == full_name.lower()]
    wanted_status = ctx.request.query.get("status", [None])[-1]
    shaped: list[dict[str, Any]] = []
    for run in sorted(runs, key=lambda item: item.run_id, reverse=True):
        if wanted_status and wanted_status not in (run.status, run.conclusion):
            continue
        ref = run.event.ref or ""
        shaped.append({
            "id": run.run_id, "name": run.workflow_name, "path": run.workflow, "run_number": run.run_id,
            "event": run.event.name, "status": run.status, "conclusion": run.conclusion,
            "head_branch": ref.removeprefix("refs/heads/").removeprefix("refs/tags/") or None,
            "head_sha": run.event.sha, "url": f"{api}/{run.run_id}", "html_url": f"{html}/{run.run_id}",
            "created_at": _iso(run.started_at), "updated_at": _iso(run.finished_at or run.started_at),
            "run_started_at": _iso(run.started_at),
        })
    return Response.json({"total_count": len(shaped), "workflow_runs": shaped})


def list_secrets(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        ctx.require_role(repo, "admin")
        full_name = repo.full_name
    names = sorted(_sink_setting(ctx, "secrets_of", full_name))
    return Response.json({"total_count": len(names), "secrets": [
        {"name": name, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
        for name in names]})


def list_variables(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        ctx.require_role(repo, "write")
        full_name = repo.full_name
    values = _sink_setting(ctx, "variables_of", full_name)
    return Response.json({"total_count": len(values), "variables": [
        {"name": name, "value": values[name], "created_at": "2026-01-01T00:00:00Z",
         "updated_at": "2026-01-01T00:00:00Z"} for name in sorted(values)]})


def list_environment_secrets(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        ctx.require_role(repo, "admin")
        full_name = repo.full_name
    getter = getattr(ctx.hub.sink, "environment_secrets_of", None)
    found = getter(full_name, ctx.params["environment"]) if callable(getter) else None
    if found is None:
        raise ApiError(404, "Not Found")
    names = sorted(found)
    return Response.json({"total_count": len(names), "secrets": [
        {"name": name, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
        for name in names]})


def register(router: Router) -> None:
    router.add("GET", "/repos/{owner}/{repo}/actions/runs", list_runs)
    router.add("GET", "/repos/{owner}/{repo}/actions/secrets", list_secrets)
    router.add("GET", "/repos/{owner}/{repo}/actions/variables", list_variables)
    router.add("GET", "/repos/{owner}/{repo}/environments/{environment}/secrets", list_environment_secrets)
