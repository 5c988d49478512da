"""Routing for the REST API: one ``register(router)`` per route group, handlers take a ``Ctx``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from wxsandbox.events import Event
from wxsandbox.github.state import ApiError, Repo, User, role_at_least
from wxsandbox.http import Request, Response

if TYPE_CHECKING:
    from wxsandbox.github.hub import Hub

Handler = Callable[["Ctx"], Response]

DOCS = "https://docs.github.com/rest"


@dataclass
class Ctx:
    hub: Hub
    request: Request
    params: dict[str, str]
    actor: User | None
    events: list[Event] = field(default_factory=list)
    """Events to deliver once the handler has returned and the state lock is released."""

    # -- auth --------------------------------------------------------------------------------------

    def require_actor(self) -> User:
        if self.actor is None:
            raise ApiError(401, "Requires authentication")
        return self.actor

    def repo(self) -> Repo:
        found = self.hub.state.repo(f"{self.params['owner']}/{self.params['repo']}")
        if found is None:
            raise ApiError(404, "Not Found")
        return found

    def role(self, repo: Repo) -> str:
        return self.hub.state.role(repo, self.actor.login if self.actor else None)

    def require_role(self, repo: Repo, needed: str) -> User:
        """401 without a token, 403 without ``needed`` on ``repo`` (GitHub answers writes this way)."""
        user = self.require_actor()
        if not role_at_least(self.role(repo), needed):
            raise ApiError(403, denied_message(user, needed))
        return user

    # -- bodies ------------------------------------------------------------------------------------

    def json(self) -> Any:
        """The request body as any JSON value; 400 ``Problems parsing JSON`` when it is not JSON."""
        try:
            return self.request.json()
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, "Problems parsing JSON") from exc

    def body(self) -> dict[str, Any]:
        """The request body as a JSON object (``{}`` when empty)."""
        value = self.json()
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ApiError(400, "Problems parsing JSON")
        return value

    def paginate(self, items: list[Any], *, default_per_page: int = 30) -> Response:
        """A page of ``items`` with GitHub's ``Link`` header (``per_page`` <= 100, pages from 1)."""
        chunk, headers = self.page(items, default_per_page=default_per_page)
        return Response.json(chunk, headers=headers)

    def page(self, items: list[Any], *, default_per_page: int = 30) -> tuple[list[Any], list[tuple[str, str]]]:
        """The requested page of ``items`` and the ``Link`` header for the others."""
        try:
            per_page = max(1, min(100, int(self.request.query_value("per_page") or default_per_page)))
            page = max(1, int(self.request.query_value("page") or 1))
        except ValueError as exc:
            raise ApiError(422, "Validation Failed") from exc
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page: page * per_page]
        links: list[str] = []
        base_query = {key: values[-1] for key, values in self.request.query.items() if key not in ("page",)}
        base_query["per_page"] = str(per_page)
        path = self.request.path.removeprefix("/api/v3")

        def link(number: int, rel: str) -> str:
            query = urlencode({**base_query, "page": str(number)})
            return f'<{self.hub.urls.api}{path}?{query}>; rel="{rel}"'

        if page > 1:
            links.append(link(page - 1, "prev"))
        if page < last:
            links.append(link(page + 1, "next"))
            links.append(link(last, "last"))
        if page > 1:
            links.append(link(1, "first"))
        headers = [("Link", ", ".join(links))] if links else []
        return chunk, headers


DENIED = {
    "triage": "Must have triage access to repository.",
    "write": "Must have push access to repository.",
    "maintain": "Must have maintain access to repository.",
    "admin": "Must have admin rights to Repository.",
}


def denied_message(user: User, needed: str) -> str:
    """GitHub's 403 wording: the workflow token gets the integration message, people the role's."""
    if user.is_bot:
        return "Resource not accessible by integration"
    return DENIED.get(needed, "Forbidden")


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


class Router:
    """Matches ``METHOD /path`` (path relative to ``/api/v3``) against registered templates."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        """``template`` like ``/repos/{owner}/{repo}/issues/{number}``; ``{name+}`` matches slashes;
        ``{number}`` and ``{..._id}`` match digits only."""
        regex = re.sub(r"\{(\w+)\+\}", r"(?P<\1>.+)", template)
        regex = re.sub(r"\{(\w*(?:number|_id))\}", r"(?P<\1>[0-9]+)", regex)
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex)
        self.routes.append(Route(method, re.compile(f"^{regex}$"), handler))

    def route(self, method: str, template: str) -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            self.add(method, template, handler)
            return handler
        return decorate

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        """The handler and path parameters; raises 405-less 404 semantics to the caller on miss."""
        allowed = False
        lookup = "GET" if method == "HEAD" else method
        for route in self.routes:
            found = route.pattern.match(path)
            if found:
                allowed = True
                if route.method == lookup:
                    return route.handler, found.groupdict()
        if allowed:
            raise ApiError(404, "Not Found")
        return None
