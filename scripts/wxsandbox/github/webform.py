"""The browser's issue form, for processes outside the stand-in (``wxsandbox submit-form``).

A person submitting an issue form gets the template's labels whatever their role, which the REST API
never gives (it drops labels from users without push access). This is the one way in that behaves like
the browser: ``POST {web}/{owner}/{repo}/issues/new?template=NAME`` with the user's token and a JSON body
``{"answers": {...}, "title": "..."}``; it answers ``201`` with ``{"number": N, "html_url": ...}``.
It exists only in the sandbox: real GitHub has no such endpoint.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from wxsandbox.github.issueforms import FormError, render_issue_form
from wxsandbox.github.routes.issues import MAX_BODY, open_issue
from wxsandbox.http import Request, Response

if TYPE_CHECKING:
    from wxsandbox.github.hub import Hub

PATH = re.compile(r"^/([^/]+)/([^/]+)/issues/new$")


def submit(hub: Hub, full_name: str, template: str, answers: Mapping[str, Any], *, login: str,
           title: str | None = None) -> int:
    """Render ``template`` from the default branch with ``answers`` and open the issue as ``login``."""
    with hub.state.lock:
        repo = hub.state.repo(full_name)
        user = hub.state.user(login)
    if repo is None:
        raise KeyError(full_name)
    if user is None:
        raise ValueError(f"unknown user {login!r}")
    git = hub.git(repo)
    head = git.ref_sha(f"refs/heads/{repo.default_branch}")
    entry = git.entry_at(head, f".github/ISSUE_TEMPLATE/{template}") if head else None
    if entry is None or entry.type != "blob" or "/" in template:
        raise FileNotFoundError(f"{full_name}: no .github/ISSUE_TEMPLATE/{template} on {repo.default_branch}")
    rendered = render_issue_form(git.blob(entry.sha).decode("utf-8"), answers, title=title)
    if not rendered.title.strip():
        raise FormError("title: required")
    if len(rendered.body) > MAX_BODY:
        raise FormError("body is too long (maximum is 65536 characters)")
    with hub.state.lock:
        issue, events = open_issue(hub, repo, user.login, rendered.title, rendered.body,
                                   labels=rendered.labels, assignees=rendered.assignees)
    hub.deliver(events, user)
    return issue.number


def submit_rendered(hub: Hub, full_name: str, title: str, body: str, labels: list[str], *, login: str) -> int:
    """Open an issue whose body was already rendered from a form, with the form's ``labels`` applied whatever
    ``login``'s role, as the web form does (the API would drop labels from someone without push access)."""
    with hub.state.lock:
        repo = hub.state.repo(full_name)
        user = hub.state.user(login)
    if repo is None or user is None:
        raise KeyError(full_name if repo is None else login)
    with hub.state.lock:
        issue, events = open_issue(hub, repo, user.login, title, body, labels=labels, assignees=[])
    hub.deliver(events, user)
    return issue.number


def serve_issue_form(hub: Hub, request: Request) -> Response | None:
    """The browser form submission, or ``None`` when ``request`` is not one."""
    match = PATH.match(request.path)
    if request.method != "POST" or match is None:
        return None
    _, token = hub.token_from_header(request)
    with hub.state.lock:
        login = hub.state.login_for_token(token) if token else None
    if login is None:
        return Response.json({"message": "Requires authentication"}, status=401)
    template = (request.query.get("template") or [""])[-1]
    try:
        data = request.json()
        answers, title = data.get("answers"), data.get("title")
        if not isinstance(answers, dict) or not (title is None or isinstance(title, str)):
            raise ValueError("answers must be an object")
        number = submit(hub, f"{match[1]}/{match[2]}", template, answers, login=login, title=title)
    except KeyError:
        return Response.json({"message": "Not Found"}, status=404)
    except FileNotFoundError as exc:
        return Response.json({"message": str(exc)}, status=404)
    except (FormError, ValueError, AttributeError) as exc:
        return Response.json({"message": f"form: {exc}"}, status=422)
    return Response.json({"number": number, "html_url": f"{hub.urls.web}/{match[1]}/{match[2]}/issues/{number}"},
                         status=201)
