"""Many approvals in flight, updates, refused pre-releases, removals: the registry stays valid and conflict-free."""

from __future__ import annotations

import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from github import GithubException
from tests.support.approval import REGISTRY, World, git

from wxreg.approval import texts
from wxreg.approval.entry import EntryRefused, Forges, ReviewedRelease, build_entry
from wxreg.approval.maintenance import remove_plugin
from wxreg.approval.publication import announce, newly_listed
from wxreg.approval.refresh import refresh_open_pulls
from wxreg.models import PluginEntry
from wxreg.review.submission import Submission
from wxreg.store import RegistryStore
from wxreg.validate import validate_registry

IDS = ["quote_alpha", "quote_bravo", "quote_charlie", "quote_delta", "quote_echo", "quote_foxtrot", "quote_golf",
       "quote_hotel", "quote_india", "quote_juliet"]


AUTHORS = ("alice", "bob", "eve", "carol", "dave")
MERGE_DEADLINE_SECONDS = 60.0


class PushWorkflow:
    """What publish.yml does after each push to main, on its own thread as on GitHub: per push, validate main
    and announce what it newly lists (job 1); then rebuild the open registry PRs (job 2), whose concurrency
    group keeps one run going and one pending, so pushes that land during a refresh share the next one."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.pushes: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.refreshing = threading.Event()
        self.done = False
        self.errors: list[BaseException] = []
        self.refreshes = 0
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def push(self, before: str, after: str) -> None:
        with self.lock:
            self.pushes.append((before, after))
        self.wake.set()

    def _loop(self) -> None:
        while not self.done:
            if not self.wake.wait(0.05):
                continue
            self.wake.clear()
            with self.lock:
                pushes, self.pushes = self.pushes, []
            try:
                self.world.sync_checkout()
                assert validate_registry(self.world.checkout) == []
                for before, after in pushes:
                    announce(self.world.settings, newly_listed(self.world.checkout, before, after), self.world.forge)
                self.refreshing.set()
                done = refresh_open_pulls(self.world.settings, self.world.forge)
                self.refreshes += 1
                assert all(item.action in ("rebuilt", "current", "superseded") for item in done), done
            except BaseException as exc:  # reported by close()
                self.errors.append(exc)
            finally:
                self.refreshing.clear()

    def close(self) -> None:
        deadline = time.monotonic() + MERGE_DEADLINE_SECONDS
        while (self.wake.is_set() or self.refreshing.is_set()) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.done = True
        self.thread.join()
        assert self.errors == [], self.errors


def merge_when_allowed(world: World, number: int) -> None:
    """Merge as a maintainer does, as soon as GitHub allows it: the PR is on the newest main (else its
    ``registry.json`` conflicts) and its head carries the required status; 405 means "not yet"."""
    deadline = time.monotonic() + MERGE_DEADLINE_SECONDS
    while True:
        try:
            world.repo().get_pull(number).merge(merge_method="merge")
            return
        except GithubException as exc:
            if exc.status != 405 or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.mark.parametrize("seed", [3, 5, 8])
def test_ten_approvals_by_five_authors_merged_in_random_order_while_refreshes_run(fast_world: World,
                                                                                 seed: int) -> None:
    """Ten submissions by five authors, reviews seeded (the bot's sticky comment with its record, written as
    review.yml's posting job writes it), ten approvals in flight at once, then merges in a random order
    (three orders: ``seed``) as soon as each may be merged while the refresh of the previous merge may still
    run. Branch protection requires the status, so every rebuilt head must carry it; exactly one publication
    comment per issue."""
    world = fast_world
    world.gh.protect_branch(REGISTRY, "main", [texts.STATUS_CONTEXT], strict=True)  # CONTRIBUTING's checklist
    for login in AUTHORS[3:]:
        world.gh.add_user(login)
    numbers: dict[int, tuple[str, str]] = {}
    for index, plugin_id in enumerate(IDS):
        author = AUTHORS[index % len(AUTHORS)]
        number = world.submit(author, world.plugin(plugin_id, owner=author), plugin_id)
        assert world.review(number).result.passed
        numbers[number] = (plugin_id, author)
    # All ten labels land, then their runs go at once (different issues: different concurrency groups).
    for number in numbers:
        world.repo().get_issue(number).add_to_labels("approved")
    with ThreadPoolExecutor(max_workers=5) as pool:
        outcomes = list(pool.map(lambda n: world.deliver(n, "approved", "maria"), numbers))
    assert [outcome.action for outcome in outcomes] == ["opened"] * 10
    pulls = world.pulls()
    assert len(pulls) == 10
    order = [pull.number for pull in pulls]
    random.Random(seed).shuffle(order)

    workflow = PushWorkflow(world)
    during_refresh = 0
    try:
        for number in order:
            before = world.repo().get_branch("main").commit.sha
            merge_when_allowed(world, number)
            during_refresh += workflow.refreshing.is_set()
            workflow.push(before, world.repo().get_branch("main").commit.sha)
    finally:
        workflow.close()
    assert world.pulls() == []
    assert during_refresh >= 1  # some merges landed while a refresh was rebuilding the other PRs

    world.sync_checkout()
    assert validate_registry(world.checkout) == []
    listed = {entry.plugin_id: entry.author.github for entry in RegistryStore(world.checkout).load_entries()}
    assert listed == dict(numbers.values())
    for number in numbers:
        assert world.repo().get_issue(number).state == "closed"
        published = [c.body for c in world.comments(number) if texts.PUBLICATION_MARKER in c.body]
        assert len(published) == 1, (number, published)


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


def test_a_pre_release_is_refused_and_the_listing_moves_on_to_the_release(world: World) -> None:
    # Pre-releases are not listed: the shipped client refuses to install a version that is not 2 to 4 all-digit
    # parts, and the review refuses such a plugin.json. Approval refuses one too, should a record carry it.
    entry = _listed(world)
    forges = Forges(world.gh.url, world.gh.api_url)
    url = entry.repository.primary.url
    for version, previous in (("1.1.0rc1", entry), ("0.1.0b1", None)):
        with pytest.raises(EntryRefused, match="2 to 4 all-digit parts"):
            build_entry(ReviewedRelease("daily_quote_reply", version, url, f"v{version}", "b" * 40,
                                        entry.release.digest, 95, 90, "1"),
                        Submission(plugin_id="daily_quote_reply"), {}, previous, now="2026-04-01T00:00:00Z",
                        issue=None, issue_url=None, forges=forges)
    final = build_entry(ReviewedRelease("daily_quote_reply", "1.1.0", url, "v1.1.0", "c" * 40, entry.release.digest,
                                        95, 90, "1"),
                        Submission(plugin_id="daily_quote_reply"), {}, entry, now="2026-04-02T00:00:00Z", issue=None,
                        issue_url=None, forges=forges)
    assert final.versions.latest == "1.1.0" and final.versions.minimum_supported == "1.0.0"


def test_remove_tombstones_the_id_and_a_later_submission_fails_review(world: World) -> None:
    _listed(world)
    listed = RegistryStore(world.checkout).get("daily_quote_reply")
    assert listed is not None
    done = remove_plugin(world.settings, "daily_quote_reply", "恶意行为 / malicious behaviour", "critical",
                         local=False, now="2026-05-01T00:00:00Z")
    pull = world.pulls()[0]
    assert pull.html_url == done.detail and "移除插件 / Remove plugin" in pull.title
    world.merge(pull.number)
    removed = json.loads((world.checkout / "registry" / "removed.json").read_text())
    assert [(stone["plugin_id"], stone["name"]) for stone in removed] == [("daily_quote_reply", listed.name)]
    assert RegistryStore(world.checkout).get("daily_quote_reply") is None

    # The id can never come back: the review's identity check reads removed.json.
    again = world.submit("alice", world.plugin(version="2.0.0"), "daily_quote_reply", version="2.0.0")
    result = world.review(again).result
    assert result is not None and not result.passed
    assert any("removed" in f.message_en or "tombstone" in f.message_en.lower() for f in result.findings)
    assert world.label(again, "approved").action == "refused"
    assert world.pulls() == []
    assert git(world.checkout, "log", "-1", "--format=%s").startswith("Merge")
