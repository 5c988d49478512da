"""Issues: create, get, list (state, labels, creator, assignee, since, sort), update."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import wxsandbox.github.pullops as pullops
from wxsandbox.events import Event
from wxsandbox.github.router import Ctx, Router, denied_message
from wxsandbox.github.state import ApiError, Issue, Label, Repo, role_at_least
from wxsandbox.http import Response

if TYPE_CHECKING:
    from wxsandbox.github.hub import Hub

MAX_BODY = 65536


def find_issue(repo: Repo, number: str) -> Issue:
    try:
        issue = repo.issues.get(int(number))
    except ValueError:
        issue = None
    if issue is None:
        raise ApiError(404, "Not Found")
    return issue


def ensure_label(hub: Hub, repo: Repo, name: str) -> Label:
    """An existing label, or a new one with GitHub's default colour (applying creates, as on GitHub)."""
    if not isinstance(name, str) or not name.strip():
        raise ApiError(422, "Validation Failed", errors=[{"resource": "Label", "field": "name", "code": "invalid"}])
    found = repo.label(name)
    if found is None:
        found = Label(hub.state.next_id("label"), name.strip(), "ededed", None)
        repo.labels[found.name.lower()] = found
    return found


def label_names(value: Any) -> list[str]:
    if isinstance(value, dict):
        value = value.get("labels", [])
    if not isinstance(value, list):
        raise ApiError(422, "Invalid request.\n\nFor 'links/0/schema', nil is not an array.")
    names: list[str] = []
    for item in value:
        name = item.get("name") if isinstance(item, dict) else item
        if not isinstance(name, str):
            raise ApiError(422, "Validation Failed")
        names.append(name)
    return names


def apply_labels(ctx: Ctx, repo: Repo, issue: Issue, wanted: list[str], *, replace: bool) -> list[Event]:
    """Add (or replace with) ``wanted``; labeled/unlabeled events for each change."""
    actor = ctx.require_actor()
    git = ctx.hub.git(repo)
    events: list[Event] = []
    now = ctx.hub.state.clock()
    wanted_labels = [ensure_label(ctx.hub, repo, name) for name in wanted]
    wanted_keys = {label.name.lower() for label in wanted_labels}
    if replace:
        for name in list(issue.labels):
            if name.lower() not in wanted_keys:
                issue.labels.remove(name)
                issue.updated_at = now
                removed = repo.label(name)
                if removed:
                    events.append(label_event(ctx, repo, issue, "unlabeled", removed, actor.login, git))
    present = {name.lower() for name in issue.labels}
    for label in wanted_labels:
        if label.name.lower() not in present:
            issue.labels.append(label.name)
            present.add(label.name.lower())
            issue.updated_at = now
            events.append(label_event(ctx, repo, issue, "labeled", label, actor.login, git))
    return events


def label_event(ctx: Ctx, repo: Repo, issue: Issue, action: str, label: Label, sender: str, git: Any) -> Event:
    shapes = ctx.hub.shapes
    if issue.pull is not None:
        return ctx.hub.events.pull_request(repo, pullops.pull_json(ctx.hub, repo, issue), action, sender,
                                           label=shapes.label(repo, label))
    return ctx.hub.events.issues(repo, git, issue, action, sender, label=shapes.label(repo, label))


def check_body(body: Any, field: str = "body") -> str | None:
    if body is None:
        return None
    if not isinstance(body, str):
        raise ApiError(422, "Validation Failed", errors=[{"resource": "Issue", "field": field, "code": "invalid"}])
    if len(body) > MAX_BODY:
        too_long = f"{field} is too long (maximum is 65536 characters)"
        raise ApiError(422, "Validation Failed",
                       errors=[{"resource": "Issue", "field": field, "code": "custom", "message": too_long}])
    return body


def open_issue(hub: Hub, repo: Repo, author: str, title: str, body: str | None, *, labels: list[str],
               assignees: list[str]) -> tuple[Issue, list[Event]]:
    """Open an issue as ``author``: ``opened``, then ``labeled`` per label, as GitHub sends them.

    Hold the state lock. Whether ``author`` may set labels is the caller's decision."""
    now = hub.state.clock()
    issue = Issue(hub.state.next_id("issue"), repo.next_number, title, body, author, now, now)
    repo.next_number += 1
    applied = []
    for name in labels:
        label = ensure_label(hub, repo, name)
        if label.name not in issue.labels:
            issue.labels.append(label.name)
            applied.append(label)
    issue.assignees = [user.login for name in assignees if (user := hub.state.user(name))]
    repo.issues[issue.number] = issue
    git = hub.git(repo)
    events = [hub.events.issues(repo, git, issue, "opened", author)]
    events += [hub.events.issues(repo, git, issue, "labeled", author, label=hub.shapes.label(repo, label))
               for label in applied]
    return issue, events


