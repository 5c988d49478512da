"""Many approvals in flight, updates, pre-releases, removals: the registry stays valid and conflict-free."""

from __future__ import annotations

import json
import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from tests.support.approval import World, git

from wxreg.approval.entry import EntryRefused, Forges, ReviewedRelease, build_entry
from wxreg.approval.maintenance import remove_plugin
from wxreg.models import PluginEntry
from wxreg.review.submission import Submission
from wxreg.store import RegistryStore
from wxreg.validate import validate_registry

IDS = ["quote_alpha", "quote_bravo", "quote_charlie", "quote_delta", "quote_echo", "quote_foxtrot", "quote_golf",
       "quote_hotel", "quote_india", "quote_juliet"]


def test_ten_approvals_in_flight_merge_in_any_order_without_conflict(fast_world: World) -> None:
    world = fast_world
    numbers = []
    for plugin_id in IDS:
        number = world.submit("alice", world.plugin(plugin_id), plugin_id)
        assert world.review(number).result.passed
        numbers.append(number)
    # All ten labels land, then their runs go at once (different issues: different concurrency groups).
    for number in numbers:
        world.repo().get_issue(number).add_to_labels("approved")
    with ThreadPoolExecutor(max_workers=5) as pool:
        outcomes = list(pool.map(lambda n: world.deliver(n, "approved", "maria"), numbers))
    assert [outcome.action for outcome in outcomes] == ["opened"] * 10
    pulls = world.pulls()
    assert len(pulls) == 10
    order = [pull.number for pull in pulls]
    random.Random(5).shuffle(order)
    for merged, number in enumerate(order, start=1):
        world.merge(number)  # asserts main validates, then refreshes the others
        assert len(world.pulls()) == 10 - merged
    listed = {entry.plugin_id for entry in RegistryStore(world.checkout).load_entries()}
    assert listed == set(IDS)
    assert all(world.repo().get_issue(n).state == "closed" for n in numbers)


def test_update_bumps_versions_and_another_repository_is_refused(world: World) -> None:
    first = world.submit("alice", world.plugin(), "daily_quote_reply")
    assert world.review(first).result.passed
    opened = world.label(first, "approved")
    assert opened.pull is not None
    world.merge(opened.pull.number)

    url = world.plugin(version="1.1.0")
    update = world.submit("alice", url, "daily_quote_reply", version="1.1.0")
    assert world.review(update).result.passed
    bumped = world.label(update, "approved", at="2026-04-01T08:00:00Z")
    assert bumped.action == "opened" and bumped.pull is not None
    assert "更新插件 / Update plugin" in world.repo().get_pull(bumped.pull.number).title
    world.merge(bumped.pull.number)
    entry = RegistryStore(world.checkout).get("daily_quote_reply")
    assert entry is not None
    assert entry.versions.to_dict() == {"latest": "1.1.0", "stable": "1.1.0", "minimum_supported": "1.0.0"}
    assert entry.created_at == "2026-03-01T08:00:00Z" and entry.updated_at == "2026-04-01T08:00:00Z"
    assert entry.release.tag == "v1.1.0" and entry.submission is not None and entry.submission.issue == update

    # bob submits the same id from his own repository: the review refuses it, so approval opens nothing.
    other = world.plugin("daily_quote_reply", owner="bob", version="1.2.0")
    hijack = world.submit("bob", other, "daily_quote_reply", version="1.2.0")
    result = world.review(hijack).result
    assert result is not None and not result.passed
    assert world.label(hijack, "approved").action == "refused"
    assert world.pulls() == []
    # And the approval refuses it on its own, whatever a review said.
    with pytest.raises(EntryRefused, match="updates must come from"):
        build_entry(ReviewedRelease("daily_quote_reply", "1.2.0", other, "v1.2.0", "a" * 40, entry.release.digest,
                                    100, 100, "1"),
                    Submission(plugin_id="daily_quote_reply"), {}, entry, now="2026-05-01T00:00:00Z", issue=None,
                    issue_url=None, forges=Forges(world.gh.url, world.gh.api_url))


def _listed(world: World) -> PluginEntry:
    number = world.submit("alice", world.plugin(), "daily_quote_reply")
    assert world.review(number).result.passed
    opened = world.label(number, "approved")
    assert opened.pull is not None
    world.merge(opened.pull.number)
    entry = RegistryStore(world.checkout).get("daily_quote_reply")
    assert entry is not None
    return entry


def test_prerelease_goes_to_the_top_level_and_a_newer_release_drops_it(world: World) -> None:
    entry = _listed(world)
    forges = Forges(world.gh.url, world.gh.api_url)
    url = entry.repository.primary.url
    pre = build_entry(ReviewedRelease("daily_quote_reply", "1.1.0rc1", url, "v1.1.0rc1", "b" * 40,
                                      entry.release.digest, 95, 90, "1"),
                      Submission(plugin_id="daily_quote_reply"), {}, entry, now="2026-04-01T00:00:00Z", issue=None,
                      issue_url=None, forges=forges)
    assert pre.versions == entry.versions and pre.release == entry.release
    assert pre.prerelease is not None and pre.prerelease.version == "1.1.0rc1"
    store = RegistryStore(world.checkout)
    store.upsert(pre)
    assert validate_registry(world.checkout) == []
    final = build_entry(ReviewedRelease("daily_quote_reply", "1.1.0", url, "v1.1.0", "c" * 40, entry.release.digest,
                                        95, 90, "1"),
                        Submission(plugin_id="daily_quote_reply"), {}, pre, now="2026-04-02T00:00:00Z", issue=None,
                        issue_url=None, forges=forges)
    assert final.prerelease is None and final.versions.latest == "1.1.0" and final.versions.minimum_supported == "1.0.0"
    with pytest.raises(EntryRefused):  # a first listing cannot be a pre-release
        build_entry(ReviewedRelease("brand_new", "0.1.0b1", url, "v0.1.0b1", "d" * 40, entry.release.digest, 95, 90,
                                    "1"), Submission(), {}, None, now="2026-04-02T00:00:00Z", issue=None,
                    issue_url=None, forges=forges)


def test_remove_tombstones_the_id_and_a_later_submission_fails_review(world: World) -> None:
    _listed(world)
    done = remove_plugin(world.settings, "daily_quote_reply", "恶意行为 / malicious behaviour", "critical",
                         local=False, now="2026-05-01T00:00:00Z")
    pull = world.pulls()[0]
    assert pull.html_url == done.detail and "移除插件 / Remove plugin" in pull.title
    world.merge(pull.number)
    removed = json.loads((world.checkout / "registry" / "removed.json").read_text())
    assert [stone["plugin_id"] for stone in removed] == ["daily_quote_reply"]
    assert RegistryStore(world.checkout).get("daily_quote_reply") is None

    # The id can never come back: the review's identity check reads removed.json.
    again = world.submit("alice", world.plugin(version="2.0.0"), "daily_quote_reply", version="2.0.0")
    result = world.review(again).result
    assert result is not None and not result.passed
    assert any("removed" in f.message_en or "tombstone" in f.message_en.lower() for f in result.findings)
    assert world.label(again, "approved").action == "refused"
    assert world.pulls() == []
    assert git(world.checkout, "log", "-1", "--format=%s").startswith("Merge")
