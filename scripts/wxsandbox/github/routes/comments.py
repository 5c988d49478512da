"""Issue comments: list/create on an issue, list for a repo, get/update/delete by id."""

from __future__ import annotations

from wxsandbox.github.router import Ctx, Router, denied_message
from wxsandbox.github.routes.issues import MAX_BODY, find_issue
from wxsandbox.github.state import ApiError, Comment, Repo, role_at_least
from wxsandbox.http import Response


def _body(data: dict[str, object]) -> str:
    body = data.get("body")
    if not isinstance(body, str) or not body:
        raise ApiError(422, "Validation Failed",
                       errors=[{"resource": "IssueComment", "field": "body", "code": "missing_field"}])
    if len(body) > MAX_BODY:
        raise ApiError(422, "Validation Failed",
                       errors=[{"resource": "IssueComment", "field": "body", "code": "custom",
                                "message": "body is too long (maximum is 65536 characters)"}])
    return body


def _find(ctx: Ctx, repo: Repo) -> Comment:
    comment = ctx.hub.state.comments.get(int(ctx.params["comment_id"]))
    if comment is None or comment.repo != repo.full_name:
        raise ApiError(404, "Not Found")
    return comment


def list_for_issue(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        issue = find_issue(repo, ctx.params["number"])
        found = [c for c in ctx.hub.state.comments.values()
                 if c.repo == repo.full_name and c.issue_number == issue.number]
        since = ctx.request.query_value("since")
        if since:
            found = [c for c in found if (c.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ") >= since)]
        found.sort(key=lambda c: c.id)
        return ctx.paginate([ctx.hub.shapes.comment(repo, c) for c in found])


def list_for_repo(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        found = sorted((c for c in ctx.hub.state.comments.values() if c.repo == repo.full_name), key=lambda c: c.id)
        if ctx.request.query_value("direction") == "desc":
            found.reverse()
        return ctx.paginate([ctx.hub.shapes.comment(repo, c) for c in found])


def create(ctx: Ctx) -> Response:
    actor = ctx.require_actor()
    body = _body(ctx.body())
    with ctx.hub.state.lock:
        repo = ctx.repo()
        issue = find_issue(repo, ctx.params["number"])
        if issue.locked and not role_at_least(ctx.role(repo), "write"):
            raise ApiError(403, "Unable to create comment because issue is locked.")
        now = ctx.hub.state.clock()
        comment = Comment(ctx.hub.state.next_id("comment"), repo.full_name, issue.number, actor.login, body, now, now)
        ctx.hub.state.comments[comment.id] = comment
        shaped = ctx.hub.shapes.comment(repo, comment)
        ctx.events.append(ctx.hub.events.issue_comment(repo, ctx.hub.git(repo), issue, shaped, "created", actor.login))
        return Response.json(shaped, status=201, headers=[("Location", shaped["url"])])


def get(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        return Response.json(ctx.hub.shapes.comment(repo, _find(ctx, repo)))


def _may_change(ctx: Ctx, repo: Repo, comment: Comment) -> None:
    actor = ctx.require_actor()
    if comment.user != actor.login and not role_at_least(ctx.role(repo), "write"):
        raise ApiError(403, denied_message(actor, "write"))


def update(ctx: Ctx) -> Response:
    actor = ctx.require_actor()
    body = _body(ctx.body())
    with ctx.hub.state.lock:
        repo = ctx.repo()
        comment = _find(ctx, repo)
        _may_change(ctx, repo, comment)
        previous = comment.body
        comment.body, comment.updated_at = body, ctx.hub.state.clock()
        shaped = ctx.hub.shapes.comment(repo, comment)
        if previous != body:
            issue = repo.issues[comment.issue_number]
            ctx.events.append(ctx.hub.events.issue_comment(repo, ctx.hub.git(repo), issue, shaped, "edited",
                                                           actor.login, changes={"body": {"from": previous}}))
        return Response.json(shaped)


def delete(ctx: Ctx) -> Response:
    actor = ctx.require_actor()
    with ctx.hub.state.lock:
        repo = ctx.repo()
        comment = _find(ctx, repo)
        _may_change(ctx, repo, comment)
        shaped = ctx.hub.shapes.comment(repo, comment)
        del ctx.hub.state.comments[comment.id]
        issue = repo.issues[comment.issue_number]
        ctx.events.append(ctx.hub.events.issue_comment(repo, ctx.hub.git(repo), issue, shaped, "deleted", actor.login))
        return Response(204)


def register(router: Router) -> None:
    router.add("GET", "/repos/{owner}/{repo}/issues/comments", list_for_repo)
    router.add("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id}", get)
    router.add("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}", update)
    router.add("DELETE", "/repos/{owner}/{repo}/issues/comments/{comment_id}", delete)
    router.add("GET", "/repos/{owner}/{repo}/issues/{number}/comments", list_for_issue)
    router.add("POST", "/repos/{owner}/{repo}/issues/{number}/comments", create)