def create_issue(ctx: Ctx) -> Response:
    actor = ctx.require_actor()
    data = ctx.body()
    title = data.get("title")
    if isinstance(title, int):
        title = str(title)
    if not isinstance(title, str) or not title.strip():
        raise ApiError(422, "Validation Failed",
                       errors=[{"resource": "Issue", "field": "title", "code": "missing_field"}])
    body = check_body(data.get("body"))
    with ctx.hub.state.lock:
        repo = ctx.repo()
        # GitHub's REST reference for "Create an issue": "Only users with push access can set labels for
        # new issues. Labels are silently dropped otherwise." Assignees likewise.
        push = role_at_least(ctx.role(repo), "write")
        labels = label_names(data["labels"]) if push and data.get("labels") else []
        assignees = [str(name) for name in data.get("assignees") or []] if push else []
        issue, events = open_issue(ctx.hub, repo, actor.login, title, body, labels=labels, assignees=assignees)
        ctx.events += events
        return Response.json(ctx.hub.shapes.issue(repo, issue), status=201,
                             headers=[("Location", f"{ctx.hub.urls.repo_api(repo.full_name)}/issues/{issue.number}")])


def get_issue(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        return Response.json(ctx.hub.shapes.issue(repo, find_issue(repo, ctx.params["number"])))


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ApiError(422, "Validation Failed") from exc


def list_issues(ctx: Ctx) -> Response:
    query = ctx.request.query_value
    state = query("state") or "open"
    if state not in ("open", "closed", "all"):
        raise ApiError(422, "Validation Failed")
    wanted_labels = [name.strip().lower() for name in (query("labels") or "").split(",") if name.strip()]
    creator, assignee, since = query("creator"), query("assignee"), _since(query("since"))
    sort, direction = query("sort") or "created", query("direction") or "desc"
    with ctx.hub.state.lock:
        repo = ctx.repo()
        found: list[Issue] = []
        for issue in repo.issues.values():
            if state != "all" and issue.state != state:
                continue
            have = {name.lower() for name in issue.labels}
            if any(name not in have for name in wanted_labels):
                continue
            if creator and issue.user.lower() != creator.lower():
                continue
            if assignee == "none" and issue.assignees:
                continue
            assigned = {a.lower() for a in issue.assignees}
            if assignee and assignee not in ("*", "none") and assignee.lower() not in assigned:
                continue
            if assignee == "*" and not issue.assignees:
                continue
            if since and issue.updated_at < since:
                continue
            found.append(issue)
        if sort == "updated":
            found.sort(key=lambda i: (i.updated_at, i.number))
        elif sort == "comments":
            counts: dict[int, int] = {}
            for comment in ctx.hub.state.comments.values():
                if comment.repo == repo.full_name:
                    counts[comment.issue_number] = counts.get(comment.issue_number, 0) + 1
            found.sort(key=lambda i: (counts.get(i.number, 0), i.number))
        else:
            found.sort(key=lambda i: (i.created_at, i.number))
        if direction != "asc":
            found.reverse()
        return ctx.paginate([ctx.hub.shapes.issue(repo, issue) for issue in found])


def update_issue(ctx: Ctx) -> Response:
    actor = ctx.require_actor()
    data = ctx.body()
    with ctx.hub.state.lock:
        repo = ctx.repo()
        issue = find_issue(repo, ctx.params["number"])
        role = ctx.role(repo)
        is_author = issue.user == actor.login
        triage = role_at_least(role, "triage")
        if not (is_author or triage):
            raise ApiError(403, denied_message(actor, "triage"))
        git = ctx.hub.git(repo)
        now = ctx.hub.state.clock()
        changes: dict[str, dict[str, str | None]] = {}
        if "title" in data:
            title = data["title"]
            if not isinstance(title, str) or not title.strip():
                raise ApiError(422, "Validation Failed",
                               errors=[{"resource": "Issue", "field": "title", "code": "missing_field"}])
            if title != issue.title:
                changes["title"] = {"from": issue.title}
                issue.title = title
        if "body" in data:
            body = check_body(data["body"])
            if body != issue.body:
                changes["body"] = {"from": issue.body}
                issue.body = body
        if changes:
            issue.updated_at = now
            if issue.pull is not None:
                ctx.events.append(ctx.hub.events.pull_request(repo, pullops.pull_json(ctx.hub, repo, issue), "edited",
                                                              actor.login, changes=changes))
            else:
                ctx.events.append(ctx.hub.events.issues(repo, git, issue, "edited", actor.login, changes=changes))
        if "labels" in data and triage:
            ctx.events += apply_labels(ctx, repo, issue, label_names(data["labels"] or []), replace=True)
        if "assignees" in data and triage and isinstance(data["assignees"], list):
            issue.assignees = [u.login for name in data["assignees"] if (u := ctx.hub.state.user(str(name)))]
            issue.updated_at = now
        state = data.get("state")
        reason = data.get("state_reason")
        if reason is not None and reason not in ("completed", "not_planned", "reopened", "duplicate"):
            raise ApiError(422, "Validation Failed",
                           errors=[{"resource": "Issue", "field": "state_reason", "code": "invalid"}])
        if state is not None and state not in ("open", "closed"):
            raise ApiError(422, "Validation Failed",
                           errors=[{"resource": "Issue", "field": "state", "code": "invalid"}])
        if state == "closed" and issue.state == "open":
            if issue.pull is not None and issue.pull.merged:
                raise ApiError(422, "Validation Failed")
            issue.state, issue.state_reason = "closed", (None if issue.pull else reason or "completed")
            issue.closed_at, issue.closed_by, issue.updated_at = now, actor.login, now
            ctx.events.append(_state_event(ctx, repo, issue, "closed", actor.login, git))
        elif state == "open" and issue.state == "closed":
            if issue.pull is not None and issue.pull.merged:
                raise ApiError(422, "Validation Failed",
                               errors=[{"resource": "Issue", "field": "state", "code": "invalid"}])
            issue.state, issue.state_reason = "open", (None if issue.pull else "reopened")
            issue.closed_at, issue.closed_by, issue.updated_at = None, None, now
            if issue.pull is not None:
                pullops.refresh_refs(ctx.hub, repo, git, issue)
            ctx.events.append(_state_event(ctx, repo, issue, "reopened", actor.login, git))
        elif state is None and reason is not None and issue.state == "closed" and issue.pull is None:
            issue.state_reason = reason
        return Response.json(ctx.hub.shapes.issue(repo, issue))


def _state_event(ctx: Ctx, repo: Repo, issue: Issue, action: str, sender: str, git: Any) -> Event:
    if issue.pull is not None:
        return ctx.hub.events.pull_request(repo, pullops.pull_json(ctx.hub, repo, issue), action, sender)
    return ctx.hub.events.issues(repo, git, issue, action, sender)


def lock(ctx: Ctx) -> Response:
    data = ctx.body() if ctx.request.body else {}
    reason = data.get("lock_reason")
    if reason is not None and reason not in ("off-topic", "too heated", "resolved", "spam"):
        raise ApiError(422, "Validation Failed")
    with ctx.hub.state.lock:
        repo = ctx.repo()
        actor = ctx.require_role(repo, "write")
        issue = find_issue(repo, ctx.params["number"])
        if not issue.locked:
            issue.locked, issue.lock_reason, issue.updated_at = True, reason, ctx.hub.state.clock()
            ctx.events.append(_lock_event(ctx, repo, issue, "locked", actor.login))
        return Response(204)


def unlock(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        actor = ctx.require_role(repo, "write")
        issue = find_issue(repo, ctx.params["number"])
        if issue.locked:
            issue.locked, issue.lock_reason, issue.updated_at = False, None, ctx.hub.state.clock()
            ctx.events.append(_lock_event(ctx, repo, issue, "unlocked", actor.login))
        return Response(204)


def _lock_event(ctx: Ctx, repo: Repo, issue: Issue, action: str, sender: str) -> Event:
    return _state_event(ctx, repo, issue, action, sender, ctx.hub.git(repo))


def register(router: Router) -> None:
    router.add("POST", "/repos/{owner}/{repo}/issues", create_issue)
    router.add("GET", "/repos/{owner}/{repo}/issues", list_issues)
    router.add("GET", "/repos/{owner}/{repo}/issues/{number}", get_issue)
    router.add("PATCH", "/repos/{owner}/{repo}/issues/{number}", update_issue)
    router.add("PUT", "/repos/{owner}/{repo}/issues/{number}/lock", lock)
    router.add("DELETE", "/repos/{owner}/{repo}/issues/{number}/lock", unlock)
