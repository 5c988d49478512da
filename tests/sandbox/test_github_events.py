"""Events: users' actions reach the sink shaped like webhooks; the workflow token's never do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from wxsandbox.github import GitHubStandIn
from wxsandbox.github.testing import RecordingSink, pygithub


@pytest.fixture
def gh(tmp_path: Path, sink: RecordingSink) -> Iterator[GitHubStandIn]:
    with GitHubStandIn(tmp_path / "gh", event_sink=sink) as stand_in:
        stand_in.add_user("alice", name="Alice", email="alice@example.com")
        stand_in.create_repo("alice", "registry")
        source = tmp_path / "src"
        source.mkdir()
        (source / "README.md").write_text("# registry\n")
        stand_in.push_directory("alice/registry", source)
        sink.clear()
        yield stand_in


def test_issue_events_run_on_the_default_branch(gh: GitHubStandIn, sink: RecordingSink) -> None:
    repo = pygithub(gh, gh.token_for("alice")).get_repo("alice/registry")
    issue = repo.create_issue("Submit", body="v1")
    issue.edit(body="v2")
    issue.add_to_labels("bug")
    issue.remove_from_labels("bug")
    issue.create_comment("hello")
    issue.edit(state="closed")
    issue.edit(state="open")
    actions = [(e.name, e.payload["action"]) for e in sink.events]
    assert actions == [("issues", "opened"), ("issues", "edited"), ("issues", "labeled"), ("issues", "unlabeled"),
                       ("issue_comment", "created"), ("issues", "closed"), ("issues", "reopened")]
    head = repo.get_branch("main").commit.sha
    assert all((e.ref, e.sha, e.repo_full_name) == ("refs/heads/main", head, "alice/registry") for e in sink.events)
    edited = sink.named("issues", "edited")[0].payload
    assert edited["changes"] == {"body": {"from": "v1"}}
    assert edited["issue"]["body"] == "v2"
    assert sink.named("issues", "labeled")[0].payload["label"]["name"] == "bug"
    assert all(e.payload["sender"]["login"] == "alice" for e in sink.events)
    assert len({e.delivery_id for e in sink.events}) == len(sink.events)


def test_the_workflow_token_delivers_no_events(gh: GitHubStandIn, sink: RecordingSink) -> None:
    alice = pygithub(gh, gh.token_for("alice")).get_repo("alice/registry")
    issue = alice.create_issue("Submit")
    sink.clear()
    bot = pygithub(gh, gh.bot_token).get_repo("alice/registry")
    comment = bot.get_issue(issue.number).create_comment("<!-- wxreg:status --> checking")
    bot.get_issue(issue.number).add_to_labels("review:pending")
    bot.create_file("x.txt", "bot commit", "x\n")
    assert sink.events == []
    assert comment.user.login == "github-actions[bot]" and comment.user.type == "Bot"
    assert alice.get_issue(issue.number).get_comments()[0].user.login == gh.bot_login


def test_merge_fires_pull_request_closed_and_push(gh: GitHubStandIn, sink: RecordingSink) -> None:
    repo = pygithub(gh, gh.token_for("alice")).get_repo("alice/registry")
    issue = repo.create_issue("Add weather")
    repo.create_git_ref("refs/heads/add-weather", repo.get_branch("main").commit.sha)
    repo.create_file("plugins/weather.json", "Add weather", "{}\n", branch="add-weather")
    pull = repo.create_pull(title="Add weather", body=f"Resolves #{issue.number}", head="add-weather", base="main")
    before = repo.get_branch("main").commit.sha
    sink.clear()
    merged_sha = pull.merge().sha
    names = [(e.name, e.payload.get("action")) for e in sink.events]
    assert names == [("push", None), ("pull_request", "closed"), ("issues", "closed")]
    push, closed, closed_issue = sink.events
    assert (push.ref, push.payload["before"], push.payload["after"]) == ("refs/heads/main", before, merged_sha)
    assert push.sha == merged_sha
    assert push.payload["head_commit"]["id"] == merged_sha
    assert closed.payload["pull_request"]["merged"] is True
    assert closed.payload["pull_request"]["merge_commit_sha"] == merged_sha
    assert closed.payload["pull_request"]["merged_by"]["login"] == "alice"
    assert (closed.ref, closed.sha) == ("refs/heads/main", merged_sha)
    assert closed_issue.payload["issue"]["number"] == issue.number
    assert closed_issue.payload["issue"]["state_reason"] == "completed"


def test_pull_request_opened_runs_on_the_merge_ref(gh: GitHubStandIn, sink: RecordingSink) -> None:
    repo = pygithub(gh, gh.token_for("alice")).get_repo("alice/registry")
    repo.create_git_ref("refs/heads/topic", repo.get_branch("main").commit.sha)
    repo.create_file("t.txt", "t", "t\n", branch="topic")
    sink.clear()
    pull = repo.create_pull(title="Topic", body="", head="topic", base="main")
    [opened] = sink.named("pull_request", "opened")
    assert opened.ref == f"refs/pull/{pull.number}/merge"
    assert opened.sha == opened.payload["pull_request"]["merge_commit_sha"]
    assert opened.payload["number"] == pull.number


def test_set_event_sink_replaces_the_sink(gh: GitHubStandIn, sink: RecordingSink) -> None:
    other = RecordingSink()
    gh.set_event_sink(other)
    pygithub(gh, gh.token_for("alice")).get_repo("alice/registry").create_issue("x")
    assert sink.events == [] and [e.name for e in other.events] == ["issues"]
    gh.set_event_sink(None)
    pygithub(gh, gh.token_for("alice")).get_repo("alice/registry").create_issue("y")
    assert len(other.events) == 1


def test_closing_without_merge_keeps_the_merge_ref(gh: GitHubStandIn, sink: RecordingSink) -> None:
    repo = pygithub(gh, gh.token_for("alice")).get_repo("alice/registry")
    repo.create_git_ref("refs/heads/idea", repo.get_branch("main").commit.sha)
    repo.create_file("idea.txt", "idea", "i\n", branch="idea")
    pull = repo.create_pull(title="Idea", body="", head="idea", base="main")
    test_merge = pull.merge_commit_sha
    pull.edit(state="closed")
    [closed] = sink.named("pull_request", "closed")
    assert (closed.ref, closed.sha) == (f"refs/pull/{pull.number}/merge", test_merge)
    assert closed.payload["pull_request"]["merged"] is False
