"""JSON bodies shaped like GitHub's REST responses (see ``tests/sandbox/data`` for the schemas).

Every URL points into the stand-in: API URLs under ``api``, web URLs under ``web``, as PyGithub
insists that URLs in bodies share its ``base_url`` host.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from wxsandbox.github.clock import iso
from wxsandbox.github.gitrepo import CommitInfo, GitRepo, Person, TreeEntry
from wxsandbox.github.state import Asset, Comment, Issue, Label, Release, Repo, State, User, node_id

Json = dict[str, Any]

GHOST = User("ghost", 10137, None, None, datetime(2013, 4, 23, tzinfo=UTC))

REACTIONS_ZERO = {"total_count": 0, "+1": 0, "-1": 0, "laugh": 0, "hooray": 0, "confused": 0, "heart": 0,
                  "rocket": 0, "eyes": 0}


@dataclass(frozen=True)
class Urls:
    web: str
    """``http://127.0.0.1:P``: html_url base and git smart HTTP."""
    api: str
    """``http://127.0.0.1:P/api/v3``: the REST base."""
    raw: str
    """``http://127.0.0.1:R``: raw.githubusercontent.com layout."""

    @property
    def uploads(self) -> str:
        return f"{self.web}/api/uploads"

    def repo_api(self, full_name: str) -> str:
        return f"{self.api}/repos/{full_name}"


