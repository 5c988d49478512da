"""Git data API: blobs, trees, commits and annotated tags (refs live in ``refs``, history in ``commits``)."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

from wxsandbox.github.gitrepo import GitRepo, Person
from wxsandbox.github.payloads import Json
from wxsandbox.github.router import Ctx, Router
from wxsandbox.github.state import ApiError, Repo
from wxsandbox.http import Response

MODES = {"100644", "100755", "040000", "160000", "120000"}


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


def register(router: Router) -> None:
    base = "/repos/{owner}/{repo}"
    router.add("POST", f"{base}/git/blobs", create_blob)
    router.add("GET", f"{base}/git/blobs/{{sha}}", get_blob)
    router.add("POST", f"{base}/git/trees", create_tree)
    router.add("GET", f"{base}/git/trees/{{sha}}", get_tree)
    router.add("POST", f"{base}/git/commits", create_commit)
    router.add("GET", f"{base}/git/commits/{{sha}}", get_git_commit)
    router.add("GET", f"{base}/git/tags/{{sha}}", get_git_tag)
    router.add("POST", f"{base}/git/tags", create_git_tag)
