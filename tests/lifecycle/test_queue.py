"""The queue: stages from labels, waiting oldest first with positions, the median wait of the last 30."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from wxreg.catalog.data import read_queue
from wxreg.lifecycle.queue import Item, build_queue, load_queue, standing, standing_of

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def item(number: int, days_ago: float, labels: set[str], state: str = "open", closed_days_ago: float | None = None,
         in_pr: bool = False) -> Item:
    closed = NOW - timedelta(days=closed_days_ago) if closed_days_ago is not None else None
    return Item(number, f"[插件提交 / Plugin] p{number}", NOW - timedelta(days=days_ago), closed,
                frozenset({"plugin-submission", *labels}), state, in_pr)


def test_positions_stages_and_median() -> None:
    items = [
        item(1, 5, {"review-passed"}),
        item(2, 9, {"review-passed", "needs-maintainer"}),
        item(3, 1, {"review-failed"}),
        item(4, 2, {"review-passed", "approved"}, in_pr=True),
        *(item(10 + n, 40, {"approved"}, "closed", closed_days_ago=40 - (n + 1)) for n in range(35)),
        item(99, 3, {"review-failed"}, "closed", closed_days_ago=1),  # closed unmerged: not a wait sample
    ]
    queue = build_queue(items, NOW)
    assert [i.number for i in queue.waiting] == [2, 1]  # oldest first
    assert queue.position(1) == 2 and queue.position(3) is None
    assert queue.sample == 30
    assert queue.median_wait_days == 20.5  # the last 30 merged waited 6..35 days
    assert items[3].stage == "in-pr" and items[2].stage == "failed"
    line = standing(queue, items[0])
    assert "position 2 of 2" in line and "20.5" in line and "第 2 位" in line
    data = queue.to_dict()
    assert data["waiting"][0]["issue"] == 2 and data["waiting"][0]["waiting_days"] == 9.0
    assert queue.render() == build_queue(list(reversed(items)), NOW).render()  # deterministic


def test_queue_json_is_what_the_catalog_queue_page_reads(tmp_path: Path) -> None:
    waiting = [Item(7, "[插件提交 / Plugin] late", NOW - timedelta(days=1), None,
                    frozenset({"plugin-submission", "review-passed"}), "open", plugin_id="late_one",
                    url="https://github.com/wxauto/registry/issues/7"),
               Item(3, "[插件提交 / Plugin] early", NOW - timedelta(days=4), None,
                    frozenset({"plugin-submission", "review-passed", "needs-maintainer"}), "open",
                    plugin_id="early_one", url="https://github.com/wxauto/registry/issues/3")]
    target = tmp_path / ".wxreg" / "queue.json"
    target.parent.mkdir()
    target.write_bytes(build_queue(waiting, NOW).render())
    shown = read_queue(tmp_path)
    assert shown is not None
    assert [(q.issue, q.plugin_id, q.state, q.url) for q in shown] == [
        (3, "early_one", "needs-maintainer", "https://github.com/wxauto/registry/issues/3"),
        (7, "late_one", "waiting", "https://github.com/wxauto/registry/issues/7")]


def test_load_queue_reads_the_forge_and_writes_nothing(life: Any) -> None:
    url = life.plugin("queued_plugin", owner="bob")
    number = life.submit("bob", url, "queued_plugin")
    assert life.review(number).result.passed
    since = len(life.gh.request_log)
    queue, _ = load_queue(life.forge)
    assert [(i.number, i.plugin_id, i.stage) for i in queue.waiting] == [(number, "queued_plugin", "waiting")]
    assert [e for e in life.gh.request_log[since:] if e[0] != "GET"] == []
    assert "position 1 of 1" in standing_of(life.forge, number)
