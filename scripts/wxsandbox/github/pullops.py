"""Pull request mechanics: head/merge refs, mergeability, real merges, closing keywords."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from wxsandbox.events import Event
from wxsandbox.github.clock import iso
from wxsandbox.github.gitrepo import ZERO_SHA, GitRepo, Person
from wxsandbox.github.payloads import Json
from wxsandbox.github.state import ApiError, Issue, Repo, User

if TYPE_CHECKING:
    from wxsandbox.github.hub import Hub

CLOSING_KEYWORDS = re.compile(r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+#(\d+)\b", re.IGNORECASE)


def closing_issue_numbers(text: str | None) -> list[int]:
    """Issue numbers a PR body closes: ``Closes #1``, ``fixes #2``, ``Resolved: #3`` ..."""
    seen: list[int] = []
    for found in CLOSING_KEYWORDS.finditer(text or ""):
        number = int(found.group(1))
        if number not in seen:
            seen.append(number)
    return seen


def person(user: User, hub: Hub) -> Person:
    return Person(user.name or user.login, user.commit_email, hub.state.clock())


def head_repo(hub: Hub, repo: Repo, issue: Issue) -> Repo:
    """The repository the PR's head branch lives in: ``repo`` itself or a fork of it."""
    assert issue.pull is not None
    if issue.pull.head_repo is None:
        return repo
    return hub.state.repo(issue.pull.head_repo) or repo


def import_head(hub: Hub, repo: Repo, git: GitRepo, number: int, fork: Repo, branch: str) -> str:
    """Fetch a fork's branch into ``refs/pull/N/head`` of the base repository (GitHub shares objects
    across a fork network; here they are copied). Returns the fetched sha."""
    ref = f"refs/pull/{number}/head"
    git.run("fetch", "--quiet", "--no-tags", str(fork.path), f"+refs/heads/{branch}:{ref}")
    sha = git.raw_ref(ref)
    assert sha is not None
    return sha


def refresh_refs(hub: Hub, repo: Repo, git: GitRepo, issue: Issue) -> None:
    """Keep ``refs/pull/N/head`` and the test merge ``refs/pull/N/merge`` as GitHub does."""
    pull = issue.pull
    assert pull is not None
    git.set_ref(f"refs/pull/{issue.number}/head", pull.head_sha)  # most often unchanged: only the base moved
    if pull.merged or issue.state != "open":
        return
    base_sha = git.ref_sha(f"refs/heads/{pull.base_ref}") or pull.base_sha
    pull.base_sha = base_sha
    tree = git.merge_tree(base_sha, pull.head_sha)
    if tree is None:
        pull.mergeable = False
        pull.merge_commit_sha = None
        git.run("update-ref", "-d", f"refs/pull/{issue.number}/merge", check=False)
        return
    pull.mergeable = True
    bot = hub.state.user("github-actions[bot]")
    committer = Person("GitHub", "noreply@github.com", hub.state.clock())
    author = person(bot, hub) if bot else committer
    message = f"Merge {pull.head_sha} into {base_sha}\n"
    merge = git.commit_tree(tree, [base_sha, pull.head_sha], message, author, committer)
    pull.merge_commit_sha = merge
    git.update_ref(f"refs/pull/{issue.number}/merge", merge)


