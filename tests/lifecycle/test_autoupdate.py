"""Updates after review: a safe one merges with no human; one that adds a permission waits for a maintainer
with the reason in the comment. The diff section is in the bot's sticky review comment."""

from __future__ import annotations

import json
import shutil
from typing import Any

from tests.lifecycle.conftest import list_plugin
from tests.support.plugins import GOOD_PLUGIN, edit_manifest
from wxreg.approval.texts import STATUS_CONTEXT
from wxreg.lifecycle.autoupdate import AUTO_MERGED_LABEL, NEEDS_MAINTAINER_LABEL, auto_update
from wxreg.lifecycle.issue_body import render_body, update_answers, update_title
from wxreg.lifecycle.policy import AutoMergePolicy
from wxreg.lifecycle.watch import WATCH_LABEL
from wxreg.review.checks.ownership import acting_submitter
from wxreg.review.form import load_form
from wxreg.store import RegistryStore

NOW = "2026-04-01T00:00:00Z"


def _release(world: Any, version: str, **manifest: Any) -> None:
    work = world.tmp / "plugins" / "alice" / "update" / version
    shutil.copytree(GOOD_PLUGIN, work)
    (work / "plugin.json").write_text(edit_manifest(plugin_id="daily_quote_reply", version=version,
                                                    name="Quote daily_quote_reply", **manifest), encoding="utf-8")
    world.gh.push_directory("alice/daily-quote-reply", work, tag=f"v{version}")


def _file_update(world: Any, version: str, manifest: dict[str, Any]) -> int:
    """What the watcher files (the bot opens the issue), reviewed by the bot."""
    entry = RegistryStore(world.checkout).get("daily_quote_reply")
    assert entry is not None
    form = load_form()
    body = render_body(form, update_answers(entry, {"version": version, **manifest}, version, f"v{version}", form))
    bot = world.client(world.gh.bot_login).get_repo("wxauto/registry")
    number = int(bot.create_issue(title=update_title("daily_quote_reply", version), body=body,
                                  labels=["plugin-submission"]).number)
    outcome = world.review(number)
    assert outcome.result is not None and outcome.result.passed, outcome
    return number


def _sticky(world: Any, number: int, marker: str) -> str:
    return next(c.body for c in world.comments(number) if marker in c.body and c.user.login == world.gh.bot_login)


def test_safe_update_merges_itself_and_the_diff_is_in_the_comment(life: Any) -> None:
    list_plugin(life)
    life.sync_checkout()
    _release(life, "1.1.0")
    number = _file_update(life, "1.1.0", {})
    review = _sticky(life, number, "wxreg-review:v1")
    assert "Changes since the listed version" in review and "nothing material changed" in review
    merged: list[str] = []
    outcome = auto_update(life.settings, number, AutoMergePolicy(), now=NOW,
                          after_merge=lambda repo: merged.append("dispatched") or ["publish.yml", "mirror.yml"])
    assert outcome.action == "merged", outcome
    pull = life.repo().get_pull(outcome.pull)
    assert pull.merged and merged == ["dispatched"]
    statuses = life.repo().get_commit(pull.head.sha).get_combined_status().statuses
    assert [(s.context, s.state) for s in statuses] == [(STATUS_CONTEXT, "success")]
    life.sync_checkout()
    entry = RegistryStore(life.checkout).get("daily_quote_reply")
    assert entry is not None and entry.versions.latest == "1.1.0"
    assert AUTO_MERGED_LABEL in life.labels(number)
    assert json.loads(life.repo().get_contents("registry/registry.json").decoded_content)["plugins"][0][
        "versions"]["latest"] == "1.1.0"


