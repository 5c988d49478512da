"""git smart HTTP, raw files and archives: what git and curl see against GitHub, they see here."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from wxsandbox.github import GitHubStandIn
from wxsandbox.github.gitrepo import EMPTY_TREE, GitRepo, Person
from wxsandbox.github.testing import RecordingSink


@pytest.fixture
def gh(tmp_path: Path, sink: RecordingSink) -> Iterator[GitHubStandIn]:
    with GitHubStandIn(tmp_path / "gh", event_sink=sink) as stand_in:
        stand_in.add_user("alice", name="Alice", email="alice@example.com")
        stand_in.add_user("bob")
        stand_in.create_repo("alice", "plugin")
        stand_in.set_role("alice/plugin", "bob", "read")
        source = tmp_path / "src"
        source.mkdir()
        (source / "README.md").write_text("# plugin\n")
        (source / "plugin.json").write_text('{"plugin_id": "demo"}\n')
        stand_in.push_directory("alice/plugin", source, tag="v1.0.0")
        yield stand_in


def git(*args: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1", "GIT_ASKPASS": "",
           "SSH_ASKPASS": "", "GIT_AUTHOR_NAME": "Alice", "GIT_AUTHOR_EMAIL": "alice@example.com",
           "GIT_COMMITTER_NAME": "Alice", "GIT_COMMITTER_EMAIL": "alice@example.com"}
    env.pop("GIT_DIR", None)
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def with_credentials(gh: GitHubStandIn, user: str, token: str) -> str:
    return gh.git_url("alice/plugin").replace("http://", f"http://{user}:{token}@")


def test_anonymous_clone_and_authenticated_push(gh: GitHubStandIn, tmp_path: Path, sink: RecordingSink) -> None:
    clone = tmp_path / "clone"
    git("clone", "--quiet", gh.git_url("alice/plugin"), str(clone))
    assert (clone / "plugin.json").read_text() == '{"plugin_id": "demo"}\n'
    (clone / "main.py").write_text("print('hi')\n")
    git("add", "main.py", cwd=clone)
    git("commit", "--quiet", "-m", "Add main", cwd=clone)
    before = git("rev-parse", "origin/main", cwd=clone).stdout.strip()
    sink.clear()
    git("push", "--quiet", with_credentials(gh, "alice", gh.token_for("alice")), "HEAD:main", cwd=clone)
    after = git("rev-parse", "HEAD", cwd=clone).stdout.strip()
    assert git("--git-dir", str(gh.bare_repo_path("alice/plugin")), "rev-parse", "main").stdout.strip() == after
    assert ("POST", "/alice/plugin.git/git-receive-pack", 200, "alice") in gh.request_log
    [push] = sink.named("push")
    assert (push.ref, push.sha, push.payload["before"], push.payload["after"]) == ("refs/heads/main", after,
                                                                                   before, after)
    assert push.payload["sender"]["login"] == "alice"
    assert [c["message"] for c in push.payload["commits"]] == ["Add main"]
    assert push.payload["head_commit"]["added"] == ["main.py"]
    assert push.payload["pusher"] == {"name": "alice", "email": "alice@example.com"}
    # Tags and new branches are pushes too.
    git("tag", "v1.1.0", cwd=clone)
    git("push", "--quiet", with_credentials(gh, "x-access-token", gh.token_for("alice")), "v1.1.0",
        "HEAD:refs/heads/dev", cwd=clone)
    assert {e.ref for e in sink.named("push")} >= {"refs/tags/v1.1.0", "refs/heads/dev"}


def test_push_without_credentials_fails_as_on_github(gh: GitHubStandIn, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git("clone", "--quiet", gh.git_url("alice/plugin"), str(clone))
    git("commit", "--quiet", "--allow-empty", "-m", "x", cwd=clone)
    denied = git("push", gh.git_url("alice/plugin"), "HEAD:main", cwd=clone, check=False)
    assert denied.returncode == 128
    assert "could not read Username" in denied.stderr


def test_wrong_token_fails_with_authentication_failed(gh: GitHubStandIn, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git("clone", "--quiet", gh.git_url("alice/plugin"), str(clone))
    git("commit", "--quiet", "--allow-empty", "-m", "x", cwd=clone)
    denied = git("push", with_credentials(gh, "alice", "ghp_wrong"), "HEAD:main", cwd=clone, check=False)
    assert denied.returncode == 128
    assert "remote: Invalid username or token. Password authentication is not supported" in denied.stderr
    assert "fatal: Authentication failed for" in denied.stderr


def test_read_only_token_is_refused_with_403(gh: GitHubStandIn, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git("clone", "--quiet", gh.git_url("alice/plugin"), str(clone))
    git("commit", "--quiet", "--allow-empty", "-m", "x", cwd=clone)
    denied = git("push", with_credentials(gh, "bob", gh.token_for("bob")), "HEAD:main", cwd=clone, check=False)
    assert denied.returncode == 128
    assert "remote: Permission to alice/plugin.git denied to bob." in denied.stderr
    assert "The requested URL returned error: 403" in denied.stderr
    # Reading with the same token works.
    git("ls-remote", with_credentials(gh, "bob", gh.token_for("bob")))


def test_pull_refs_are_kept_and_cannot_be_pushed(gh: GitHubStandIn, tmp_path: Path, sink: RecordingSink) -> None:
    clone = tmp_path / "clone"
    git("clone", "--quiet", gh.git_url("alice/plugin"), str(clone))
    git("checkout", "--quiet", "-b", "feature", cwd=clone)
    (clone / "x.txt").write_text("x\n")
    git("add", "x.txt", cwd=clone)
    git("commit", "--quiet", "-m", "x", cwd=clone)
    remote = with_credentials(gh, "alice", gh.token_for("alice"))
    git("push", "--quiet", remote, "feature", cwd=clone)
    token = gh.token_for("alice")
    made = requests.post(f"{gh.api_url}/repos/alice/plugin/pulls", headers={"Authorization": f"token {token}"},
                         json={"title": "X", "head": "feature", "base": "main"}, timeout=10)
    assert made.status_code == 201
    number = made.json()["number"]
    refs = git("ls-remote", gh.git_url("alice/plugin")).stdout
    head = git("rev-parse", "HEAD", cwd=clone).stdout.strip()
    assert f"{head}\trefs/pull/{number}/head" in refs
    assert f"refs/pull/{number}/merge" in refs
    # Pushing to the PR's branch synchronizes it.
    (clone / "y.txt").write_text("y\n")
    git("add", "y.txt", cwd=clone)
    git("commit", "--quiet", "-m", "y", cwd=clone)
    git("push", "--quiet", remote, "feature", cwd=clone)
    new_head = git("rev-parse", "HEAD", cwd=clone).stdout.strip()
    [sync] = sink.named("pull_request", "synchronize")
    assert (sync.payload["before"], sync.payload["after"]) == (head, new_head)
    assert f"{new_head}\trefs/pull/{number}/head" in git("ls-remote", gh.git_url("alice/plugin")).stdout
    refused = git("push", remote, f"HEAD:refs/pull/{number}/head", cwd=clone, check=False)
    assert refused.returncode != 0 and "deny updating a hidden ref" in refused.stderr


def test_raw_files_are_text_plain_with_etag(gh: GitHubStandIn) -> None:
    url = f"{gh.raw_url}/alice/plugin/main/plugin.json"
    first = requests.get(url, timeout=10)
    assert first.status_code == 200
    assert first.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert first.text == '{"plugin_id": "demo"}\n'
    again = requests.get(url, headers={"If-None-Match": first.headers["ETag"]}, timeout=10)
    assert again.status_code == 304 and again.content == b""
    assert requests.get(f"{gh.raw_url}/alice/plugin/v1.0.0/README.md", timeout=10).text == "# plugin\n"
    assert requests.get(f"{gh.raw_url}/alice/plugin/refs/heads/main/README.md", timeout=10).status_code == 200
    missing = requests.get(f"{gh.raw_url}/alice/plugin/main/nope.json", timeout=10)
    assert (missing.status_code, missing.text) == (404, "404: Not Found")


def test_api_conditional_requests_pagination_and_rate_headers(gh: GitHubStandIn) -> None:
    token = gh.token_for("alice")
    auth = {"Authorization": f"token {token}"}
    for number in range(5):
        requests.post(f"{gh.api_url}/repos/alice/plugin/issues", headers=auth, json={"title": f"i{number}"},
                      timeout=10)
    page = requests.get(f"{gh.api_url}/repos/alice/plugin/issues?per_page=2", headers=auth, timeout=10)
    assert [i["number"] for i in page.json()] == [5, 4]
    assert 'rel="next"' in page.headers["Link"] and 'rel="last"' in page.headers["Link"]
    assert f"<{gh.api_url}/repos/alice/plugin/issues?per_page=2&page=3>; rel=\"last\"" in page.headers["Link"]
    assert page.headers["X-RateLimit-Limit"] == "5000"
    assert int(page.headers["X-RateLimit-Remaining"]) < 5000
    cached = requests.get(f"{gh.api_url}/repos/alice/plugin/issues?per_page=2", timeout=10,
                          headers={**auth, "If-None-Match": page.headers["ETag"]})
    assert cached.status_code == 304
    anonymous = requests.get(f"{gh.api_url}/rate_limit", timeout=10).json()
    assert anonymous["resources"]["core"]["limit"] == 60
    assert requests.get(f"{gh.api_url}/repos/alice/nothing", timeout=10).status_code == 404
    assert ("GET", "/api/v3/repos/alice/nothing", 404, None) in gh.request_log


def test_refs_read_from_their_files_agree_with_git(tmp_path: Path) -> None:
    """The stand-in reads a loose ref's file instead of starting git; packed, symbolic and tag refs still go
    to git, and every answer is git's own."""
    repo, first, second, tag_object = _two_commits_and_a_tag(tmp_path, tag_second=False)
    for ref in ("refs/heads/main", "refs/tags/v1", "refs/heads/missing", "refs/heads/", "refs/../HEAD", "HEAD"):
        assert repo.raw_ref(ref) == (repo.run("rev-parse", "--verify", "--quiet", ref, check=False)
                                     .stdout.decode().strip() or None), ref
    assert repo.raw_ref("refs/tags/v1") == tag_object != first
    assert repo.ref_sha("refs/tags/v1") == first  # the tag object peeled, by git
    assert repo.ref_sha("refs/heads/main") == repo.resolve_commit("main") == first
    repo.update_ref("refs/heads/main", second, first)
    assert repo.ref_sha("refs/heads/main") == repo.raw_ref("refs/heads/main") == second  # never a stale answer
    repo.run("pack-refs", "--all")
    assert not (repo.path / "refs" / "heads" / "main").exists()
    assert repo.ref_sha("refs/heads/main") == repo.resolve_commit("main") == second  # packed: git answers
    repo.delete_ref("refs/heads/main")
    assert repo.ref_sha("refs/heads/main") is None and repo.raw_ref("refs/heads/main") is None


