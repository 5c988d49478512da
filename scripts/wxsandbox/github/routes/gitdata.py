"""Git data API: refs (get/list/matching/create/update/delete), blobs, trees, commits; repos/commits/{ref}."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

from wxsandbox.github.gitrepo import ZERO_SHA, GitRepo, Person
from wxsandbox.github.payloads import Json
from wxsandbox.github.router import Ctx, Router
from wxsandbox.github.state import ApiError, Repo
from wxsandbox.http import Response

MODES = {"100644", "100755", "040000", "160000", "120000"}


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


def update_ref(ctx: Ctx) -> Response:
    data = ctx.body()
    with ctx.hub.state.lock:
        repo = ctx.repo()
        actor = ctx.require_role(repo, "write")
        git = ctx.hub.git(repo)
        ref = "refs/" + ctx.params["ref"].removeprefix("refs/")
        before = git.raw_ref(ref)
        if before is None or ref.startswith("refs/pull/"):
            raise ApiError(422, "Reference does not exist")
        sha = _sha_exists(git, data.get("sha"))
    ctx.events += ctx.hub.update_ref(repo, ref, sha, actor, force=bool(data.get("force")), expected=before)
    with ctx.hub.state.lock:
        return Response.json(_ref_json(ctx, repo, git, ref, sha))


def delete_ref(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        actor = ctx.require_role(repo, "write")
        git = ctx.hub.git(repo)
        ref = "refs/" + ctx.params["ref"].removeprefix("refs/")
        before = git.raw_ref(ref)
        if before is None or ref.startswith("refs/pull/"):
            raise ApiError(422, "Reference does not exist")
    ctx.events += ctx.hub.update_ref(repo, ref, ZERO_SHA, actor, expected=before)
    return Response(204)


def _decode_content(content: Any, encoding: Any) -> bytes:
    if not isinstance(content, str):
        raise ApiError(422, "Invalid request.\n\n\"content\" wasn't supplied.")
    if encoding in (None, "utf-8", "utf8"):
        return content.encode("utf-8")
    if encoding == "base64":
        try:
            return base64.b64decode(content, validate=False)
        except binascii.Error as exc:
            raise ApiError(422, "Invalid Base64 content") from exc
    raise ApiError(422, f"encoding must be utf-8 or base64, not {encoding}")


def create_blob(ctx: Ctx) -> Response:
    data = ctx.body()
    content = _decode_content(data.get("content"), data.get("encoding"))
    with ctx.hub.state.lock:
        repo = ctx.repo()
        ctx.require_role(repo, "write")
        sha = ctx.hub.git(repo).hash_blob(content)
        url = f"{ctx.hub.urls.repo_api(repo.full_name)}/git/blobs/{sha}"
        return Response.json({"url": url, "sha": sha}, status=201, headers=[("Location", url)])


def get_blob(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        git = ctx.hub.git(repo)
        sha = ctx.params["sha"]
        if git.object_type(sha) != "blob":
            raise ApiError(404, "Not Found")
        return Response.json(ctx.hub.shapes.blob(repo, sha, git.blob(sha)))


def create_tree(ctx: Ctx) -> Response:
    data = ctx.body()
    entries = data.get("tree")
    if not isinstance(entries, list):
        raise ApiError(422, "Invalid tree info")
    with ctx.hub.state.lock:
        repo = ctx.repo()
        ctx.require_role(repo, "write")
        git = ctx.hub.git(repo)
        base = data.get("base_tree")
        if base is not None and (not isinstance(base, str) or git.object_type(base) not in ("tree", "commit")):
            raise ApiError(422, "Invalid tree info")
        changes: list[tuple[str, str, str | None]] = []
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
                raise ApiError(422, "Invalid tree info")
            mode = str(entry.get("mode") or "100644")
            if mode not in MODES:
                raise ApiError(422, "Invalid tree info",
                               errors=[{"resource": "Tree", "field": "mode", "code": "invalid"}])
            path = entry["path"].strip("/")
            if "content" in entry and entry["content"] is not None:
                sha: str | None = git.hash_blob(str(entry["content"]).encode("utf-8"))
            elif "sha" in entry:
                sha = entry["sha"]
                if sha is not None and git.object_type(str(sha)) is None:
                    raise ApiError(422, "Invalid tree info")
                if sha is not None and mode == "040000":
                    raise ApiError(422, "Invalid tree info")  # subtrees by sha: out of scope, say so loudly
            else:
                raise ApiError(422, "Invalid tree info")
            changes.append((path, mode, sha))
        tree = git.build_tree(base, changes)
        return Response.json(ctx.hub.shapes.tree(repo, tree, git.ls_tree(tree)), status=201)


def get_tree(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        git = ctx.hub.git(repo)
        done = git.run("rev-parse", "--verify", "--quiet", f"{ctx.params['sha']}^{{tree}}", check=False)
        if done.returncode != 0:
            raise ApiError(404, "Not Found")
        tree = done.stdout.decode().strip()
        recursive = (ctx.request.query_value("recursive") or "") not in ("", "0", "false")
        return Response.json(ctx.hub.shapes.tree(repo, tree, git.ls_tree(tree, recursive=recursive)))


def _person(ctx: Ctx, value: Any, fallback: Person) -> Person:
    if not isinstance(value, dict):
        return fallback
    date = fallback.date
    if isinstance(value.get("date"), str):
        try:
            date = datetime.fromisoformat(value["date"].replace("Z", "+00:00"))
        except ValueError as exc:
            raise ApiError(422, "Invalid date") from exc
    return Person(str(value.get("name") or fallback.name), str(value.get("email") or fallback.email), date)


def create_commit(ctx: Ctx) -> Response:
    data = ctx.body()
    message, tree, parents = data.get("message"), data.get("tree"), data.get("parents", [])
    if not isinstance(message, str) or not isinstance(tree, str) or not isinstance(parents, list):
        raise ApiError(422, "Invalid request.")
    with ctx.hub.state.lock:
        repo = ctx.repo()
        actor = ctx.require_role(repo, "write")
        git = ctx.hub.git(repo)
        if git.object_type(tree) != "tree":
            raise ApiError(422, "Tree SHA does not exist")
        for parent in parents:
            if not isinstance(parent, str) or git.object_type(parent) != "commit":
                raise ApiError(422, "Parent SHA does not exist or is not a commit object")
        me = Person(actor.name or actor.login, actor.commit_email, ctx.hub.state.clock())
        author = _person(ctx, data.get("author"), me)
        committer = _person(ctx, data.get("committer"), author if data.get("author") else me)
        sha = git.commit_tree(tree, list(parents), message, author, committer)
        body = ctx.hub.shapes.git_commit(repo, git.commit(sha))
        return Response.json(body, status=201, headers=[("Location", body["url"])])


def _tag_json(ctx: Ctx, repo: Repo, git: GitRepo, sha: str) -> Json:
    raw = git.run("cat-file", "tag", sha).stdout.decode("utf-8", "replace")
    header, _, message = raw.partition("\n\n")
    fields = dict(line.split(" ", 1) for line in header.splitlines() if " " in line)
    api = ctx.hub.urls.repo_api(repo.full_name)
    tagger = fields.get("tagger", "unknown <unknown> 0 +0000")
    name, _, rest = tagger.partition(" <")
    email, _, stamp = rest.partition("> ")
    when = datetime.fromtimestamp(int(stamp.split(" ")[0] or 0), UTC)
    kind = fields.get("type", "commit")
    return {
        "node_id": f"TAG_{sha[:12]}", "tag": fields.get("tag", ""), "sha": sha, "url": f"{api}/git/tags/{sha}",
        "message": message, "tagger": {"date": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "email": email, "name": name},
        "object": {"sha": fields.get("object", ""), "type": kind, "url": f"{api}/git/{kind}s/{fields.get('object')}"},
        "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None,
                         "verified_at": None},
    }


def get_git_tag(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        git = ctx.hub.git(repo)
        if git.object_type(ctx.params["sha"]) != "tag":
            raise ApiError(404, "Not Found")
        return Response.json(_tag_json(ctx, repo, git, ctx.params["sha"]))


def create_git_tag(ctx: Ctx) -> Response:
    """An annotated tag object (no ref: create ``refs/tags/<tag>`` separately, as on GitHub)."""
    data = ctx.body()
    tag, message, target = data.get("tag"), data.get("message"), data.get("object")
    kind = data.get("type") or "commit"
    if not isinstance(tag, str) or not isinstance(message, str) or not isinstance(target, str):
        raise ApiError(422, "Invalid request.")
    with ctx.hub.state.lock:
        repo = ctx.repo()
        actor = ctx.require_role(repo, "write")
        git = ctx.hub.git(repo)
        if git.object_type(target) != kind:
            raise ApiError(422, "Object does not exist")
        me = Person(actor.name or actor.login, actor.commit_email, ctx.hub.state.clock())
        who = _person(ctx, data.get("tagger"), me)
        text = (f"object {target}\ntype {kind}\ntag {tag}\ntagger {who.name} <{who.email}> "
                f"{int(who.date.timestamp())} +0000\n\n{message}")
        sha = git.out("mktag", input=text.encode("utf-8"))
        body = _tag_json(ctx, repo, git, sha)
        return Response.json(body, status=201, headers=[("Location", body["url"])])


def get_git_commit(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        git = ctx.hub.git(repo)
        if git.object_type(ctx.params["sha"]) != "commit":
            raise ApiError(404, "Not Found")
        return Response.json(ctx.hub.shapes.git_commit(repo, git.commit(ctx.params["sha"])))


def get_commit(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        git = ctx.hub.git(repo)
        sha = git.resolve_commit(ctx.params["ref"])
        if sha is None:
            raise ApiError(422, f"No commit found for SHA: {ctx.params['ref']}")
        info = git.commit(sha)
        base = info.parents[0] if info.parents else "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
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
    router.add("GET", f"{base}/git/ref/{{ref+}}", get_ref)
    router.add("GET", f"{base}/git/refs", list_refs)
    router.add("GET", f"{base}/git/refs/{{ref+}}", list_refs)
    router.add("GET", f"{base}/git/matching-refs/{{ref+}}", matching_refs)
    router.add("GET", f"{base}/git/matching-refs", matching_refs)
    router.add("POST", f"{base}/git/refs", create_ref)
    router.add("PATCH", f"{base}/git/refs/{{ref+}}", update_ref)
    router.add("DELETE", f"{base}/git/refs/{{ref+}}", delete_ref)
    router.add("POST", f"{base}/git/blobs", create_blob)
    router.add("GET", f"{base}/git/blobs/{{sha}}", get_blob)
    router.add("POST", f"{base}/git/trees", create_tree)
    router.add("GET", f"{base}/git/trees/{{sha}}", get_tree)
    router.add("POST", f"{base}/git/commits", create_commit)
    router.add("GET", f"{base}/git/commits/{{sha}}", get_git_commit)
    router.add("GET", f"{base}/git/tags/{{sha}}", get_git_tag)
    router.add("POST", f"{base}/git/tags", create_git_tag)
    router.add("GET", f"{base}/commits", list_commits)
    router.add("GET", f"{base}/commits/{{ref+}}", get_commit)
