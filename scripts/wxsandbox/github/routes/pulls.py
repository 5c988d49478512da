"""Pull requests: create, list, get (JSON or diff), update, merge (merge or squash), files."""

from __future__ import annotations

import wxsandbox.github.pullops as pullops
from wxsandbox.github.router import Ctx, Router, denied_message
from wxsandbox.github.routes.issues import check_body, find_issue
from wxsandbox.github.state import ApiError, Issue, PullInfo, Repo, role_at_least
from wxsandbox.http import Response


def _pull(repo: Repo, number: str) -> Issue:
    issue = find_issue(repo, number)
    if issue.pull is None:
        raise ApiError(404, "Not Found")
    return issue


def _invalid(field: str, message: str | None = None) -> ApiError:
    error = {"resource": "PullRequest", "field": field, "code": "invalid" if message is None else "custom"}
    if message:
        error["message"] = message
    return ApiError(422, "Validation Failed", errors=[error])


def create(ctx: Ctx) -> Response:
    actor = ctx.require_actor()
    data = ctx.body()
    title, head, base = data.get("title"), data.get("head"), data.get("base")
    if not isinstance(title, str) or not title.strip():
        raise _invalid("title")
    if not isinstance(head, str) or not isinstance(base, str):
        raise _invalid("head" if not isinstance(head, str) else "base")
    body = check_body(data.get("body"))
    with ctx.hub.state.lock:
        repo = ctx.repo()
        owner, _, branch = head.rpartition(":")
        fork = repo
        if owner and owner.lower() != repo.owner.lower():
            found = next((r for r in ctx.hub.state.repos.values()
                          if r.owner.lower() == owner.lower() and r.parent == repo.full_name), None)
            if found is None:
                raise _invalid("head")
            fork = found
        git = ctx.hub.git(repo)
        head_sha = ctx.hub.git(fork).ref_sha(f"refs/heads/{branch}")
        base_sha = git.ref_sha(f"refs/heads/{base}")
        if head_sha is None:
            raise _invalid("head")
        if base_sha is None:
            raise _invalid("base")
        for other in repo.issues.values():
            if (other.pull and other.state == "open" and other.pull.head_ref == branch
                    and other.pull.base_ref == base and (other.pull.head_repo or repo.full_name) == fork.full_name):
                raise ApiError(422, "Validation Failed", errors=[{
                    "resource": "PullRequest", "code": "custom",
                    "message": f"A pull request already exists for {fork.owner}:{branch}."}])
        if fork is not repo:
            head_sha = pullops.import_head(ctx.hub, repo, git, repo.next_number, fork, branch)
        if git.is_ancestor(head_sha, base_sha):
            if fork is not repo:
                git.run("update-ref", "-d", f"refs/pull/{repo.next_number}/head", check=False)
            raise ApiError(422, "Validation Failed", errors=[{
                "resource": "PullRequest", "code": "custom", "message": f"No commits between {base} and {branch}"}])
        if git.run("merge-base", base_sha, head_sha, check=False).returncode != 0:
            if fork is not repo:
                git.run("update-ref", "-d", f"refs/pull/{repo.next_number}/head", check=False)
            raise ApiError(422, "Validation Failed", errors=[{
                "resource": "PullRequest", "code": "custom",
                "message": f"The {branch} branch has no history in common with {base}"}])
        now = ctx.hub.state.clock()
        pull = PullInfo(ctx.hub.state.next_id("pull"), branch, head_sha, base, base_sha,
                        head_repo=None if fork is repo else fork.full_name, draft=bool(data.get("draft")),
                        maintainer_can_modify=bool(data.get("maintainer_can_modify")))
        issue = Issue(ctx.hub.state.next_id("issue"), repo.next_number, title, body, actor.login, now, now, pull=pull)
        repo.next_number += 1
        repo.issues[issue.number] = issue
        pullops.refresh_refs(ctx.hub, repo, git, issue)
        shaped = pullops.pull_json(ctx.hub, repo, issue)
        ctx.events.append(ctx.hub.events.pull_request(repo, shaped, "opened", actor.login))
        return Response.json(shaped, status=201, headers=[("Location", shaped["url"])])


def list_pulls(ctx: Ctx) -> Response:
    query = ctx.request.query_value
    state = query("state") or "open"
    head, base = query("head"), query("base")
    with ctx.hub.state.lock:
        repo = ctx.repo()
        found = []
        for issue in repo.issues.values():
            pull = issue.pull
            if pull is None or (state != "all" and issue.state != state):
                continue
            if head:
                head_owner, _, head_branch = head.rpartition(":")
                owner_now = pullops.head_repo(ctx.hub, repo, issue).owner
                if head_branch != pull.head_ref or (head_owner and head_owner.lower() != owner_now.lower()):
                    continue
            if base and base != pull.base_ref:
                continue
            found.append(issue)
        found.sort(key=lambda i: i.number, reverse=query("direction") != "asc")
        return ctx.paginate([pullops.pull_json(ctx.hub, repo, issue, simple=True) for issue in found])


