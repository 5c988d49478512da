"""GitHub Pages through the API: the site's settings and deployments from a workflow artifact.

``GET /repos/{o}/{r}/pages`` is what ``actions/configure-pages`` reads; ``POST .../pages/deployments``
is what ``actions/deploy-pages`` calls with the ``github-pages`` artifact (a tar of the site). GitHub
takes the artifact by id from its artifact store and an OIDC token; the sandbox's artifact store is
a directory of the run, so its stand-in of deploy-pages names the tar by ``file://`` URL. The token
must be a workflow token with ``pages: write`` (the router checks it) and ``id-token: write`` (what
the OIDC token stands for), or a person with write access.
"""

from __future__ import annotations

import tarfile
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from wxsandbox.github.pages import PagesSite
from wxsandbox.github.router import Ctx, Router
from wxsandbox.github.state import ApiError
from wxsandbox.http import Response

MAX_SITE_BYTES = 1_000_000_000
"""GitHub's limit on a published site."""


def _site(ctx: Ctx) -> tuple[str, PagesSite]:
    repo = ctx.repo()
    site = ctx.hub.pages.get(repo.full_name.lower())
    if site is None:
        raise ApiError(404, "Not Found")
    return repo.full_name, site


def get_pages(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        full_name, site = _site(ctx)
    html_url = f"{ctx.hub.pages_base_url}/{full_name}/"
    source = None if site.build_type == "workflow" else {"branch": site.branch, "path": site.folder}
    return Response.json({"url": f"{ctx.hub.urls.api}/repos/{full_name}/pages", "status": "built", "cname": None,
                          "custom_404": False, "html_url": html_url, "build_type": site.build_type,
                          "source": source, "public": True, "https_enforced": True})


def read_artifact(url: str) -> dict[str, bytes]:
    """The files of a ``github-pages`` artifact (``artifact.tar``), by site path."""
    parts = urlsplit(url)
    path = Path(unquote(parts.path))
    if parts.scheme != "file" or path.name != "artifact.tar" or not path.is_file():
        raise ApiError(400, "Artifact could not be found")
    files: dict[str, bytes] = {}
    total = 0
    with tarfile.open(path) as archive:
        for member in archive.getmembers():
            name = PurePosixPath(member.name)
            if member.isdir():
                continue
            if not member.isfile() or name.is_absolute() or ".." in name.parts:
                raise ApiError(400, f"Artifact contains an unsupported entry: {member.name}")
            total += member.size
            if total > MAX_SITE_BYTES:
                raise ApiError(400, "Artifact exceeds the maximum size")
            extracted = archive.extractfile(member)
            files[str(PurePosixPath(*[p for p in name.parts if p != "."]))] = (
                extracted.read() if extracted else b"")
    return files


def create_deployment(ctx: Ctx) -> Response:
    data = ctx.body()
    scope = ctx.hub.token_scope(ctx.request)
    if scope is not None and scope.level("id-token") != "write":
        raise ApiError(403, "Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable")
    artifact_url, version = data.get("artifact_url"), data.get("pages_build_version")
    if not isinstance(artifact_url, str) or not isinstance(version, str):
        raise ApiError(422, "Invalid request.\n\n\"artifact_url\" and \"pages_build_version\" are required.")
    with ctx.hub.state.lock:
        repo = ctx.repo()
        if scope is None:
            ctx.require_role(repo, "write")
        full_name, site = _site(ctx)
        if site.build_type != "workflow":
            raise ApiError(400, "The Pages site is not configured to deploy from GitHub Actions")
    files = read_artifact(artifact_url)
    with ctx.hub.state.lock:
        ctx.hub.pages_deployments[full_name.lower()] = files
        number = len(ctx.hub.pages_deployments)
    page_url = f"{ctx.hub.pages_base_url}/{full_name}/"
    return Response.json({"id": version, "status_url": f"{ctx.hub.urls.api}/repos/{full_name}/pages/deployments/"
                          f"{version}/status", "page_url": page_url, "preview_url": "", "deployment": number},
                         status=200)


def deployment_status(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        full_name, _ = _site(ctx)
        deployed = full_name.lower() in ctx.hub.pages_deployments
    return Response.json({"status": "succeed" if deployed else "deployment_failed"})


def register(router: Router) -> None:
    router.add("GET", "/repos/{owner}/{repo}/pages", get_pages)
    router.add("POST", "/repos/{owner}/{repo}/pages/deployments", create_deployment)
    router.add("GET", "/repos/{owner}/{repo}/pages/deployments/{deployment}/status", deployment_status)
