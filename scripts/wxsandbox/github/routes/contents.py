"""Contents API: get a file or directory, create/update (PUT) and delete a file, one commit each."""

from __future__ import annotations

import base64
import binascii

from wxsandbox.github.gitrepo import ZERO_SHA, Person
from wxsandbox.github.router import Ctx, Router
from wxsandbox.github.routes.gitdata import _person
from wxsandbox.github.state import ApiError
from wxsandbox.http import Response


def get_contents(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        git = ctx.hub.git(repo)
        ref = ctx.request.query_value("ref") or repo.default_branch
        commit = git.resolve_commit(ref)
        if commit is None:
            raise ApiError(404, f"No commit found for the ref {ref}")
        path = ctx.params.get("path", "").strip("/")
        entry = git.entry_at(commit, path)
        if entry is None:
            raise ApiError(404, "Not Found")
        if entry.type == "tree":
            listing = git.ls_tree(entry.sha)
            items = []
            for child in listing:
                full = f"{path}/{child.path}" if path else child.path
                items.append(ctx.hub.shapes.content_entry(repo, ref, type(child)(child.mode, child.type, child.sha,
                                                                                 full, child.size)))
            return Response.json(items)
        content = git.blob(entry.sha) if entry.type == "blob" else b""
        if "raw" in (ctx.request.header("accept") or ""):
            return Response(200, content, [("Content-Type", "application/vnd.github.raw; charset=utf-8")])
        return Response.json(ctx.hub.shapes.content_entry(repo, ref, entry, content))


def put_contents(ctx: Ctx) -> Response:
    data = ctx.body()
    path = ctx.params["path"].strip("/")
    message, encoded = data.get("message"), data.get("content")
    if not isinstance(message, str) or not message:
        raise ApiError(422, "Invalid request.\n\n\"message\" wasn't supplied.")
    if not isinstance(encoded, str):
        raise ApiError(422, "Invalid request.\n\n\"content\" wasn't supplied.")
    try:
        content = base64.b64decode(encoded, validate=False)
    except binascii.Error as exc:
        raise ApiError(422, "content is not valid Base64") from exc
    with ctx.hub.state.lock:
        repo = ctx.repo()
        actor = ctx.require_role(repo, "write")
        git = ctx.hub.git(repo)
        branch = str(data.get("branch") or repo.default_branch)
        ref = f"refs/heads/{branch}"
        head = git.ref_sha(ref)
        if head is None and (branch != repo.default_branch or git.refs("refs/heads/")):
            raise ApiError(404, f"Branch {branch} not found")
        existing = git.entry_at(head, path) if head else None
        if existing is not None and existing.type != "blob":
            raise ApiError(422, f"{path} is a directory" if existing.type == "tree" else "Invalid path")
        given = data.get("sha")
        if existing is not None and not given:
            raise ApiError(422, "Invalid request.\n\n\"sha\" wasn't supplied.")
        if (existing is not None and given != existing.sha) or (existing is None and given):
            raise ApiError(409, f"{path} does not match {given}")
        blob = git.hash_blob(content)
        base_tree = git.commit(head).tree if head else None
        tree = git.build_tree(base_tree, [(path, existing.mode if existing else "100644", blob)])
        me = Person(actor.name or actor.login, actor.commit_email, ctx.hub.state.clock())
        committer = _person(ctx, data.get("committer"), me)
        author = _person(ctx, data.get("author"), committer)
        sha = git.commit_tree(tree, [head] if head else [], message, author, committer)
    ctx.events += ctx.hub.update_ref(repo, ref, sha, actor, force=False, expected=head or ZERO_SHA)
    with ctx.hub.state.lock:
        entry = git.entry_at(sha, path)
        assert entry is not None
        body = {"content": ctx.hub.shapes.content_entry(repo, branch, entry),
                "commit": ctx.hub.shapes.git_commit(repo, git.commit(sha))}
        return Response.json(body, status=200 if existing else 201)


def delete_contents(ctx: Ctx) -> Response:
    data = ctx.body()
    path = ctx.params["path"].strip("/")
    message = data.get("message")
    if not isinstance(message, str) or not message:
        raise ApiError(422, "Invalid request.\n\n\"message\" wasn't supplied.")
    with ctx.hub.state.lock:
        repo = ctx.repo()
        actor = ctx.require_role(repo, "write")
        git = ctx.hub.git(repo)
        branch = str(data.get("branch") or repo.default_branch)
        ref = f"refs/heads/{branch}"
        head = git.ref_sha(ref)
        if head is None:
            raise ApiError(404, f"Branch {branch} not found")
        existing = git.entry_at(head, path)
        if existing is None or existing.type != "blob":
            raise ApiError(404, "Not Found")
        if data.get("sha") != existing.sha:
            raise ApiError(409, f"{path} does not match {data.get('sha')}")
        tree = git.build_tree(git.commit(head).tree, [(path, existing.mode, None)])
        me = Person(actor.name or actor.login, actor.commit_email, ctx.hub.state.clock())
        sha = git.commit_tree(tree, [head], message, _person(ctx, data.get("author"), me),
                              _person(ctx, data.get("committer"), me))
    ctx.events += ctx.hub.update_ref(repo, ref, sha, actor, force=False, expected=head)
    with ctx.hub.state.lock:
        return Response.json({"content": None, "commit": ctx.hub.shapes.git_commit(repo, git.commit(sha))})


def register(router: Router) -> None:
    router.add("GET", "/repos/{owner}/{repo}/contents", get_contents)
    router.add("GET", "/repos/{owner}/{repo}/contents/{path+}", get_contents)
    router.add("PUT", "/repos/{owner}/{repo}/contents/{path+}", put_contents)
    router.add("DELETE", "/repos/{owner}/{repo}/contents/{path+}", delete_contents)
