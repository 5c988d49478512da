"""Releases: create, list, latest, get by id, get by tag, update, delete."""

from __future__ import annotations

from wxsandbox.github.gitrepo import ZERO_SHA
from wxsandbox.github.router import Ctx, Router
from wxsandbox.github.state import ApiError, Asset, Release, Repo
from wxsandbox.http import Response


def _published(repo: Repo) -> list[Release]:
    return sorted(repo.releases.values(), key=lambda r: (r.created_at, r.id), reverse=True)


def create(ctx: Ctx) -> Response:
    data = ctx.body()
    tag = data.get("tag_name")
    if not isinstance(tag, str) or not tag.strip():
        raise ApiError(422, "Validation Failed", errors=[{"resource": "Release", "field": "tag_name",
                                                         "code": "missing_field"}])
    with ctx.hub.state.lock:
        repo = ctx.repo()
        actor = ctx.require_role(repo, "write")
        if any(r.tag_name == tag for r in repo.releases.values()):
            raise ApiError(422, "Validation Failed", errors=[{"resource": "Release", "code": "already_exists",
                                                             "field": "tag_name"}])
        git = ctx.hub.git(repo)
        target = str(data.get("target_commitish") or repo.default_branch)
        tag_sha = git.ref_sha(f"refs/tags/{tag}")
        draft = bool(data.get("draft"))
        new_tag_sha: str | None = None
        if tag_sha is None:
            new_tag_sha = git.resolve_commit(target)
            if new_tag_sha is None:
                raise ApiError(422, "Validation Failed", errors=[{"resource": "Release", "code": "invalid",
                                                                 "field": "target_commitish"}])
        now = ctx.hub.state.clock()
        name, body = data.get("name"), data.get("body")
        release = Release(ctx.hub.state.next_id("release"), tag, target, name if isinstance(name, str) else None,
                          body if isinstance(body, str) else None, draft, bool(data.get("prerelease")), actor.login,
                          now, None if draft else now)
        repo.releases[release.id] = release
    if new_tag_sha is not None and not draft:
        # GitHub creates the (lightweight) tag when the release is published: a push event.
        ctx.events += ctx.hub.update_ref(repo, f"refs/tags/{tag}", new_tag_sha, actor, expected=ZERO_SHA)
    with ctx.hub.state.lock:
        shaped = ctx.hub.shapes.release(repo, release)
        sha = git.ref_sha(f"refs/tags/{tag}") or new_tag_sha or ZERO_SHA
        ctx.events.append(ctx.hub.events.release(repo, shaped, "created", actor.login, sha))
        if not draft:
            ctx.events.append(ctx.hub.events.release(repo, shaped, "published", actor.login, sha))
        return Response.json(shaped, status=201, headers=[("Location", shaped["url"])])