def test_full_shas_resolve_without_git_and_agree_with_it(tmp_path: Path) -> None:
    """A full sha is resolved from its kept object type unless a branch or tag (loose or packed) has that very
    name; every answer is the one git gives. Settings written to the config file are the ones git reads."""
    repo, first, second, tag_object = _two_commits_and_a_tag(tmp_path, tag_second=True)
    missing = "0123456789abcdef0123456789abcdef01234567"

    def git_says(rev: str) -> str | None:
        for candidate in [f"refs/heads/{rev}", f"refs/tags/{rev}", rev]:
            done = repo.run("rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}", check=False)
            if done.returncode == 0:
                return done.stdout.decode().strip()
        return None

    for rev in (first, second, tag_object, EMPTY_TREE, missing):
        assert repo.resolve_commit(rev) == git_says(rev), rev
    assert repo.resolve_commit(tag_object) == second  # an annotated tag's object peels to its commit
    # A branch named like a commit's sha (GitHub allows it) wins, loose and then packed, as in git.
    repo.update_ref(f"refs/heads/{second}", first)
    assert repo.resolve_commit(second) == git_says(second) == first
    repo.run("pack-refs", "--all")
    assert not (repo.path / "refs" / "heads" / second).exists()
    assert repo.resolve_commit(second) == git_says(second) == first

    repo.set_ref("refs/pull/1/head", first)
    repo.set_ref("refs/pull/1/head", first)  # already there: no change
    repo.set_ref("refs/pull/1/head", second)
    assert repo.raw_ref("refs/pull/1/head") == second
    assert repo.out("config", "--get", "http.receivepack") == "true"
    assert repo.out("config", "--get", "receive.denyDeleteCurrent") == "ignore"
    repo.add_config(("receive", "hideRefs", "refs/pull"))
    assert repo.out("config", "--get-all", "receive.hideRefs") == "refs/pull"


def _two_commits_and_a_tag(tmp_path: Path, *, tag_second: bool) -> tuple[GitRepo, str, str, str]:
    """A bare repository: commits ``first`` and ``second`` (its child), ``main`` at ``first``, and an annotated
    tag ``v1`` on one of them; returns the repository, both shas and the tag object's sha."""
    from datetime import UTC, datetime

    repo = GitRepo.init_bare(tmp_path / "r.git", "main")
    me = Person("A", "a@example.com", datetime(2026, 1, 1, tzinfo=UTC))
    first = repo.commit_tree(EMPTY_TREE, [], "one", me)
    second = repo.commit_tree(EMPTY_TREE, [first], "two", me)
    repo.update_ref("refs/heads/main", first)
    repo.run("tag", "-a", "-m", "annotated", "v1", second if tag_second else first,
             env={"GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@example.com"})
    return repo, first, second, repo.out("rev-parse", "refs/tags/v1")
