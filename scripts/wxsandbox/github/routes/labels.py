"""Repository labels (list/create/get/update/delete) and issue labels (list/add/set/remove/clear)."""

from __future__ import annotations

import re

from wxsandbox.github.router import Ctx, Router
from wxsandbox.github.routes.issues import apply_labels, find_issue, label_event, label_names
from wxsandbox.github.state import ApiError, Label
from wxsandbox.http import Response

COLOR = re.compile(r"^[0-9a-fA-F]{6}$")


def list_repo_labels(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        labels = sorted(repo.labels.values(), key=lambda label: label.id)
        return ctx.paginate([ctx.hub.shapes.label(repo, label) for label in labels])


def create_label(ctx: Ctx) -> Response:
    data = ctx.body()
    name, color = data.get("name"), str(data.get("color") or "ededed").lstrip("#")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(422, "Validation Failed",
                       errors=[{"resource": "Label", "field": "name", "code": "missing_field"}])
    if not COLOR.match(color):
        raise ApiError(422, "Validation Failed", errors=[{"resource": "Label", "field": "color", "code": "invalid"}])
    with ctx.hub.state.lock:
        repo = ctx.repo()
        ctx.require_role(repo, "write")
        if repo.label(name):
            raise ApiError(422, "Validation Failed",
                           errors=[{"resource": "Label", "code": "already_exists", "field": "name"}])
        description = data.get("description")
        label = Label(ctx.hub.state.next_id("label"), name.strip(), color.lower(),
                      description if isinstance(description, str) else None)
        repo.labels[label.name.lower()] = label
        shaped = ctx.hub.shapes.label(repo, label)
        return Response.json(shaped, status=201, headers=[("Location", shaped["url"])])


def _label(ctx: Ctx) -> tuple[Label, str]:
    repo = ctx.repo()
    label = repo.label(ctx.params["name"])
    if label is None:
        raise ApiError(404, "Not Found")
    return label, repo.full_name


def get_label(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        label, _ = _label(ctx)
        return Response.json(ctx.hub.shapes.label(repo, label))


def update_label(ctx: Ctx) -> Response:
    data = ctx.body()
    with ctx.hub.state.lock:
        repo = ctx.repo()
        ctx.require_role(repo, "write")
        label, _ = _label(ctx)
        new_name = data.get("new_name") or data.get("name")
        if isinstance(new_name, str) and new_name.strip() and new_name != label.name:
            if repo.label(new_name) and new_name.lower() != label.name.lower():
                raise ApiError(422, "Validation Failed",
                               errors=[{"resource": "Label", "code": "already_exists", "field": "name"}])
            del repo.labels[label.name.lower()]
            for issue in repo.issues.values():
                issue.labels = [new_name if n.lower() == label.name.lower() else n for n in issue.labels]
            label.name = new_name.strip()
            repo.labels[label.name.lower()] = label
        if isinstance(data.get("color"), str):
            color = data["color"].lstrip("#")
            if not COLOR.match(color):
                raise ApiError(422, "Validation Failed",
                               errors=[{"resource": "Label", "field": "color", "code": "invalid"}])
            label.color = color.lower()
        if "description" in data:
            label.description = data["description"] if isinstance(data["description"], str) else None
        return Response.json(ctx.hub.shapes.label(repo, label))


def delete_label(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        ctx.require_role(repo, "write")
        label, _ = _label(ctx)
        del repo.labels[label.name.lower()]
        for issue in repo.issues.values():
            issue.labels = [n for n in issue.labels if n.lower() != label.name.lower()]
        return Response(204)


def list_issue_labels(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        issue = find_issue(repo, ctx.params["number"])
        return ctx.paginate(ctx.hub.shapes.issue(repo, issue)["labels"])


def _change(ctx: Ctx, *, replace: bool) -> Response:
    data = ctx.json() if ctx.request.body else {"labels": []}
    with ctx.hub.state.lock:
        repo = ctx.repo()
        ctx.require_role(repo, "triage")
        issue = find_issue(repo, ctx.params["number"])
        ctx.events += apply_labels(ctx, repo, issue, label_names(data), replace=replace)
        return Response.json(ctx.hub.shapes.issue(repo, issue)["labels"])


def add_labels(ctx: Ctx) -> Response:
    return _change(ctx, replace=False)


def set_labels(ctx: Ctx) -> Response:
    return _change(ctx, replace=True)


def remove_label(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        actor = ctx.require_role(repo, "triage")
        issue = find_issue(repo, ctx.params["number"])
        name = next((n for n in issue.labels if n.lower() == ctx.params["name"].lower()), None)
        label = repo.label(ctx.params["name"])
        if name is None or label is None:
            raise ApiError(404, "Label does not exist")
        issue.labels.remove(name)
        issue.updated_at = ctx.hub.state.clock()
        ctx.events.append(label_event(ctx, repo, issue, "unlabeled", label, actor.login, ctx.hub.git(repo)))
        return Response.json(ctx.hub.shapes.issue(repo, issue)["labels"])


def clear_labels(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        ctx.require_role(repo, "triage")
        issue = find_issue(repo, ctx.params["number"])
        ctx.events += apply_labels(ctx, repo, issue, [], replace=True)
        return Response(204)


def register(router: Router) -> None:
    router.add("GET", "/repos/{owner}/{repo}/labels", list_repo_labels)
    router.add("POST", "/repos/{owner}/{repo}/labels", create_label)
    router.add("GET", "/repos/{owner}/{repo}/labels/{name}", get_label)
    router.add("PATCH", "/repos/{owner}/{repo}/labels/{name}", update_label)
    router.add("DELETE", "/repos/{owner}/{repo}/labels/{name}", delete_label)
    router.add("GET", "/repos/{owner}/{repo}/issues/{number}/labels", list_issue_labels)
    router.add("POST", "/repos/{owner}/{repo}/issues/{number}/labels", add_labels)
    router.add("PUT", "/repos/{owner}/{repo}/issues/{number}/labels", set_labels)
    router.add("DELETE", "/repos/{owner}/{repo}/issues/{number}/labels", clear_labels)
    router.add("DELETE", "/repos/{owner}/{repo}/issues/{number}/labels/{name}", remove_label)