def pull_json(hub: Hub, repo: Repo, issue: Issue, *, simple: bool = False) -> Json:
    """The ``pull-request`` (or, for lists, ``pull-request-simple``) body."""
    pull = issue.pull
    assert pull is not None
    shapes = hub.shapes
    git = hub.git(repo)
    api = hub.urls.repo_api(repo.full_name)
    url = f"{api}/pulls/{issue.number}"
    html = f"{hub.urls.web}/{repo.full_name}/pull/{issue.number}"
    issue_body = shapes.issue(repo, issue)
    repo_json = shapes.repository(repo)

    fork = head_repo(hub, repo, issue)
    fork_json = repo_json if fork is repo else shapes.repository(fork)

    def side(ref: str, sha: str, where: Repo, where_json: Json) -> Json:
        return {"label": f"{where.owner}:{ref}", "ref": ref, "sha": sha, "user": shapes.simple_user(where.owner),
                "repo": where_json}

    body: Json = {
        "url": url, "id": pull.id, "node_id": issue_body["node_id"], "html_url": html,
        "diff_url": f"{html}.diff", "patch_url": f"{html}.patch", "issue_url": f"{api}/issues/{issue.number}",
        "commits_url": f"{url}/commits", "review_comments_url": f"{url}/comments",
        "review_comment_url": f"{api}/pulls/comments{{/number}}",
        "comments_url": f"{api}/issues/{issue.number}/comments",
        "statuses_url": f"{api}/statuses/{pull.head_sha}", "number": issue.number, "state": issue.state,
        "locked": issue.locked, "title": issue.title, "user": issue_body["user"], "body": issue.body,
        "labels": issue_body["labels"], "milestone": None, "active_lock_reason": None,
        "created_at": iso(issue.created_at), "updated_at": iso(issue.updated_at), "closed_at": iso(issue.closed_at),
        "merged_at": iso(pull.merged_at), "merge_commit_sha": pull.merge_commit_sha,
        "assignee": issue_body["assignee"], "assignees": issue_body["assignees"], "requested_reviewers": [],
        "requested_teams": [], "head": side(pull.head_ref, pull.head_sha, fork, fork_json),
        "base": side(pull.base_ref, pull.base_sha, repo, repo_json),
        "_links": {
            "self": {"href": url}, "html": {"href": html}, "issue": {"href": f"{api}/issues/{issue.number}"},
            "comments": {"href": f"{api}/issues/{issue.number}/comments"},
            "review_comments": {"href": f"{url}/comments"},
            "review_comment": {"href": f"{api}/pulls/comments{{/number}}"},
            "commits": {"href": f"{url}/commits"}, "statuses": {"href": f"{api}/statuses/{pull.head_sha}"},
        },
        "author_association": issue_body["author_association"], "auto_merge": None, "draft": pull.draft,
    }
    if simple:
        return body
    merge_base = git.merge_base(pull.base_sha, pull.head_sha) if not pull.merged else pull.base_sha
    stats = git.diff_stats(merge_base, pull.head_sha)
    commits = git.count_commits(pull.head_sha, merge_base)
    body.update({
        "merged": pull.merged, "mergeable": pull.mergeable if not pull.merged else None,
        "rebaseable": False, "mergeable_state": "clean" if pull.mergeable else ("dirty" if pull.mergeable is False
                                                                               else "unknown"),
        "merged_by": hub.shapes.simple_user(pull.merged_by) if pull.merged_by else None,
        "comments": issue_body["comments"], "review_comments": 0, "maintainer_can_modify": pull.maintainer_can_modify,
        "commits": commits, "additions": sum(s[2] for s in stats), "deletions": sum(s[3] for s in stats),
        "changed_files": len(stats),
    })
    return body


def branch_moved(hub: Hub, repo: Repo, git: GitRepo, branch: str, sha: str, actor: User) -> list[Event]:
    """A branch moved: open PRs from it (in this repository or, for a fork, in its parent) get
    ``synchronize``; PRs into it get a fresh test merge. Hold the state lock."""
    events: list[Event] = []
    for base_repo in list(hub.state.repos.values()):
        for issue in sorted(base_repo.issues.values(), key=lambda i: i.number):
            pull = issue.pull
            if pull is None or issue.state != "open":
                continue
            from_here = (pull.head_repo or base_repo.full_name).lower() == repo.full_name.lower()
            if from_here and pull.head_ref == branch and pull.head_sha != sha:
                base_git = hub.git(base_repo)
                if pull.head_repo is not None:
                    import_head(hub, base_repo, base_git, issue.number, repo, branch)
                before = pull.head_sha
                pull.head_sha = sha
                issue.updated_at = hub.state.clock()
                refresh_refs(hub, base_repo, base_git, issue)
                events.append(hub.events.pull_request(base_repo, pull_json(hub, base_repo, issue), "synchronize",
                                                      actor.login, before=before, after=sha))
            elif base_repo is repo and pull.base_ref == branch:
                refresh_refs(hub, repo, git, issue)
    return events


