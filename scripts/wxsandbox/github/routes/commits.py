"""Repository commits: one commit with its files, and history from a ref (optionally of a path)."""

from __future__ import annotations

from wxsandbox.github.gitrepo import EMPTY_TREE
from wxsandbox.github.payloads import Json
from wxsandbox.github.router import Ctx, Router
from wxsandbox.github.state import ApiError
from wxsandbox.http import Response


def get_commit(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        git = ctx.hub.git(repo)
        sha = git.resolve_commit(ctx.params["ref"])
        if sha is None:
            raise ApiError(422, f"No commit found for SHA: {ctx.params['ref']}")
        info = git.commit(sha)
        base = info.parents[0] if info.parents else EMPTY_TREE
        status_names = {"A": "added", "D": "removed", "M": "modified"}
        files: list[Json] = []
        for status, path, additions, deletions in git.diff_stats(base, sha):
            blob = git.entry_at(sha, path)
            files.append({
                "sha": blob.sha if blob else None, "filename": path, "status": status_names.get(status, "changed"),
                "additions": additions, "deletions": deletions, "changes": additions + deletions,
                "blob_url": f"{ctx.hub.urls.web}/{repo.full_name}/blob/{sha}/{path}",
                "raw_url": f"{ctx.hub.urls.web}/{repo.full_name}/raw/{sha}/{path}",
                "contents_url": f"{ctx.hub.urls.repo_api(repo.full_name)}/contents/{path}?ref={sha}",
            })
        return Response.json(ctx.hub.shapes.commit(repo, info, files=files))


def list_commits(ctx: Ctx) -> Response:
    """History from ``sha`` (a branch, tag or sha; the default branch otherwise), optionally of ``path``."""
    with ctx.hub.state.lock:
        repo = ctx.repo()
        git = ctx.hub.git(repo)
        start = ctx.request.query_value("sha") or repo.default_branch
        head = git.resolve_commit(start)
        if head is None:
            if not git.refs("refs/heads/"):
                raise ApiError(409, "Git Repository is empty.")
            raise ApiError(404, "Not Found")
        args = ["rev-list", "--max-count=3000", head]
        path = ctx.request.query_value("path")
        if path:
            args += ["--", path.strip("/")]
        shas = [line for line in git.out(*args).splitlines() if line]
        chunk, headers = ctx.page(shas)
        return Response.json([ctx.hub.shapes.commit(repo, git.commit(sha)) for sha in chunk], headers=headers)


def register(router: Router) -> None:
    base = "/repos/{owner}/{repo}"
    router.add("GET", f"{base}/commits", list_commits)
    router.add("GET", f"{base}/commits/{{ref+}}", get_commit)
