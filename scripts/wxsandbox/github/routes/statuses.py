"""Commit statuses, branch protection's required status checks, and organisations' public members.

A merge into a protected branch whose head lacks a ``success`` status for every required context
answers 405, as GitHub does (``pullops.merge`` asks :func:`missing_required`); with ``strict`` ("Require
branches to be up to date before merging") so does a head that does not contain the branch's tip.
"""

from __future__ import annotations

from wxsandbox.github.clock import iso
from wxsandbox.github.payloads import Json
from wxsandbox.github.router import Ctx, Router
from wxsandbox.github.state import ApiError, CommitStatus, Repo
from wxsandbox.http import Response

STATES = ("error", "failure", "pending", "success")


def newest(repo: Repo, sha: str) -> dict[str, CommitStatus]:
    found: dict[str, CommitStatus] = {}
    for status in repo.statuses.get(sha, []):
        found[status.context] = status
    return found


def missing_required(repo: Repo, branch: str, sha: str) -> str | None:
    """GitHub's 405 message when ``sha`` may not be merged into ``branch``, else ``None``. Hold the lock."""
    latest = newest(repo, sha)
    for context in repo.protection.get(branch, []):
        status = latest.get(context)
        if status is None:
            return f'Required status check "{context}" is expected.'
        if status.state != "success":
            return f'Required status check "{context}" is {"failing" if status.state != "pending" else "pending"}.'
    return None


OUT_OF_DATE = "Head branch is not up to date with the base branch."


def _status_json(ctx: Ctx, repo: Repo, sha: str, status: CommitStatus) -> Json:
    api = ctx.hub.urls.repo_api(repo.full_name)
    return {"url": f"{api}/statuses/{sha}", "id": status.id, "node_id": f"SC_{status.id}", "state": status.state,
            "description": status.description, "target_url": status.target_url, "context": status.context,
            "avatar_url": None, "created_at": iso(status.created_at), "updated_at": iso(status.created_at),
            "creator": ctx.hub.shapes.simple_user(status.creator)}


def create_status(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        user = ctx.require_role(repo, "write")
        sha = ctx.params["sha"]
        if ctx.hub.git(repo).resolve_commit(sha) != sha:
            raise ApiError(422, f"No commit found for SHA: {sha}")
        body = ctx.body()
        state = body.get("state")
        if state not in STATES:
            raise ApiError(422, "Validation Failed", errors=[{"resource": "Status", "field": "state",
                                                              "code": "custom"}])
        status = CommitStatus(ctx.hub.state.next_id("status"), state, str(body.get("context") or "default"),
                              body.get("description"), body.get("target_url"), user.login, ctx.hub.state.clock())
        repo.statuses.setdefault(sha, []).append(status)
        return Response.json(_status_json(ctx, repo, sha, status), status=201)


def combined_status(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        sha = ctx.hub.git(repo).resolve_commit(ctx.params["ref"])
        if sha is None:
            raise ApiError(404, "Not Found")
        latest = sorted(newest(repo, sha).values(), key=lambda s: s.context)
        states = {s.state for s in latest}
        overall = ("failure" if states & {"failure", "error"} else "pending" if "pending" in states or not latest
                   else "success")
        api = ctx.hub.urls.repo_api(repo.full_name)
        return Response.json({"state": overall, "sha": sha, "total_count": len(latest),
                              "statuses": [_status_json(ctx, repo, sha, s) for s in latest],
                              "repository": ctx.hub.shapes.repository(repo),
                              "commit_url": f"{api}/commits/{sha}", "url": f"{api}/commits/{sha}/status"})


def put_protection(ctx: Ctx) -> Response:
    """``PUT /branches/{branch}/protection``: only ``required_status_checks`` (contexts, strict) is enforced here."""
    with ctx.hub.state.lock:
        repo = ctx.repo()
        ctx.require_role(repo, "admin")
        body = ctx.body()
        checks = body.get("required_status_checks") or {}
        contexts = [str(c) for c in checks.get("contexts") or []]
        contexts += [str(c.get("context")) for c in checks.get("checks") or [] if isinstance(c, dict)]
        repo.protection[ctx.params["branch"]] = list(dict.fromkeys(contexts))
        if checks.get("strict") is True:
            repo.protection_strict.add(ctx.params["branch"])
        else:
            repo.protection_strict.discard(ctx.params["branch"])
        return get_protection_locked(ctx, repo)


def get_protection_locked(ctx: Ctx, repo: Repo) -> Response:
    branch = ctx.params["branch"]
    if branch not in repo.protection:
        raise ApiError(404, "Branch not protected")
    url = f"{ctx.hub.urls.repo_api(repo.full_name)}/branches/{branch}/protection"
    contexts = repo.protection[branch]
    return Response.json({"url": url, "required_status_checks": {
        "url": f"{url}/required_status_checks", "strict": branch in repo.protection_strict, "contexts": contexts,
        "checks": [{"context": c, "app_id": None} for c in contexts]}})


def get_protection(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        ctx.require_role(repo, "admin")
        return get_protection_locked(ctx, repo)


def public_member(ctx: Ctx) -> Response:
    """``GET /orgs/{org}/public_members/{username}``: 204 when a public member, 404 otherwise."""
    with ctx.hub.state.lock:
        members = ctx.hub.state.public_members.get(ctx.params["org"].lower(), set())
        if ctx.params["username"].lower() in {m.lower() for m in members}:
            return Response(204, b"", [])
        raise ApiError(404, "Not Found")


def register(router: Router) -> None:
    base = "/repos/{owner}/{repo}"
    router.add("POST", f"{base}/statuses/{{sha}}", create_status)
    router.add("GET", f"{base}/commits/{{ref}}/status", combined_status)
    router.add("PUT", f"{base}/branches/{{branch}}/protection", put_protection)
    router.add("GET", f"{base}/branches/{{branch}}/protection", get_protection)
    router.add("GET", "/orgs/{org}/public_members/{username}", public_member)