def list_releases(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        visible = [r for r in _published(repo) if not r.draft or ctx.role(repo) in ("write", "maintain", "admin")]
        return ctx.paginate([ctx.hub.shapes.release(repo, r) for r in visible])


def latest(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        found = next((r for r in _published(repo) if not r.draft and not r.prerelease), None)
        if found is None:
            raise ApiError(404, "Not Found")
        return Response.json(ctx.hub.shapes.release(repo, found))


def by_tag(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        found = next((r for r in repo.releases.values() if r.tag_name == ctx.params["tag"] and not r.draft), None)
        if found is None:
            raise ApiError(404, "Not Found")
        return Response.json(ctx.hub.shapes.release(repo, found))


def _by_id(ctx: Ctx, repo: Repo) -> Release:
    found = repo.releases.get(int(ctx.params["release_id"]))
    if found is None:
        raise ApiError(404, "Not Found")
    return found


def get(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        return Response.json(ctx.hub.shapes.release(repo, _by_id(ctx, repo)))


def update(ctx: Ctx) -> Response:
    data = ctx.body()
    publish_tag: str | None = None
    with ctx.hub.state.lock:
        repo = ctx.repo()
        actor = ctx.require_role(repo, "write")
        release = _by_id(ctx, repo)
        git = ctx.hub.git(repo)
        for key in ("name", "body"):
            if key in data and (data[key] is None or isinstance(data[key], str)):
                setattr(release, key, data[key])
        if "prerelease" in data:
            release.prerelease = bool(data["prerelease"])
        published = data.get("draft") is False and release.draft
        if published:
            release.draft, release.published_at = False, ctx.hub.state.clock()
            if git.ref_sha(f"refs/tags/{release.tag_name}") is None:
                publish_tag = git.resolve_commit(release.target_commitish)
    if publish_tag is not None:
        ctx.events += ctx.hub.update_ref(repo, f"refs/tags/{release.tag_name}", publish_tag, actor, expected=ZERO_SHA)
    with ctx.hub.state.lock:
        shaped = ctx.hub.shapes.release(repo, release)
        if published:
            sha = git.ref_sha(f"refs/tags/{release.tag_name}") or ZERO_SHA
            ctx.events.append(ctx.hub.events.release(repo, shaped, "published", actor.login, sha))
        return Response.json(shaped)


def delete(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        ctx.require_role(repo, "write")
        release = _by_id(ctx, repo)
        del repo.releases[release.id]
        return Response(204)


def upload_asset(ctx: Ctx) -> Response:
    """``POST {upload_url}?name=&label=`` with the file as the body (on the uploads host)."""
    name = ctx.request.query_value("name")
    if not name or "/" in name:
        raise ApiError(422, "Validation Failed", errors=[{"resource": "ReleaseAsset", "field": "name",
                                                         "code": "missing_field"}])
    with ctx.hub.state.lock:
        repo = ctx.repo()
        actor = ctx.require_role(repo, "write")
        release = _by_id(ctx, repo)
        if any(asset.name == name for asset in release.assets):
            raise ApiError(422, "Validation Failed", errors=[{"resource": "ReleaseAsset", "code": "already_exists",
                                                             "field": "name"}])
        asset = Asset(ctx.hub.state.next_id("asset"), name, ctx.request.query_value("label"),
                      ctx.request.header("content-type") or "application/octet-stream", ctx.request.body,
                      actor.login, ctx.hub.state.clock())
        release.assets.append(asset)
        body = ctx.hub.shapes.asset(repo, release, asset)
        return Response.json(body, status=201, headers=[("Location", body["url"])])


def _asset(ctx: Ctx, repo: Repo) -> tuple[Release, Asset]:
    wanted = int(ctx.params["asset_id"])
    for release in repo.releases.values():
        for asset in release.assets:
            if asset.id == wanted:
                return release, asset
    raise ApiError(404, "Not Found")


def list_assets(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        release = _by_id(ctx, repo)
        return ctx.paginate([ctx.hub.shapes.asset(repo, release, asset) for asset in release.assets])


def get_asset(ctx: Ctx) -> Response:
    """The asset's JSON, or (``Accept: application/octet-stream``) a redirect to its download."""
    with ctx.hub.state.lock:
        repo = ctx.repo()
        release, asset = _asset(ctx, repo)
        body = ctx.hub.shapes.asset(repo, release, asset)
    if "application/octet-stream" in (ctx.request.header("accept") or ""):
        return Response(302, b"", [("Location", body["browser_download_url"])])
    return Response.json(body)


def delete_asset(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        ctx.require_role(repo, "write")
        release, asset = _asset(ctx, repo)
        release.assets.remove(asset)
        return Response(204)


def register(router: Router) -> None:
    base = "/repos/{owner}/{repo}/releases"
    router.add("POST", base, create)
    router.add("GET", base, list_releases)
    router.add("GET", f"{base}/latest", latest)
    router.add("GET", f"{base}/tags/{{tag+}}", by_tag)
    router.add("GET", f"{base}/{{release_id}}", get)
    router.add("PATCH", f"{base}/{{release_id}}", update)
    router.add("DELETE", f"{base}/{{release_id}}", delete)
    router.add("GET", f"{base}/{{release_id}}/assets", list_assets)
    router.add("GET", f"{base}/assets/{{asset_id}}", get_asset)
    router.add("DELETE", f"{base}/assets/{{asset_id}}", delete_asset)
    router.add("POST", "/uploads/repos/{owner}/{repo}/releases/{release_id}/assets", upload_asset)
