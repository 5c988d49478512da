"""Less travelled corners: dispatches, locks, tags, drafts, the bot's scope, empty repositories."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import github
import pytest
import requests

from wxsandbox.github import GitHubStandIn
from wxsandbox.github.gitrepo import ZERO_SHA
from wxsandbox.github.testing import RecordingSink, pygithub


@pytest.fixture
def gh(tmp_path: Path, sink: RecordingSink) -> Iterator[GitHubStandIn]:
    with GitHubStandIn(tmp_path / "gh", event_sink=sink) as stand_in:
        stand_in.add_user("alice", name="Alice", email="alice@example.com")
        stand_in.create_repo("alice", "registry")
        source = tmp_path / "src"
        (source / ".github" / "workflows").mkdir(parents=True)
        (source / ".github" / "workflows" / "rebuild.yml").write_text("on: workflow_dispatch\n")
        stand_in.push_directory("alice/registry", source)
        sink.clear()
        yield stand_in


def test_dispatches_are_delivered_even_from_the_workflow_token(gh: GitHubStandIn, sink: RecordingSink) -> None:
    bot = pygithub(gh, gh.bot_token).get_repo("alice/registry")
    answer = requests.post(f"{gh.api_url}/repos/alice/registry/actions/workflows/rebuild.yml/dispatches",
                           headers={"Authorization": f"token {gh.bot_token}"},
                           json={"ref": "main", "inputs": {"plugin": "weather"}}, timeout=10)
    assert answer.status_code == 204
    [event] = sink.events
    assert event.name == "workflow_dispatch"
    assert event.payload["inputs"] == {"plugin": "weather"}
    assert event.payload["workflow"] == ".github/workflows/rebuild.yml"
    assert (event.ref, event.sha) == ("refs/heads/main", bot.get_branch("main").commit.sha)
    missing = requests.post(f"{gh.api_url}/repos/alice/registry/actions/workflows/nope.yml/dispatches",
                            headers={"Authorization": f"token {gh.bot_token}"}, json={"ref": "main"}, timeout=10)
    assert missing.status_code == 404
    answer = requests.post(f"{gh.api_url}/repos/alice/registry/dispatches",
                           headers={"Authorization": f"token {gh.token_for('alice')}"},
                           json={"event_type": "audit", "client_payload": {"all": True}}, timeout=10)
    assert answer.status_code == 204
    assert sink.events[-1].name == "repository_dispatch"
    assert sink.events[-1].payload["action"] == "audit"


def test_lock_and_unlock(gh: GitHubStandIn, sink: RecordingSink) -> None:
    gh.add_user("mallory")
    repo = pygithub(gh, gh.token_for("alice")).get_repo("alice/registry")
    issue = repo.create_issue("Approved")
    issue.lock("resolved")
    assert repo.get_issue(issue.number).locked
    assert repo.get_issue(issue.number).active_lock_reason == "resolved"
    with pytest.raises(github.GithubException) as locked:
        pygithub(gh, gh.token_for("mallory")).get_repo("alice/registry").get_issue(issue.number).create_comment("x")
    assert locked.value.status == 403
    issue.unlock()
    assert not repo.get_issue(issue.number).locked
    assert [e.payload["action"] for e in sink.named("issues")] == ["opened", "locked", "unlocked"]


def test_tags_lightweight_and_annotated(gh: GitHubStandIn) -> None:
    repo = pygithub(gh, gh.token_for("alice")).get_repo("alice/registry")
    head = repo.get_branch("main").commit.sha
    tag = repo.create_git_tag("v1.0.0", "Release 1.0.0", head, "commit")
    repo.create_git_ref("refs/tags/v1.0.0", tag.sha)
    repo.create_git_ref("refs/tags/v0.9.0", head)
    ref = repo.get_git_ref("tags/v1.0.0")
    assert (ref.object.type, ref.object.sha) == ("tag", tag.sha)
    peeled = repo.get_git_tag(ref.object.sha)
    assert (peeled.tag, peeled.object.sha, peeled.message) == ("v1.0.0", head, "Release 1.0.0")
    assert {t.name: t.commit.sha for t in repo.get_tags()} == {"v1.0.0": head, "v0.9.0": head}


def test_draft_release_gets_its_tag_when_published(gh: GitHubStandIn, sink: RecordingSink) -> None:
    repo = pygithub(gh, gh.token_for("alice")).get_repo("alice/registry")
    draft = repo.create_git_release("v2.0.0", "2.0.0", "notes", draft=True)
    assert [e.payload["action"] for e in sink.named("release")] == ["created"]
    with pytest.raises(github.UnknownObjectException):
        repo.get_git_ref("tags/v2.0.0")
    with pytest.raises(github.UnknownObjectException):
        repo.get_release("v2.0.0")  # drafts are not found by tag
    draft.update_release("2.0.0", "notes", draft=False)
    assert repo.get_git_ref("tags/v2.0.0").object.sha == repo.get_branch("main").commit.sha
    assert repo.get_release("v2.0.0").published_at is not None
    assert [e.payload["action"] for e in sink.named("release")] == ["created", "published"]
    assert [e.ref for e in sink.named("push")] == ["refs/tags/v2.0.0"]


def test_the_bot_writes_only_where_scoped(gh: GitHubStandIn) -> None:
    gh.add_user("carol")
    gh.create_repo("carol", "plugin")
    gh.set_bot_scope(["alice/registry"])
    bot = pygithub(gh, gh.bot_token)
    assert bot.get_repo("alice/registry").create_issue("in scope").number == 1
    plugin = bot.get_repo("carol/plugin")
    assert plugin.get_collaborator_role_name("carol") == "admin"  # reading is fine
    with pytest.raises(github.GithubException) as denied:
        plugin.create_label("x", "000000")
    assert denied.value.status == 403
    assert denied.value.data["message"] == "Resource not accessible by integration"
    with pytest.raises(github.GithubException) as no_user:
        bot.get_user().login  # noqa: B018 - GET /user is refused to the workflow token, as on GitHub
    assert no_user.value.status == 403


def test_user_repos_empty_repository_and_first_commit(gh: GitHubStandIn, sink: RecordingSink) -> None:
    gh.add_user("dave", email="dave@example.com")
    dave = pygithub(gh, gh.token_for("dave"))
    empty = dave.get_user().create_repo("empty-plugin", description="nothing yet")
    assert empty.full_name == "dave/empty-plugin"
    assert list(empty.get_branches()) == []
    created = empty.create_file("plugin.json", "First", "{}\n")
    assert created["commit"].parents == []
    assert [e.payload["created"] for e in sink.named("push")] == [True]
    initialised = dave.get_user().create_repo("readme-plugin", auto_init=True)
    readme = initialised.get_contents("README.md")
    assert not isinstance(readme, list)
    assert readme.decoded_content == b"# readme-plugin\n"
    raw = requests.get(f"{gh.api_url}/repos/dave/readme-plugin/contents/README.md", timeout=10,
                       headers={"Accept": "application/vnd.github.raw+json"})
    assert raw.content == b"# readme-plugin\n"


def test_deleting_a_branch_is_a_push_with_deleted(gh: GitHubStandIn, sink: RecordingSink) -> None:
    repo = pygithub(gh, gh.token_for("alice")).get_repo("alice/registry")
    head = repo.get_branch("main").commit.sha
    ref = repo.create_git_ref("refs/heads/tmp", head)
    ref.delete()
    created, deleted = sink.named("push")
    assert [e.payload["ref"] for e in sink.named("create")] == ["tmp"]
    assert [(e.payload["ref"], e.payload["ref_type"]) for e in sink.named("delete")] == [("tmp", "branch")]
    assert (created.payload["created"], created.payload["before"]) == (True, ZERO_SHA)
    assert (deleted.payload["deleted"], deleted.payload["after"], deleted.payload["head_commit"]) == (True, ZERO_SHA,
                                                                                                      None)


def test_search_issues(gh: GitHubStandIn) -> None:
    gh.add_user("erin")
    alice = pygithub(gh, gh.token_for("alice"))
    repo = alice.get_repo("alice/registry")
    first = repo.create_issue("[plugin] weather", body="plugin_id: weather", labels=["plugin-submission"])
    repo.create_issue("[plugin] stocks", body="plugin_id: stocks", labels=["plugin-submission", "review:passed"])
    pygithub(gh, gh.token_for("erin")).get_repo("alice/registry").create_issue("weather is broken")
    found = alice.search_issues("weather", repo="alice/registry", label="plugin-submission", state="open")
    assert [i.number for i in found] == [first.number]
    assert found.totalCount == 1
    by_author = alice.search_issues("", repo="alice/registry", author="erin")
    assert [i.title for i in by_author] == ["weather is broken"]
    both = alice.search_issues('repo:alice/registry is:issue "plugin_id:" in:body')
    assert sorted(i.number for i in both) == [1, 2]
    excluded = alice.search_issues("repo:alice/registry label:plugin-submission -label:review:passed")
    assert [i.number for i in excluded] == [first.number]
    with pytest.raises(github.GithubException) as bad:
        list(alice.search_issues("repo:alice/registry stars:>5"))
    assert bad.value.status == 422


def test_commits_on_the_default_branch_close_issues(gh: GitHubStandIn, sink: RecordingSink, tmp_path: Path) -> None:
    repo = pygithub(gh, gh.token_for("alice")).get_repo("alice/registry")
    issue = repo.create_issue("Typo in README")
    source = tmp_path / "fix"
    source.mkdir()
    (source / "README.md").write_text("fixed\n")
    gh.push_directory("alice/registry", source, branch="side", message="Fix typo, fixes #1")
    assert repo.get_issue(issue.number).state == "open"  # not on the default branch
    gh.push_directory("alice/registry", source, message=f"Fix typo\n\nCloses #{issue.number}")
    closed = repo.get_issue(issue.number)
    assert (closed.state, closed.state_reason) == ("closed", "completed")
    assert sink.named("issues", "closed")[0].payload["sender"]["login"] == "alice"


def test_conditional_requests_do_not_count_against_the_rate_limit(gh: GitHubStandIn) -> None:
    auth = {"Authorization": f"token {gh.token_for('alice')}"}
    first = requests.get(f"{gh.api_url}/repos/alice/registry", headers=auth, timeout=10)
    remaining = int(first.headers["X-RateLimit-Remaining"])
    for _ in range(3):
        cached = requests.get(f"{gh.api_url}/repos/alice/registry", timeout=10,
                              headers={**auth, "If-None-Match": first.headers["ETag"]})
        assert cached.status_code == 304
    after = requests.get(f"{gh.api_url}/rate_limit", headers=auth, timeout=10).json()["resources"]["core"]
    assert after["remaining"] == remaining - 1  # only the /rate_limit call itself


def test_pygithub_pages_through_link_headers(gh: GitHubStandIn) -> None:
    repo = pygithub(gh, gh.token_for("alice"), per_page=10).get_repo("alice/registry")
    for number in range(23):
        repo.create_issue(f"issue {number}", labels=["插件提交"] if number % 2 else [])
    issues = repo.get_issues(state="open")
    assert issues.totalCount == 23
    assert [i.number for i in issues] == list(range(23, 0, -1))
    assert len(list(repo.get_issues(labels=["插件提交"]))) == 11
    label = repo.get_label("插件提交")
    label.edit("插件提交", "ff0000", "submission")
    assert repo.get_label("插件提交").color == "ff0000"
    log = [path for method, path, status, _ in gh.request_log if method == "GET" and "/issues" in path]
    assert len(log) >= 4  # three pages of ten, plus PyGithub's totalCount probe


def test_commit_history(gh: GitHubStandIn, tmp_path: Path) -> None:
    source = tmp_path / "v2"
    source.mkdir()
    (source / "plugin.json").write_text("{}\n")
    second = gh.push_directory("alice/registry", source, message="Add manifest")
    repo = pygithub(gh, gh.token_for("alice")).get_repo("alice/registry")
    history = [c.sha for c in repo.get_commits()]
    assert history[0] == second and len(history) == 2
    assert [c.sha for c in repo.get_commits(path="plugin.json")] == [second]
    assert repo.get_commits(sha="main")[0].commit.message == "Add manifest"
    assert repo.get_commits()[0].author.login == "alice"


def test_pages_serve_json_as_json(gh: GitHubStandIn, tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "docs" / "api").mkdir(parents=True)
    (site / "docs" / "registry.json").write_text('{"plugins": []}\n')
    (site / "docs" / "index.html").write_text("<h1>registry</h1>\n")
    gh.push_directory("alice/registry", site)
    assert requests.get(f"{gh.pages_url}/alice/registry/registry.json", timeout=10).status_code == 404
    base = gh.enable_pages("alice/registry", folder="/docs")
    assert base == f"{gh.pages_url}/alice/registry/"
    answer = requests.get(f"{base}registry.json", timeout=10)
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert answer.json() == {"plugins": []}
    assert requests.get(f"{base}registry.json", headers={"If-None-Match": answer.headers["ETag"]},
                        timeout=10).status_code == 304
    index = requests.get(base, timeout=10)
    assert index.headers["Content-Type"] == "text/html; charset=utf-8" and "registry" in index.text
    assert requests.get(f"{gh.pages_url}/alice/registry", timeout=10).url == base
    assert requests.get(f"{base}missing.json", timeout=10).status_code == 404
    gh.faults.fail("GET", r"registry\.json$", status=503, server="pages")
    assert requests.get(f"{base}registry.json", timeout=10).status_code == 503


def test_fork_pull_request_synchronize_and_merge(gh: GitHubStandIn, sink: RecordingSink, tmp_path: Path) -> None:
    gh.add_user("frank", email="frank@example.com")
    frank = pygithub(gh, gh.token_for("frank"))
    upstream = frank.get_repo("alice/registry")
    fork = upstream.create_fork()
    assert (fork.full_name, fork.fork, fork.parent.full_name) == ("frank/registry", True, "alice/registry")
    assert frank.get_repo("frank/registry").source.full_name == "alice/registry"
    fork.create_git_ref("refs/heads/add-plugin", fork.get_branch("main").commit.sha)
    fork.create_file("plugins/frank.json", "Add frank", "{}\n", branch="add-plugin")
    sink.clear()
    pull = upstream.create_pull(title="Add frank", body="", head="frank:add-plugin", base="main")
    assert (pull.head.repo.full_name, pull.head.label, pull.base.repo.full_name) == (
        "frank/registry", "frank:add-plugin", "alice/registry")
    [opened] = sink.named("pull_request", "opened")
    assert opened.repo_full_name == "alice/registry"
    assert opened.payload["pull_request"]["head"]["repo"]["fork"] is True
    bare = gh.bare_repo_path("alice/registry")
    head_ref = subprocess.run(["git", "--git-dir", str(bare), "rev-parse", f"refs/pull/{pull.number}/head"],
                              capture_output=True, text=True, check=True).stdout.strip()
    assert head_ref == pull.head.sha
    fork.create_file("plugins/frank2.json", "More", "{}\n", branch="add-plugin")
    [sync] = sink.named("pull_request", "synchronize")
    assert sync.repo_full_name == "alice/registry" and sync.payload["sender"]["login"] == "frank"
    assert [p.number for p in upstream.get_pulls(head="frank:add-plugin")] == [pull.number]
    assert list(upstream.get_pulls(head="alice:add-plugin")) == []
    merged = pygithub(gh, gh.token_for("alice")).get_repo("alice/registry").get_pull(pull.number).merge()
    commit = upstream.get_git_commit(merged.sha)
    assert commit.message.startswith(f"Merge pull request #{pull.number} from frank/add-plugin")
    assert {c.filename for c in upstream.get_commit(merged.sha).files} == {"plugins/frank.json",
                                                                          "plugins/frank2.json"}


def test_stars_forks_and_downloads_feed_repository_stats(gh: GitHubStandIn, tmp_path: Path) -> None:
    gh.add_user("gina")
    gina = pygithub(gh, gh.token_for("gina"))
    repo = gina.get_repo("alice/registry")
    url = f"{gh.api_url}/repos/alice/registry"
    first = requests.get(url, timeout=10)
    gina.get_user().add_to_starred(repo)
    assert gina.get_user().has_in_starred(repo)
    repo.create_fork()
    second = requests.get(url, headers={"If-None-Match": first.headers["ETag"]}, timeout=10)
    assert second.status_code == 200  # the body changed, so the ETag did
    assert (second.json()["stargazers_count"], second.json()["forks_count"]) == (1, 1)
    gina.get_user().remove_from_starred(repo)
    assert requests.get(url, timeout=10).json()["stargazers_count"] == 0


def test_workflow_tokens_write_only_what_the_job_may(gh: GitHubStandIn, sink: RecordingSink, tmp_path: Path) -> None:
    gh.add_user("carol")
    gh.create_repo("carol", "plugin")
    issue_number = pygithub(gh, gh.token_for("alice")).get_repo("alice/registry").create_issue("Submit").number
    sink.clear()
    analyse = pygithub(gh, gh.workflow_token("alice/registry", {"contents": "read"})).get_repo("alice/registry")
    assert analyse.get_issue(issue_number).title == "Submit"  # reading is fine
    with pytest.raises(github.GithubException) as denied:
        analyse.get_issue(issue_number).create_comment("no")
    assert (denied.value.status, denied.value.data["message"]) == (403, "Resource not accessible by integration")
    post = pygithub(gh, gh.workflow_token("alice/registry", {"issues": "write"})).get_repo("alice/registry")
    post.get_issue(issue_number).create_comment("score: 90")
    post.get_issue(issue_number).add_to_labels("review:passed")
    with pytest.raises(github.GithubException):
        post.create_file("x.txt", "no contents: write", "x\n")
    assert sink.events == []  # workflow tokens start no runs
    nothing = pygithub(gh, gh.workflow_token("alice/registry", {})).get_repo("alice/registry")
    with pytest.raises(github.GithubException):
        nothing.get_issue(issue_number).add_to_labels("x")
    everything = pygithub(gh, gh.workflow_token("alice/registry", "write-all"))
    everything.get_repo("alice/registry").create_file("ok.txt", "write-all", "ok\n")
    with pytest.raises(github.GithubException) as elsewhere:
        everything.get_repo("carol/plugin").create_issue("not my repository")
    assert elsewhere.value.status == 403
    default = gh.workflow_token("alice/registry")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", gh.git_url("alice/registry"), str(clone)], check=True)
    env = {"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@x", "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@x",
           "PATH": os.environ["PATH"], "GIT_TERMINAL_PROMPT": "0", "HOME": str(tmp_path)}
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "x"], cwd=clone, env=env, check=True)
    remote = gh.git_url("alice/registry").replace("http://", f"http://x-access-token:{default}@")
    pushed = subprocess.run(["git", "push", remote, "HEAD:main"], cwd=clone, env=env, capture_output=True,
                            text=True, check=False)
    assert pushed.returncode != 0 and "The requested URL returned error: 403" in pushed.stderr
    writer = gh.workflow_token("alice/registry", {"contents": "write"})
    remote = gh.git_url("alice/registry").replace("http://", f"http://x-access-token:{writer}@")
    subprocess.run(["git", "push", "-q", remote, "HEAD:main"], cwd=clone, env=env, check=True)
    assert sink.events == []


def test_a_pull_request_between_unrelated_histories_is_refused(gh: GitHubStandIn, tmp_path: Path) -> None:
    orphan = tmp_path / "orphan"
    orphan.mkdir()
    (orphan / "other.txt").write_text("unrelated\n")
    gh.push_directory("alice/registry", orphan, branch="unrelated")  # a new branch with no parent
    repo = pygithub(gh, gh.token_for("alice")).get_repo("alice/registry")

    with pytest.raises(github.GithubException) as refused:
        repo.create_pull(title="t", body="b", head="unrelated", base="main")

    assert refused.value.status == 422
    assert "no history in common" in str(refused.value.data)
