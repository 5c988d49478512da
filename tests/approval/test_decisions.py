"""``rejected`` and ``needs-info``, publication after merge, stats with conditional requests, the CLI."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from tests.support.approval import REGISTRY, World, git

from wxreg.approval import maintenance
from wxreg.approval.cli import run_announce
from wxreg.approval.publication import newly_listed
from wxreg.approval.stats import STATE_FILE, ConditionalClient, refresh_stats
from wxreg.approval.texts import PUBLICATION_MARKER
from wxreg.cli import main as wxreg_main
from wxreg.store import RegistryStore


def _submitted(world: World) -> int:
    number = world.submit("alice", world.plugin(), "daily_quote_reply")
    assert world.review(number).result is not None
    return number


def test_rejected_quotes_the_maintainer_and_closes_as_not_planned(world: World) -> None:
    number = _submitted(world)
    world.repo("maria").get_issue(number).create_comment("许可证不符合要求 @alice <b>x</b>")
    outcome = world.label(number, "rejected")
    assert outcome.action == "rejected"
    issue = world.repo().get_issue(number)
    assert issue.state == "closed" and issue.state_reason == "not_planned"
    last = world.comments(number)[-1].body
    assert last.index("维护者拒绝") < last.index("A maintainer rejected")
    assert "许可证不符合要求" in last and "<b>" not in last and "@alice" not in last


def test_rejected_without_a_comment_lists_the_review_errors(world: World) -> None:
    number = world.submit("alice", world.plugin(), "daily_quote_reply", version="9.9.9")  # mismatches plugin.json
    result = world.review(number).result
    assert result is not None and not result.passed
    world.label(number, "rejected")
    assert "WXR-" in world.comments(number)[-1].body


def test_rejected_by_triage_is_refused(world: World) -> None:
    number = _submitted(world)
    assert world.label(number, "rejected", sender="tom").action == "refused"
    assert world.repo().get_issue(number).state == "open"


def test_needs_info_asks_the_author(world: World) -> None:
    number = _submitted(world)
    assert world.label(number, "needs-info").action == "asked"
    last = world.comments(number)[-1].body
    assert "@alice" in last and "edit this issue" in last


def test_cli_reads_the_event_file_and_flags_a_rereview(world: World, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    number = _submitted(world)
    issue = world.repo("alice").get_issue(number)
    issue.edit(body=issue.body + " ")
    world.repo().get_issue(number).add_to_labels("approved")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "labeled", "label": {"name": "approved"}, "sender": {"login": "maria"},
                                 "issue": {"number": number, "updated_at": "2026-03-01T08:00:00Z",
                                           "labels": [{"name": "plugin-submission"}, {"name": "approved"}]}}))
    flag = tmp_path / "out" / "rereview"
    monkeypatch.setenv("GITHUB_TOKEN", world.gh.bot_token)
    status = wxreg_main(["label-event", "--event", str(event), "--rereview-flag", str(flag),
                         "--root", str(world.checkout), "--github-repo", REGISTRY,
                         "--github-api-url", world.gh.api_url, "--github-web-url", world.gh.url,
                         "--bot-login", world.gh.bot_login])
    assert status == 0 and flag.exists()
    assert world.pulls() == []


def test_merge_announces_the_raw_urls_once(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    number = _submitted(world)
    opened = world.label(number, "approved")
    assert opened.pull is not None
    before = git(world.checkout, "rev-parse", "HEAD")
    world.merge(opened.pull.number)
    after = git(world.checkout, "rev-parse", "HEAD")
    listed = newly_listed(world.checkout, before, after)
    assert [(item.plugin_id, item.version, item.issue) for item in listed] == [("daily_quote_reply", "1.0.0", number)]
    event = tmp_path / "push.json"
    event.write_text(json.dumps({"before": before, "after": after}))
    monkeypatch.setenv("GITHUB_TOKEN", world.gh.bot_token)
    parser = argparse.ArgumentParser()  # the arguments every maintenance command takes, with their defaults
    maintenance.add_github_arguments(parser)
    parser.add_argument("--event", type=Path)
    args = parser.parse_args(["--root", str(world.checkout), "--event", str(event), "--github-repo", REGISTRY,
                              "--github-api-url", world.gh.api_url, "--github-web-url", world.gh.url,
                              "--bot-login", world.gh.bot_login])
    assert run_announce(args) == 0
    assert run_announce(args) == 0  # a re-run edits nothing and adds nothing
    published = [c.body for c in world.comments(number) if PUBLICATION_MARKER in c.body]
    assert len(published) == 1
    assert f"{world.gh.raw_url}/wxauto/registry/main/registry/registry.json" in published[0]
    assert "/wxauto/registry/raw/main/registry/registry.json" in published[0]  # Gitee


def test_invalid_main_fails_loudly(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    registry = world.checkout / "registry" / "registry.json"
    registry.write_text(registry.read_text().replace('"plugins"', '"plugins_"', 1))
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert run_announce(argparse.Namespace(root=world.checkout, event=tmp_path / "none.json")) == 1
    assert "INVALID" in summary.read_text()


def test_stats_refresh_uses_conditional_requests_and_commits_only_movement(world: World) -> None:
    number = _submitted(world)
    opened = world.label(number, "approved")
    assert opened.pull is not None
    world.merge(opened.pull.number)
    root = world.checkout
    first = refresh_stats(root, ConditionalClient(world.forge, world.gh.api_url))
    assert first.changed == ("daily_quote_reply",) and first.not_modified == 0
    entry = RegistryStore(root).get("daily_quote_reply")
    assert entry is not None and entry.stats is not None and entry.stats.stars == 0 and entry.stats.downloads == 0
    assert (root / STATE_FILE).exists() and set(first.files) >= {STATE_FILE, "registry/registry.json"}
    second = refresh_stats(root, ConditionalClient(world.forge, world.gh.api_url))
    assert second.changed == () and second.files == {} and second.requests == second.not_modified == 2


def test_stats_command_commits_once_when_something_moved(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    number = _submitted(world)
    opened = world.label(number, "approved")
    assert opened.pull is not None
    world.merge(opened.pull.number)
    monkeypatch.setenv("GITHUB_TOKEN", world.gh.bot_token)
    arguments = ["stats", "--commit", "--root", str(world.checkout), "--github-repo", REGISTRY,
                 "--github-api-url", world.gh.api_url, "--github-web-url", world.gh.url]
    head = world.repo().get_branch("main").commit.sha
    assert wxreg_main(arguments) == 0
    moved = world.repo().get_branch("main").commit
    assert moved.sha != head and moved.parents[0].sha == head
    assert {f.filename for f in moved.files} == {"registry/plugins/daily_quote_reply.json",
                                                  "registry/registry.json", STATE_FILE}
    world.sync_checkout()
    assert wxreg_main(arguments) == 0  # nothing moved: 304s only, no commit
    assert world.repo().get_branch("main").commit.sha == moved.sha