class Shapes:
    def __init__(self, urls: Urls, state: State) -> None:
        self.urls = urls
        self.state = state

    # -- users -------------------------------------------------------------------------------------

    def simple_user(self, login: str) -> Json:
        user = self.state.user(login)
        if user is None:  # a deleted or unknown user renders as GitHub's "ghost"
            user = GHOST
        api = f"{self.urls.api}/users/{user.login}"
        return {
            "login": user.login, "id": user.id, "node_id": node_id("User", user.id),
            "avatar_url": f"{self.urls.web}/avatars/u/{user.id}?v=4", "gravatar_id": "",
            "url": api,
            "html_url": f"{self.urls.web}/apps/github-actions" if user.is_bot else f"{self.urls.web}/{user.login}",
            "followers_url": f"{api}/followers", "following_url": f"{api}/following{{/other_user}}",
            "gists_url": f"{api}/gists{{/gist_id}}", "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{api}/subscriptions", "organizations_url": f"{api}/orgs",
            "repos_url": f"{api}/repos", "events_url": f"{api}/events{{/privacy}}",
            "received_events_url": f"{api}/received_events", "type": user.type, "user_view_type": "public",
            "site_admin": False,
        }

    def public_user(self, user: User) -> Json:
        owned = sum(1 for repo in self.state.repos.values() if repo.owner == user.login)
        return {
            **self.simple_user(user.login), "name": user.name, "company": None, "blog": "", "location": None,
            "email": user.email, "hireable": None, "bio": None, "twitter_username": None,
            "public_repos": owned, "public_gists": 0, "followers": 0, "following": 0,
            "created_at": iso(user.created_at), "updated_at": iso(user.created_at),
        }

    def private_user(self, user: User) -> Json:
        return {
            **self.public_user(user), "private_gists": 0, "total_private_repos": 0, "owned_private_repos": 0,
            "disk_usage": 0, "collaborators": 0, "two_factor_authentication": False,
            "plan": {"name": "free", "space": 976562499, "collaborators": 0, "private_repos": 10000},
        }

    # -- repositories ------------------------------------------------------------------------------

    def repository(self, repo: Repo, *, viewer_role: str | None = None, git: GitRepo | None = None,
                   with_parent: bool = False) -> Json:
        """The ``full-repository`` body (``parent``/``source`` for a fork when ``with_parent``)."""
        full = repo.full_name
        api = self.urls.repo_api(full)
        html = f"{self.urls.web}/{full}"
        stars = len(repo.stargazers)
        forks = sum(1 for other in self.state.repos.values() if other.parent == full)
        body: Json = {
            "id": repo.id, "node_id": node_id("Repository", repo.id), "name": repo.name, "full_name": full,
            "private": False, "owner": self.simple_user(repo.owner), "html_url": html,
            "description": repo.description or None, "fork": repo.parent is not None, "url": api,
            "forks_url": f"{api}/forks", "keys_url": f"{api}/keys{{/key_id}}",
            "collaborators_url": f"{api}/collaborators{{/collaborator}}", "teams_url": f"{api}/teams",
            "hooks_url": f"{api}/hooks", "issue_events_url": f"{api}/issues/events{{/number}}",
            "events_url": f"{api}/events", "assignees_url": f"{api}/assignees{{/user}}",
            "branches_url": f"{api}/branches{{/branch}}", "tags_url": f"{api}/tags",
            "blobs_url": f"{api}/git/blobs{{/sha}}", "git_tags_url": f"{api}/git/tags{{/sha}}",
            "git_refs_url": f"{api}/git/refs{{/sha}}", "trees_url": f"{api}/git/trees{{/sha}}",
            "statuses_url": f"{api}/statuses/{{sha}}", "languages_url": f"{api}/languages",
            "stargazers_url": f"{api}/stargazers", "contributors_url": f"{api}/contributors",
            "subscribers_url": f"{api}/subscribers", "subscription_url": f"{api}/subscription",
            "commits_url": f"{api}/commits{{/sha}}", "git_commits_url": f"{api}/git/commits{{/sha}}",
            "comments_url": f"{api}/comments{{/number}}", "issue_comment_url": f"{api}/issues/comments{{/number}}",
            "contents_url": f"{api}/contents/{{+path}}", "compare_url": f"{api}/compare/{{base}}...{{head}}",
            "merges_url": f"{api}/merges", "archive_url": f"{api}/{{archive_format}}{{/ref}}",
            "downloads_url": f"{api}/downloads", "issues_url": f"{api}/issues{{/number}}",
            "pulls_url": f"{api}/pulls{{/number}}", "milestones_url": f"{api}/milestones{{/number}}",
            "notifications_url": f"{api}/notifications{{?since,all,participating}}",
            "labels_url": f"{api}/labels{{/name}}", "releases_url": f"{api}/releases{{/id}}",
            "deployments_url": f"{api}/deployments",
            "created_at": iso(repo.created_at), "updated_at": iso(repo.updated_at),
            "pushed_at": iso(repo.pushed_at or repo.created_at),
            "git_url": f"{self.urls.web.replace('http://', 'git://')}/{full}.git",
            "ssh_url": f"git@127.0.0.1:{full}.git", "clone_url": f"{html}.git", "svn_url": html,
            "homepage": None, "size": git.size_kb() if git else 0, "stargazers_count": stars,
            "watchers_count": stars,
            "language": None, "has_issues": True, "has_projects": True, "has_downloads": True,
            "has_wiki": True, "has_pages": False, "has_discussions": False, "forks_count": forks,
            "mirror_url": None, "archived": False, "disabled": False,
            "open_issues_count": repo.open_issue_count(), "license": None, "allow_forking": True,
            "is_template": False, "web_commit_signoff_required": False, "topics": [], "visibility": "public",
            "forks": forks, "open_issues": repo.open_issue_count(), "watchers": stars,
            "default_branch": repo.default_branch,
            "allow_squash_merge": True, "allow_merge_commit": True, "allow_rebase_merge": False,
            "allow_auto_merge": False, "delete_branch_on_merge": False, "allow_update_branch": False,
            "network_count": 0, "subscribers_count": 0, "custom_properties": {},
        }
        if viewer_role is not None:
            body["permissions"] = permissions_for(viewer_role)
        if with_parent and repo.parent is not None:
            parent = self.state.repo(repo.parent)
            if parent is not None:
                source = parent
                while source.parent is not None and (up := self.state.repo(source.parent)) is not None:
                    source = up
                body["parent"] = self.repository(parent, with_parent=False)
                body["source"] = self.repository(source, with_parent=False)
        return body

    # -- labels, issues, comments ------------------------------------------------------------------

    def label(self, repo: Repo, label: Label) -> Json:
        return {
            "id": label.id, "node_id": node_id("Label", label.id),
            "url": f"{self.urls.repo_api(repo.full_name)}/labels/{quote(label.name, safe=':')}",
            "name": label.name, "color": label.color, "default": label.default, "description": label.description,
        }

    def author_association(self, repo: Repo, login: str) -> str:
        if login.lower() == repo.owner.lower():
            return "OWNER"
        if repo.roles.get(login, "none") != "none":
            return "COLLABORATOR"
        return "NONE"

    def issue(self, repo: Repo, issue: Issue) -> Json:
        api = self.urls.repo_api(repo.full_name)
        url = f"{api}/issues/{issue.number}"
        labels = sorted((found for name in issue.labels if (found := repo.label(name))), key=lambda x: x.name.lower())
        body: Json = {
            "url": url, "repository_url": api, "labels_url": f"{url}/labels{{/name}}",
            "comments_url": f"{url}/comments", "events_url": f"{url}/events",
            "html_url": f"{self.urls.web}/{repo.full_name}/{'pull' if issue.pull else 'issues'}/{issue.number}",
            "id": issue.id, "node_id": node_id("PullRequest" if issue.pull else "Issue", issue.id),
            "number": issue.number, "title": issue.title, "user": self.simple_user(issue.user),
            "labels": [self.label(repo, label) for label in labels], "state": issue.state, "locked": issue.locked,
            "assignee": self.simple_user(issue.assignees[0]) if issue.assignees else None,
            "assignees": [self.simple_user(login) for login in issue.assignees], "milestone": None,
            "comments": sum(1 for c in self.state.comments.values()
                            if c.repo == repo.full_name and c.issue_number == issue.number),
            "created_at": iso(issue.created_at), "updated_at": iso(issue.updated_at),
            "closed_at": iso(issue.closed_at), "author_association": self.author_association(repo, issue.user),
            "active_lock_reason": issue.lock_reason, "body": issue.body,
            "closed_by": self.simple_user(issue.closed_by) if issue.closed_by else None,
            "reactions": {"url": f"{url}/reactions", **REACTIONS_ZERO},
            "timeline_url": f"{url}/timeline", "performed_via_github_app": None,
            "state_reason": issue.state_reason, "draft": False,
        }
        if issue.pull is not None:
            pulls = f"{api}/pulls/{issue.number}"
            html = f"{self.urls.web}/{repo.full_name}/pull/{issue.number}"
            body["draft"] = issue.pull.draft
            body["pull_request"] = {"url": pulls, "html_url": html, "diff_url": f"{html}.diff",
                                    "patch_url": f"{html}.patch", "merged_at": iso(issue.pull.merged_at)}
        return body

    def comment(self, repo: Repo, comment: Comment) -> Json:
        api = self.urls.repo_api(repo.full_name)
        url = f"{api}/issues/comments/{comment.id}"
        issue = repo.issues.get(comment.issue_number)
        kind = "pull" if issue is not None and issue.pull else "issues"
        return {
            "url": url,
            "html_url": f"{self.urls.web}/{repo.full_name}/{kind}/{comment.issue_number}#issuecomment-{comment.id}",
            "issue_url": f"{api}/issues/{comment.issue_number}", "id": comment.id,
            "node_id": node_id("IssueComment", comment.id), "user": self.simple_user(comment.user),
            "created_at": iso(comment.created_at), "updated_at": iso(comment.updated_at),
            "author_association": self.author_association(repo, comment.user), "body": comment.body,
            "reactions": {"url": f"{url}/reactions", **REACTIONS_ZERO}, "performed_via_github_app": None,
        }

    # -- git data ----------------------------------------------------------------------------------

    def git_person(self, person: Person) -> Json:
        return {"name": person.name, "email": person.email, "date": iso(person.date)}

    def git_commit(self, repo: Repo, info: CommitInfo) -> Json:
        api = self.urls.repo_api(repo.full_name)
        return {
            "sha": info.sha, "node_id": node_id("Commit", int(info.sha[:7], 16)),
            "url": f"{api}/git/commits/{info.sha}", "html_url": f"{self.urls.web}/{repo.full_name}/commit/{info.sha}",
            "author": self.git_person(info.author), "committer": self.git_person(info.committer),
            "tree": {"sha": info.tree, "url": f"{api}/git/trees/{info.tree}"}, "message": info.message.rstrip("\n"),
            "parents": [{"sha": p, "url": f"{api}/git/commits/{p}",
                         "html_url": f"{self.urls.web}/{repo.full_name}/commit/{p}"} for p in info.parents],
            "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None,
                             "verified_at": None},
        }

    def _login_for_email(self, email: str) -> str | None:
        for user in self.state.users.values():
            if email in (user.email, user.commit_email):
                return user.login
        return None

    def commit(self, repo: Repo, info: CommitInfo, *, files: list[Json] | None = None) -> Json:
        """The ``commit`` schema (repos/commits and branches): git data plus the GitHub users."""
        api = self.urls.repo_api(repo.full_name)
        author = self._login_for_email(info.author.email)
        committer = self._login_for_email(info.committer.email)
        body: Json = {
            "sha": info.sha, "node_id": node_id("Commit", int(info.sha[:7], 16)),
            "url": f"{api}/commits/{info.sha}", "html_url": f"{self.urls.web}/{repo.full_name}/commit/{info.sha}",
            "comments_url": f"{api}/commits/{info.sha}/comments",
            "commit": {
                "url": f"{api}/git/commits/{info.sha}", "author": self.git_person(info.author),
                "committer": self.git_person(info.committer), "message": info.message.rstrip("\n"),
                "comment_count": 0, "tree": {"sha": info.tree, "url": f"{api}/git/trees/{info.tree}"},
                "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None,
                                 "verified_at": None},
            },
            "author": self.simple_user(author) if author else None,
            "committer": self.simple_user(committer) if committer else None,
            "parents": [{"sha": p, "url": f"{api}/commits/{p}",
                         "html_url": f"{self.urls.web}/{repo.full_name}/commit/{p}"} for p in info.parents],
        }
        if files is not None:
            body["files"] = files
            body["stats"] = {"additions": sum(f["additions"] for f in files),
                             "deletions": sum(f["deletions"] for f in files),
                             "total": sum(f["changes"] for f in files)}
        return body

    def git_ref(self, repo: Repo, ref: str, sha: str, kind: str) -> Json:
        api = self.urls.repo_api(repo.full_name)
        plural = "tags" if kind == "tag" else "commits"
        return {"ref": ref, "node_id": node_id("Ref", abs(hash(ref)) % 10**9),
                "url": f"{api}/git/{ref}", "object": {"sha": sha, "type": kind, "url": f"{api}/git/{plural}/{sha}"}}

    def tree(self, repo: Repo, sha: str, entries: list[TreeEntry]) -> Json:
        api = self.urls.repo_api(repo.full_name)
        items: list[Json] = []
        for entry in entries:
            item: Json = {"path": entry.path, "mode": entry.mode, "type": entry.type, "sha": entry.sha}
            if entry.type == "blob":
                item["size"] = entry.size or 0
                item["url"] = f"{api}/git/blobs/{entry.sha}"
            elif entry.type == "tree":
                item["url"] = f"{api}/git/trees/{entry.sha}"
            items.append(item)
        return {"sha": sha, "url": f"{api}/git/trees/{sha}", "tree": items, "truncated": False}

    def blob(self, repo: Repo, sha: str, content: bytes) -> Json:
        return {"sha": sha, "node_id": node_id("Blob", int(sha[:7], 16)),
                "url": f"{self.urls.repo_api(repo.full_name)}/git/blobs/{sha}", "size": len(content),
                "content": base64.encodebytes(content).decode("ascii"), "encoding": "base64"}

    # -- contents ----------------------------------------------------------------------------------

    def content_entry(self, repo: Repo, ref: str, entry: TreeEntry, content: bytes | None = None) -> Json:
        api = self.urls.repo_api(repo.full_name)
        kind = {"blob": "file", "tree": "dir", "commit": "submodule"}.get(entry.type, "file")
        if entry.mode == "120000":
            kind = "symlink"
        url = f"{api}/contents/{entry.path}?ref={ref}"
        git_url = f"{api}/git/{'trees' if kind == 'dir' else 'blobs'}/{entry.sha}"
        html_url = f"{self.urls.web}/{repo.full_name}/{'tree' if kind == 'dir' else 'blob'}/{ref}/{entry.path}"
        body: Json = {
            "type": kind, "size": entry.size or 0, "name": entry.path.rsplit("/", 1)[-1], "path": entry.path,
            "sha": entry.sha, "url": url, "git_url": git_url, "html_url": html_url,
            "download_url": f"{self.urls.raw}/{repo.full_name}/{ref}/{entry.path}" if kind == "file" else None,
            "_links": {"self": url, "git": git_url, "html": html_url},
        }
        if content is not None:
            body["content"] = base64.encodebytes(content).decode("ascii")
            body["encoding"] = "base64"
        return body

    # -- releases ----------------------------------------------------------------------------------

    def release(self, repo: Repo, release: Release) -> Json:
        api = self.urls.repo_api(repo.full_name)
        url = f"{api}/releases/{release.id}"
        return {
            "url": url, "html_url": f"{self.urls.web}/{repo.full_name}/releases/tag/{release.tag_name}",
            "assets_url": f"{url}/assets",
            "upload_url": f"{self.urls.uploads}/repos/{repo.full_name}/releases/{release.id}/assets{{?name,label}}",
            "tarball_url": f"{api}/tarball/{release.tag_name}", "zipball_url": f"{api}/zipball/{release.tag_name}",
            "id": release.id, "node_id": node_id("Release", release.id), "tag_name": release.tag_name,
            "target_commitish": release.target_commitish, "name": release.name, "body": release.body,
            "draft": release.draft, "prerelease": release.prerelease, "immutable": False,
            "created_at": iso(release.created_at), "published_at": iso(release.published_at),
            "updated_at": iso(release.published_at or release.created_at),
            "author": self.simple_user(release.author),
            "assets": [self.asset(repo, release, asset) for asset in release.assets],
        }

    def asset(self, repo: Repo, release: Release, asset: Asset) -> Json:
        return {
            "url": f"{self.urls.repo_api(repo.full_name)}/releases/assets/{asset.id}",
            "browser_download_url": f"{self.urls.web}/{repo.full_name}/releases/download/{quote(release.tag_name)}/"
                                    f"{quote(asset.name)}",
            "id": asset.id, "node_id": node_id("ReleaseAsset", asset.id), "name": asset.name, "label": asset.label,
            "state": "uploaded", "content_type": asset.content_type, "size": len(asset.data),
            "digest": "sha256:" + hashlib.sha256(asset.data).hexdigest(), "download_count": asset.download_count,
            "created_at": iso(asset.created_at), "updated_at": iso(asset.created_at),
            "uploader": self.simple_user(asset.uploader),
        }


def permissions_for(role: str) -> dict[str, bool]:
    order = ("read", "triage", "write", "maintain", "admin")
    rank = order.index(role) if role in order else 0
    return {"admin": rank >= 4, "maintain": rank >= 3, "push": rank >= 2, "triage": rank >= 1, "pull": True}
