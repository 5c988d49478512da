"""The release watcher against the GitHub stand-in: one issue per new version, 304s on an unchanged day."""

from __future__ import annotations

from typing import Any

from tests.lifecycle.conftest import list_plugin
from wxreg.approval.stats import ConditionalClient
from wxreg.lifecycle.issue_body import render_body, update_answers
from wxreg.lifecycle.watch import STATE_BRANCH, WATCH_LABEL, NewRelease, read_manifest, watch
from wxreg.review.form import load_form
from wxreg.review.policy import FORM_PATH
from wxreg.review.submission import parse_issue_body
from wxreg.store import RegistryStore
from wxsandbox.github.issueforms import render_issue_form


def _watch(world: Any, dispatched: list[int], **kwargs: Any) -> Any:
    client = ConditionalClient(world.forge, world.gh.api_url)
    entries = RegistryStore(world.checkout).load_entries()

    def reader(release: NewRelease) -> dict[str, Any]:
        full = release.entry.repository.primary.url.removeprefix(world.gh.url + "/")
        return read_manifest(world.forge, world.gh.api_url, full, release.tag)

    return watch(entries, world.forge, client, manifest_reader=reader, dispatch=dispatched.append, **kwargs)


def _branch_sha(world: Any) -> str | None:
    try:
        return str(world.repo().get_branch(STATE_BRANCH).commit.sha)
    except Exception:
        return None


def test_update_body_is_exactly_what_the_form_renders(life: Any) -> None:
    entry = list_plugin(life)
    form = load_form()
    manifest = {"version": "1.1.0", "permissions": ["network.https", "file.write"],
                "dependencies": ["requests==2.32.3"]}
    answers = update_answers(entry, manifest, "1.1.0", "v1.1.0", form)
    body = render_body(form, answers)
    github_rendered = render_issue_form(FORM_PATH, answers, crlf=False).body
    assert body == github_rendered
    parsed = parse_issue_body(body)
    assert parsed.findings == ()
    sub = parsed.submission
    assert (sub.plugin_id, sub.version, sub.release_tag) == ("daily_quote_reply", "1.1.0", "v1.1.0")
    assert sub.permissions == ("network.https", "file.write")
    assert (sub.author_github, sub.github_repo) == (entry.author.github, entry.repository.primary.url)


def test_new_release_is_filed_once_and_an_unchanged_day_costs_one_304_each(life: Any) -> None:
    list_plugin(life)
    life.sync_checkout()
    dispatched: list[int] = []
    first = _watch(life, dispatched)  # learns the ETag: nothing new yet
    assert first.filed == () and first.state_written
    life.plugin("daily_quote_reply", version="1.1.0")
    life.client("alice").get_repo("alice/daily-quote-reply").create_git_release("v1.1.0", "1.1.0", "notes")
    second = _watch(life, dispatched)
    assert [(f.plugin_id, f.version, f.action) for f in second.filed] == [("daily_quote_reply", "1.1.0", "opened")]
    number = second.filed[0].issue
    assert dispatched == [number]
    issue = life.repo().get_issue(number)
    assert {label.name for label in issue.labels} == {"plugin-submission", WATCH_LABEL}
    assert issue.user.login == life.gh.bot_login
    assert parse_issue_body(issue.body).submission.release_tag == "v1.1.0"

    state_sha = _branch_sha(life)
    third = _watch(life, dispatched)
    assert (third.requests, third.not_modified, third.filed, third.state_written) == (1, 1, (), False)
    assert _branch_sha(life) == state_sha  # no commit on an unchanged day

    # The state lost (or a re-run after a crash): the issue is found, never filed twice.
    life.repo().get_git_ref(f"heads/{STATE_BRANCH}").delete()
    fourth = _watch(life, dispatched)
    assert [f.action for f in fourth.filed] == ["redispatched"]  # still unreviewed: its review is started again
    assert len([i for i in life.repo().get_issues(state="all") if WATCH_LABEL in {x.name for x in i.labels}]) == 1


def test_a_version_the_author_filed_is_not_filed_again(life: Any) -> None:
    list_plugin(life)
    life.sync_checkout()
    url = life.plugin("daily_quote_reply", version="1.2.0")
    life.client("alice").get_repo("alice/daily-quote-reply").create_git_release("v1.2.0", "1.2.0", "notes")
    mine = life.submit("alice", url, "daily_quote_reply", "1.2.0")
    dispatched: list[int] = []
    run = _watch(life, dispatched)
    assert [(f.issue, f.action) for f in run.filed] == [(mine, "exists")]
    assert dispatched == []
