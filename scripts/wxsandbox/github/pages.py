"""GitHub Pages for project sites: ``https://<owner>.github.io/<repo>/<path>`` served as
``<pages_url>/<owner>/<repo>/<path>`` from a branch and folder, with content types by extension
(``application/json`` for ``.json``: the reason a registry publishes there), ETag and 304.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wxsandbox.http import Request, Response

if TYPE_CHECKING:
    from wxsandbox.github.hub import Hub

NOT_FOUND_PAGE = "<!DOCTYPE html><title>Page not found · GitHub Pages</title><h1>404</h1>\n"
TYPES = {".json": "application/json", ".html": "text/html", ".txt": "text/plain", ".md": "text/markdown",
         ".css": "text/css", ".js": "application/javascript", ".svg": "image/svg+xml", ".xml": "application/xml"}


@dataclass(frozen=True)
class PagesSite:
    branch: str
    folder: str
    """``/`` or ``/docs``, as GitHub offers."""
    build_type: str = "legacy"
    """``legacy``: deploy from ``branch``/``folder``; ``workflow``: the artifact the last
    ``actions/deploy-pages`` run deployed (Settings → Pages → Source: GitHub Actions)."""


def content_type(path: str) -> str:
    suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    kind = TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    textual = kind.startswith("text/") or kind in ("application/json", "application/javascript", "application/xml",
                                                   "image/svg+xml")
    return f"{kind}; charset=utf-8" if textual else kind


def pages_app(hub: Hub, request: Request) -> Response:
    fault = hub.faults.intercept(request, "pages")
    if fault is not None:
        return fault
    if request.method not in ("GET", "HEAD"):
        return Response.text("405 Method Not Allowed", status=405)
    not_found = Response.text(NOT_FOUND_PAGE, status=404, content_type="text/html; charset=utf-8")
    parts = request.path.lstrip("/").split("/", 2)
    if len(parts) < 2:
        return not_found
    with hub.state.lock:
        repo = hub.state.repo(f"{parts[0]}/{parts[1]}")
        site = hub.pages.get(repo.full_name.lower()) if repo else None
    if repo is None or site is None:
        return not_found
    if len(parts) == 2:  # /owner/repo -> /owner/repo/, as Pages redirects
        return Response(301, b"", [("Location", f"{request.path}/")])
    path = parts[2]
    if path == "" or path.endswith("/"):
        path += "index.html"
    if site.build_type == "workflow":
        return _serve(request, _deployed(hub, repo.full_name, path), path)
    git = hub.git(repo)
    commit = git.resolve_commit(f"refs/heads/{site.branch}")
    if commit is None:
        return not_found
    full = f"{site.folder.strip('/')}/{path}".strip("/")
    entry = git.entry_at(commit, full)
    if entry is not None and entry.type == "tree":
        return Response(301, b"", [("Location", f"{request.path}/")])
    if entry is None or entry.type != "blob":
        return not_found
    return _serve(request, git.blob(entry.sha), path)


def _deployed(hub: Hub, full_name: str, path: str) -> bytes | Response | None:
    with hub.state.lock:
        files = hub.pages_deployments.get(full_name.lower(), {})
    if path in files:
        return files[path]
    if any(name.startswith(f"{path}/") for name in files):  # a directory: Pages adds the slash
        return Response(301, b"", [("Location", f"/{full_name}/{path}/")])
    return None


def _serve(request: Request, found: bytes | Response | None, path: str) -> Response:
    if isinstance(found, Response):
        return found
    if found is None:
        return Response.text(NOT_FOUND_PAGE, status=404, content_type="text/html; charset=utf-8")
    body = found
    etag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'  # noqa: S324 - an etag, not security
    headers = [("ETag", etag), ("Cache-Control", "max-age=600"), ("Access-Control-Allow-Origin", "*")]
    wanted = request.header("if-none-match")
    if wanted and etag in {tag.strip().removeprefix("W/") for tag in wanted.split(",")}:
        return Response(304, b"", headers)
    return Response(200, body, [("Content-Type", content_type(path)), *headers])