def test_update_adding_a_permission_waits_for_a_maintainer_with_the_reason(life: Any) -> None:
    list_plugin(life)
    life.sync_checkout()
    permissions = ["network.https", "config.read", "message.process", "message.send", "file.write"]
    _release(life, "1.1.0", permissions=permissions)
    number = _file_update(life, "1.1.0", {"permissions": permissions})
    assert "file.write" in _sticky(life, number, "wxreg-review:v1")
    outcome = auto_update(life.settings, number, AutoMergePolicy(), now=NOW, after_merge=lambda repo: [])
    assert outcome.action == "needs-maintainer"
    assert NEEDS_MAINTAINER_LABEL in life.labels(number)
    comment = _sticky(life, number, "wxreg-auto-update:v1")
    assert "file.write" in comment and "new permissions" in comment
    assert life.pulls() == []
    again = auto_update(life.settings, number, AutoMergePolicy(), now=NOW, after_merge=lambda repo: [])
    assert again.action == "needs-maintainer"
    assert len([c for c in life.comments(number) if "wxreg-auto-update:v1" in c.body]) == 1
    # A maintainer who agrees approves the bot's issue as usual: it stands for the owner on record there too.
    approved = life.label(number, "approved")
    assert approved.pull is not None, approved


def test_only_the_bots_own_issue_for_the_listed_repository_stands_for_the_owner(life: Any) -> None:
    """Eve copies the watcher's issue exactly (body, title, the watcher's label): she is checked as herself."""
    list_plugin(life)
    life.sync_checkout()
    _release(life, "1.1.0")
    entry = RegistryStore(life.checkout).get("daily_quote_reply")
    assert entry is not None
    form = load_form()
    body = render_body(form, update_answers(entry, {"version": "1.1.0"}, "1.1.0", "v1.1.0", form))
    number = int(life.repo("eve").create_issue(title=update_title("daily_quote_reply", "1.1.0"), body=body).number)
    life.repo("maria").get_issue(number).add_to_labels("plugin-submission", WATCH_LABEL)
    outcome = life.review(number)
    assert outcome.result is not None and not outcome.result.passed
    assert "WXR-O004" in {f.id for f in outcome.result.findings}
    decided = auto_update(life.settings, number, AutoMergePolicy(), now=NOW, after_merge=lambda forge: [])
    assert decided.action == "review-failed" and life.pulls() == []
    assert NEEDS_MAINTAINER_LABEL not in life.labels(number)  # the author's turn, not a maintainer's


def test_acting_submitter_rule() -> None:
    listed = "https://github.com/alice/daily-quote-reply"
    bot = "github-actions[bot]"
    assert acting_submitter(bot, bot, listed + "/", listed, "alice") == "alice"
    assert acting_submitter(bot, bot, "https://github.com/eve/daily-quote-reply", listed, "alice") == bot
    assert acting_submitter("eve", bot, listed, listed, "alice") == "eve"
    assert acting_submitter(bot, bot, listed, None, None) == bot  # not listed: the bot owns nothing
    assert acting_submitter(bot, "", listed, listed, "alice") == bot  # no bot login known: nobody stands in


def test_auto_merge_respects_branch_protection(life: Any) -> None:
    """Main requires one more status than the bot sets: the merge gets 405 and a maintainer is asked; once that
    status is green the same decision merges."""
    list_plugin(life)
    life.sync_checkout()
    life.gh.protect_branch("wxauto/registry", "main", [STATUS_CONTEXT, "ci/extra"])
    _release(life, "1.1.0")
    number = _file_update(life, "1.1.0", {})
    refused = auto_update(life.settings, number, AutoMergePolicy(), now=NOW, after_merge=lambda forge: [])
    assert refused.action == "refused" and "405" in refused.reasons[0], refused
    assert NEEDS_MAINTAINER_LABEL in life.labels(number)
    assert "405" in _sticky(life, number, "wxreg-auto-update:v1")
    [pull] = life.pulls()
    assert not pull.merged
    life.repo().get_commit(pull.head.sha).create_status("success", context="ci/extra")
    merged = auto_update(life.settings, number, AutoMergePolicy(), now=NOW, after_merge=lambda forge: [])
    assert merged.action == "merged" and life.repo().get_pull(pull.number).merged, merged