def get(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        issue = _pull(repo, ctx.params["number"])
        accept = ctx.request.header("accept") or ""
        if "diff" in accept or "patch" in accept:
            assert issue.pull is not None
            git = ctx.hub.git(repo)
            base = git.merge_base(issue.pull.base_sha, issue.pull.head_sha)
            return Response.text(git.diff(base, issue.pull.head_sha), content_type="text/plain; charset=utf-8")
        return Response.json(pullops.pull_json(ctx.hub, repo, issue))


def update(ctx: Ctx) -> Response:
    actor = ctx.require_actor()
    data = ctx.body()
    with ctx.hub.state.lock:
        repo = ctx.repo()
        issue = _pull(repo, ctx.params["number"])
        pull = issue.pull
        assert pull is not None
        if issue.user != actor.login and not role_at_least(ctx.role(repo), "write"):
            raise ApiError(403, denied_message(actor, "write"))
        git = ctx.hub.git(repo)
        now = ctx.hub.state.clock()
        changes: dict[str, dict[str, str | None]] = {}
        if isinstance(data.get("title"), str) and data["title"] != issue.title:
            changes["title"] = {"from": issue.title}
            issue.title = data["title"]
        if "body" in data and data["body"] != issue.body:
            changes["body"] = {"from": issue.body}
            issue.body = check_body(data["body"])
        if isinstance(data.get("base"), str) and data["base"] != pull.base_ref:
            if git.ref_sha(f"refs/heads/{data['base']}") is None:
                raise _invalid("base")
            changes["base"] = {"from": pull.base_ref}
            pull.base_ref = data["base"]
            pullops.refresh_refs(ctx.hub, repo, git, issue)
        if changes:
            issue.updated_at = now
            ctx.events.append(ctx.hub.events.pull_request(repo, pullops.pull_json(ctx.hub, repo, issue), "edited",
                                                          actor.login, changes=changes))
        state = data.get("state")
        if state == "closed" and issue.state == "open":
            issue.state, issue.closed_at, issue.closed_by, issue.updated_at = "closed", now, actor.login, now
            git.run("update-ref", "-d", f"refs/pull/{issue.number}/merge", check=False)
            ctx.events.append(ctx.hub.events.pull_request(repo, pullops.pull_json(ctx.hub, repo, issue), "closed",
                                                          actor.login))
        elif state == "open" and issue.state == "closed" and not pull.merged:
            issue.state, issue.closed_at, issue.closed_by, issue.updated_at = "open", None, None, now
            pullops.refresh_refs(ctx.hub, repo, git, issue)
            ctx.events.append(ctx.hub.events.pull_request(repo, pullops.pull_json(ctx.hub, repo, issue), "reopened",
                                                          actor.login))
        return Response.json(pullops.pull_json(ctx.hub, repo, issue))


def merge(ctx: Ctx) -> Response:
    data = ctx.body()
    with ctx.hub.state.lock:
        repo = ctx.repo()
        actor = ctx.require_role(repo, "write")
        issue = _pull(repo, ctx.params["number"])
    title, message = data.get("commit_title"), data.get("commit_message")
    sha, events = pullops.merge(
        ctx.hub, repo, issue, actor, method=str(data.get("merge_method") or "merge"),
        title=title if isinstance(title, str) else None, message=message if isinstance(message, str) else None,
        expected_sha=data.get("sha") if isinstance(data.get("sha"), str) else None)
    ctx.events += events
    return Response.json({"sha": sha, "merged": True, "message": "Pull Request successfully merged"})


def is_merged(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        issue = _pull(ctx.repo(), ctx.params["number"])
        assert issue.pull is not None
        if not issue.pull.merged:
            raise ApiError(404, "Not Found")
        return Response(204)


def files(ctx: Ctx) -> Response:
    with ctx.hub.state.lock:
        repo = ctx.repo()
        issue = _pull(repo, ctx.params["number"])
        pull = issue.pull
        assert pull is not None
        git = ctx.hub.git(repo)
        base = git.merge_base(pull.base_sha, pull.head_sha)
        names = {"A": "added", "D": "removed", "M": "modified"}
        items = []
        for status, path, additions, deletions in git.diff_stats(base, pull.head_sha):
            entry = git.entry_at(pull.head_sha if status != "D" else base, path)
            items.append({
                "sha": entry.sha if entry else None, "filename": path, "status": names.get(status, "changed"),
                "additions": additions, "deletions": deletions, "changes": additions + deletions,
                "blob_url": f"{ctx.hub.urls.web}/{repo.full_name}/blob/{pull.head_sha}/{path}",
                "raw_url": f"{ctx.hub.urls.web}/{repo.full_name}/raw/{pull.head_sha}/{path}",
                "contents_url": f"{ctx.hub.urls.repo_api(repo.full_name)}/contents/{path}?ref={pull.head_sha}",
            })
        return ctx.paginate(items)


def register(router: Router) -> None:
    base = "/repos/{owner}/{repo}/pulls"
    router.add("POST", base, create)
    router.add("GET", base, list_pulls)
    router.add("GET", f"{base}/{{number}}", get)
    router.add("PATCH", f"{base}/{{number}}", update)
    router.add("PUT", f"{base}/{{number}}/merge", merge)
    router.add("GET", f"{base}/{{number}}/merge", is_merged)
    router.add("GET", f"{base}/{{number}}/files", files)