def merge(hub: Hub, repo: Repo, issue: Issue, actor: User, *, method: str, title: str | None,
          message: str | None, expected_sha: str | None) -> tuple[str, list[Event]]:
    """Merge (or squash) a PR into its base branch in the bare repo; close keyword issues."""
    pull = issue.pull
    assert pull is not None
    git = hub.git(repo)
    if pull.merged or issue.state != "open":
        raise ApiError(405, "Pull Request is not mergeable")
    if expected_sha and expected_sha != pull.head_sha:
        raise ApiError(409, "Head branch was modified. Review and try the merge again.")
    if method not in ("merge", "squash", "rebase"):
        raise ApiError(422, "Invalid request.\n\nmerge_method must be one of merge, squash, rebase.")
    if method == "rebase":
        raise ApiError(405, "Rebase merges are not allowed on this repository.")
    base_ref = f"refs/heads/{pull.base_ref}"
    base_sha = git.ref_sha(base_ref)
    if base_sha is None:
        raise ApiError(422, "Base branch does not exist")
    tree = git.merge_tree(base_sha, pull.head_sha)
    if tree is None:
        raise ApiError(405, "Pull Request is not mergeable")
    from wxsandbox.github.routes.statuses import OUT_OF_DATE, missing_required

    with hub.state.lock:
        required = missing_required(repo, pull.base_ref, pull.head_sha)
        strict = pull.base_ref in repo.protection_strict
    if required is not None:
        raise ApiError(405, required)
    if strict and not git.is_ancestor(base_sha, pull.head_sha):
        raise ApiError(405, OUT_OF_DATE)
    who = person(actor, hub)
    committer = Person("GitHub", "noreply@github.com", who.date)
    if method == "merge":
        source = head_repo(hub, repo, issue).owner
        subject = title or f"Merge pull request #{issue.number} from {source}/{pull.head_ref}"
        text = f"{subject}\n\n{message if message is not None else issue.title}\n"
        parents = [base_sha, pull.head_sha]
    else:
        subject = title or f"{issue.title} (#{issue.number})"
        shas = git.commits_between(base_sha, pull.head_sha, limit=250)
        default = "\n\n".join(f"* {git.commit(sha).message.strip()}" for sha in shas)
        text = f"{subject}\n\n{message if message is not None else default}\n"
        parents = [base_sha]
    merged_sha = git.commit_tree(tree, parents, text, who, committer)
    events = hub.update_ref(repo, base_ref, merged_sha, actor, force=False, expected=base_sha)
    with hub.state.lock:
        now = hub.state.clock()
        pull.merged, pull.merged_at, pull.merged_by = True, now, actor.login
        pull.merge_commit_sha, pull.mergeable = merged_sha, None
        issue.state, issue.closed_at, issue.updated_at, issue.closed_by = "closed", now, now, actor.login
        git.run("update-ref", "-d", f"refs/pull/{issue.number}/merge", check=False)
        events.append(hub.events.pull_request(repo, pull_json(hub, repo, issue), "closed", actor.login))
        if pull.base_ref == repo.default_branch:
            events += close_issues(hub, repo, git, closing_issue_numbers(issue.body), actor)
    return merged_sha, events


def close_issues(hub: Hub, repo: Repo, git: GitRepo, numbers: list[int], actor: User) -> list[Event]:
    """Close the open issues (not pull requests) among ``numbers`` as completed. Hold the state lock."""
    events: list[Event] = []
    now = hub.state.clock()
    for number in numbers:
        target = repo.issues.get(number)
        if target is None or target.pull is not None or target.state != "open":
            continue
        target.state, target.state_reason = "closed", "completed"
        target.closed_at, target.updated_at, target.closed_by = now, now, actor.login
        events.append(hub.events.issues(repo, git, target, "closed", actor.login))
    return events


def close_from_commits(hub: Hub, repo: Repo, git: GitRepo, before: str, after: str, actor: User) -> list[Event]:
    """Commits landing on the default branch close the issues their messages name, as on GitHub."""
    shas = git.commits_between(None if before == ZERO_SHA else before, after, limit=250)
    numbers: list[int] = []
    for sha in shas:
        numbers += [n for n in closing_issue_numbers(git.commit(sha).message) if n not in numbers]
    return close_issues(hub, repo, git, numbers, actor)
