"""Webhook payloads shaped like ``@octokit/webhooks-examples`` and the ``Event`` that carries them."""

from __future__ import annotations

from typing import Any

from wxsandbox.events import Event
from wxsandbox.github.clock import iso
from wxsandbox.github.gitrepo import ZERO_SHA, GitRepo
from wxsandbox.github.payloads import Json, Shapes
from wxsandbox.github.state import Issue, Repo, State


def push_repository(shapes: Shapes, repo: Repo) -> Json:
    """The push event's repository: timestamps as epoch seconds, owner with name and email."""
    body = shapes.repository(repo)
    owner = shapes.state.user(repo.owner)
    body["owner"] = {**body["owner"], "name": owner.name if owner else repo.owner,
                     "email": owner.email if owner else None}
    body["created_at"] = int(repo.created_at.timestamp())
    body["pushed_at"] = int((repo.pushed_at or repo.created_at).timestamp())
    body["stargazers"] = len(repo.stargazers)
    body["master_branch"] = repo.default_branch
    return body


class EventFactory:
    """Builds events; ``ref``/``sha`` follow what Actions gives the run for each event type."""

    def __init__(self, shapes: Shapes, state: State) -> None:
        self.shapes = shapes
        self.state = state

    def _event(self, name: str, payload: Json, repo: Repo, ref: str, sha: str) -> Event:
        return Event(name=name, payload=payload, repo_full_name=repo.full_name, ref=ref, sha=sha,
                     delivery_id=next(self.state.delivery_ids))

    def custom(self, name: str, payload: Json, repo: Repo, ref: str, sha: str) -> Event:
        return self._event(name, payload, repo, ref, sha)

    def _default_ref(self, repo: Repo, git: GitRepo) -> tuple[str, str]:
        ref = f"refs/heads/{repo.default_branch}"
        return ref, git.ref_sha(ref) or ZERO_SHA

    def issues(self, repo: Repo, git: GitRepo, issue: Issue, action: str, sender: str, **extra: Any) -> Event:
        payload: Json = {"action": action, "issue": self.shapes.issue(repo, issue), **extra,
                         "repository": self.shapes.repository(repo), "sender": self.shapes.simple_user(sender)}
        return self._event("issues", payload, repo, *self._default_ref(repo, git))

    def issue_comment(self, repo: Repo, git: GitRepo, issue: Issue, comment: Json, action: str, sender: str,
                      **extra: Any) -> Event:
        payload: Json = {"action": action, "issue": self.shapes.issue(repo, issue), "comment": comment, **extra,
                         "repository": self.shapes.repository(repo), "sender": self.shapes.simple_user(sender)}
        return self._event("issue_comment", payload, repo, *self._default_ref(repo, git))

    def pull_request(self, repo: Repo, pull: Json, action: str, sender: str, **extra: Any) -> Event:
        number = int(pull["number"])
        payload: Json = {"action": action, "number": number, "pull_request": pull, **extra,
                         "repository": self.shapes.repository(repo), "sender": self.shapes.simple_user(sender)}
        merge_sha = pull.get("merge_commit_sha")
        if action == "closed" and pull.get("merged"):
            # A merged PR's run gets the base branch's ref and the merge commit (GitHub's documented exception).
            ref = f"refs/heads/{pull['base']['ref']}"
            sha = str(merge_sha or pull["base"]["sha"])
        else:  # the PR merge branch and its last test merge commit, closed or not
            ref = f"refs/pull/{number}/merge"
            sha = merge_sha or str(pull["head"]["sha"])
        return self._event("pull_request", payload, repo, ref, sha)

    def release(self, repo: Repo, release: Json, action: str, sender: str, sha: str) -> Event:
        payload: Json = {"action": action, "release": release, "repository": self.shapes.repository(repo),
                         "sender": self.shapes.simple_user(sender)}
        return self._event("release", payload, repo, f"refs/tags/{release['tag_name']}", sha)

    def push(self, repo: Repo, git: GitRepo, ref: str, before: str, after: str, sender: str,
             *, forced: bool) -> Event:
        user = self.state.user(sender)
        deleted = after == ZERO_SHA
        created = before == ZERO_SHA
        commits: list[Json] = []
        head_commit: Json | None = None
        if not deleted:
            shas = [] if ref.startswith("refs/tags/") else git.commits_between(None if created else before, after)
            if created and ref.startswith("refs/heads/"):
                # A new branch lists only commits no other branch has.
                others = [sha for name, sha in git.refs("refs/heads/").items() if name != ref]
                shas = [line for line in git.out("rev-list", "--reverse", "--max-count=20", after,
                                                 *(f"^{o}" for o in others)).splitlines() if line]
            commits = [self._push_commit(repo, git, sha) for sha in shas]
            head_commit = self._push_commit(repo, git, git.ref_sha(after) or after)
        short = ref.split("/", 2)[-1]
        web = f"{self.shapes.urls.web}/{repo.full_name}"
        payload: Json = {
            "ref": ref, "before": before, "after": after, "created": created, "deleted": deleted,
            "forced": forced, "base_ref": None,
            "compare": f"{web}/compare/{short}" if created else f"{web}/compare/{before[:12]}...{after[:12]}",
            "commits": commits, "head_commit": head_commit,
            "repository": push_repository(self.shapes, repo),
            "pusher": {"name": sender, "email": user.commit_email if user else None},
            "sender": self.shapes.simple_user(sender),
        }
        return self._event("push", payload, repo, ref, after if not deleted else before)

    def create_or_delete(self, repo: Repo, ref: str, sha: str, sender: str, *, created: bool) -> Event:
        """``create``/``delete``: a branch or tag appeared or went away (sent besides the push)."""
        kind = "tag" if ref.startswith("refs/tags/") else "branch"
        short = ref.split("/", 2)[-1]
        payload: Json = {"ref": short, "ref_type": kind}
        if created:
            payload.update({"master_branch": repo.default_branch, "description": repo.description or None})
        payload.update({"pusher_type": "user", "repository": self.shapes.repository(repo),
                        "sender": self.shapes.simple_user(sender)})
        return self._event("create" if created else "delete", payload, repo, ref if created else
                           f"refs/heads/{repo.default_branch}", sha)

    def _push_commit(self, repo: Repo, git: GitRepo, sha: str) -> Json:
        info = git.commit(sha)
        added, removed, modified = git.changed_paths(sha)

        def person(name: str, email: str) -> Json:
            login = next((u.login for u in self.state.users.values() if email in (u.email, u.commit_email)), None)
            if email == "noreply@github.com":
                login = "web-flow"  # the committer of merges made on github.com
            return {"name": name, "email": email, **({"username": login} if login else {})}

        return {
            "id": sha, "tree_id": info.tree, "distinct": True, "message": info.message.rstrip("\n"),
            "timestamp": iso(info.committer.date), "url": f"{self.shapes.urls.web}/{repo.full_name}/commit/{sha}",
            "author": person(info.author.name, info.author.email),
            "committer": person(info.committer.name, info.committer.email),
            "added": added, "removed": removed, "modified": modified,
        }
