"""Git refs: get, list (all, legacy prefix, matching), create, update (fast-forward or forced), delete.

Every change goes through the hub's ref-update path, so it fires the events a push would."""

from __future__ import annotations

from typing import Any

from wxsandbox.github.gitrepo import ZERO_SHA, GitRepo
from wxsandbox.github.payloads import Json
from wxsandbox.github.router import Ctx, Router
from wxsandbox.github.state import ApiError, Repo
from wxsandbox.http import Response


def _ref_json(ctx: Ctx, repo: Repo, git: GitRepo, ref: str, sha: str) -> Json:
    kind = git.object_type(sha) or "commit"
    return ctx.hub.shapes.git_ref(repo, ref, sha, kind)


def _listed(git: GitRepo, prefix: str) -> list[tuple[str, str]]:
    refs = git.refs(prefix if prefix.endswith("/") or prefix == "refs/" else "refs/")
    chosen = [(name, sha) for name, sha in sorted(refs.items()) if name.startswith(prefix)
              and (name.startswith(("refs/heads/", "refs/tags/")))]
    return chosen


def get_ref(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        git = ctx.hub.git(repo)
        ref = "refs/" + ctx.params["ref"].removeprefix("refs/")
        sha = git.raw_ref(ref) if ref.count("/") >= 2 else None
        if sha is None or ref not in git.refs(ref):
            raise ApiError(404, "Not Found")
        return Response.json(_ref_json(ctx, repo, git, ref, sha))


def list_refs(ctx: Ctx) -> Response:
    """``/git/refs`` (all) and the legacy ``/git/refs/{ref}``: the ref itself, or refs under a prefix."""
    with ctx.hub.state.lock:
        repo = ctx.repo()
        git = ctx.hub.git(repo)
        wanted = ctx.params.get("ref")
        if wanted:
            ref = "refs/" + wanted.removeprefix("refs/")
            exact = git.refs(ref).get(ref)
            if exact is not None:
                return Response.json(_ref_json(ctx, repo, git, ref, exact))
            found = _listed(git, ref.rstrip("/") + "/")
            if not found:
                raise ApiError(404, "Not Found")
        else:
            found = _listed(git, "refs/")
        return ctx.paginate([_ref_json(ctx, repo, git, name, sha) for name, sha in found])


def matching_refs(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        git = ctx.hub.git(repo)
        prefix = "refs/" + ctx.params.get("ref", "").removeprefix("refs/")
        found = [(name, sha) for name, sha in sorted(git.refs("refs/").items())
                 if name.startswith(prefix) and name.startswith(("refs/heads/", "refs/tags/"))]
        return ctx.paginate([_ref_json(ctx, repo, git, name, sha) for name, sha in found])


def _sha_exists(git: GitRepo, sha: Any) -> str:
    if not isinstance(sha, str) or len(sha) != 40 or git.object_type(sha) is None:
        raise ApiError(422, "Object does not exist")
    return sha


def create_ref(ctx: Ctx) -> Response:
    data = ctx.body()
    ref = data.get("ref")
    if not isinstance(ref, str) or not ref.startswith("refs/") or ref.count("/") < 2:
        raise ApiError(422, "Reference name must start with 'refs/' and have at least two slashes.")
    with ctx.hub.state.lock:
        repo = ctx.repo()
        actor = ctx.require_role(repo, "write")
        if ref.startswith("refs/pull/"):
            raise ApiError(422, "Reference update failed")
        git = ctx.hub.git(repo)
        sha = _sha_exists(git, data.get("sha"))
        if git.raw_ref(ref) is not None:
            raise ApiError(422, "Reference already exists")
    ctx.events += ctx.hub.update_ref(repo, ref, sha, actor, expected=ZERO_SHA)
    with ctx.hub.state.lock:
        return Response.json(_ref_json(ctx, repo, git, ref, sha), status=201)


def _existing_ref(ctx: Ctx, git: GitRepo) -> tuple[str, str]:
    """The ref named in the path and its sha; pull refs are GitHub's own and cannot be changed."""
    ref = "refs/" + ctx.params["ref"].removeprefix("refs/")
    before = git.raw_ref(ref)
    if before is None or ref.startswith("refs/pull/"):
        raise ApiError(422, "Reference does not exist")
    return ref, before


def update_ref(ctx: Ctx) -> Response:
    data = ctx.body()
    with ctx.hub.state.lock:
        repo = ctx.repo()
        actor = ctx.require_role(repo, "write")
        git = ctx.hub.git(repo)
        ref, before = _existing_ref(ctx, git)
        sha = _sha_exists(git, data.get("sha"))
    ctx.events += ctx.hub.update_ref(repo, ref, sha, actor, force=bool(data.get("force")), expected=before)
    with ctx.hub.state.lock:
        return Response.json(_ref_json(ctx, repo, git, ref, sha))


def delete_ref(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        actor = ctx.require_role(repo, "write")
        git = ctx.hub.git(repo)
        ref, before = _existing_ref(ctx, git)
    ctx.events += ctx.hub.update_ref(repo, ref, ZERO_SHA, actor, expected=before)
    return Response(204)


def register(router: Router) -> None:
    base = "/repos/{owner}/{repo}"
    router.add("GET", f"{base}/git/ref/{{ref+}}", get_ref)
    router.add("GET", f"{base}/git/refs", list_refs)
    router.add("GET", f"{base}/git/refs/{{ref+}}", list_refs)
    router.add("GET", f"{base}/git/matching-refs/{{ref+}}", matching_refs)
    router.add("GET", f"{base}/git/matching-refs", matching_refs)
    router.add("POST", f"{base}/git/refs", create_ref)
    router.add("PATCH", f"{base}/git/refs/{{ref+}}", update_ref)
    router.add("DELETE", f"{base}/git/refs/{{ref+}}", delete_ref)
