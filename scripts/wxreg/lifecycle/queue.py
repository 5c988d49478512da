"""Where each submission stands, and what is waiting for a maintainer (oldest first).

Stages, from labels the workflows set and the bot's own comments: ``reviewing`` (no review yet),
``failed`` (review failed: the author acts), ``waiting`` (review passed, no decision yet: position among
waiting submissions, oldest first), ``needs-maintainer`` (the auto-merge policy said no), ``approved``,
``in-pr`` (a registry PR is open), ``merged`` (closed after the PR merged), ``closed``.
The median wait is over the last :data:`MEDIAN_OF` submissions that left the queue (issue opened to
closed). ``queue.json`` (schema ``wxreg-queue/1``: ``waiting`` items with ``issue``, ``url``, ``plugin_id``,
``title``, ``state``, ``since``, ``waiting_days``) is the data the catalog's queue page renders; pages.yml
writes it to ``.wxreg/queue.json`` with ``wxreg queue`` (read-only) before it builds the site.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from wxreg.approval.publisher import BRANCH_PREFIX
from wxreg.build import render_json
from wxreg.forge.interface import Forge, Issue, Pull
from wxreg.lifecycle.autoupdate import AUTO_MERGED_LABEL, NEEDS_MAINTAINER_LABEL
from wxreg.review.github import APPROVED_LABEL, FAILED_LABEL, PASSED_LABEL, SUBMISSION_LABEL
from wxreg.review.submission import parse_issue_body

MEDIAN_OF = 30
QUEUE_FILE = "queue.json"
QUEUE_SCHEMA = "wxreg-queue/1"
WAITING_STAGES = ("waiting", "needs-maintainer")


@dataclass(frozen=True)
class Item:
    number: int
    title: str
    opened: datetime
    closed: datetime | None
    labels: frozenset[str]
    state: str
    in_pr: bool = False
    plugin_id: str = ""
    url: str = ""

    @property
    def stage(self) -> str:
        if self.state == "closed":
            return "merged" if self.labels & {APPROVED_LABEL, AUTO_MERGED_LABEL} else "closed"
        if self.in_pr:
            return "in-pr"
        if APPROVED_LABEL in self.labels:
            return "approved"
        if NEEDS_MAINTAINER_LABEL in self.labels:
            return "needs-maintainer"
        if PASSED_LABEL in self.labels:
            return "waiting"
        if FAILED_LABEL in self.labels:
            return "failed"
        return "reviewing"


@dataclass(frozen=True)
class Queue:
    waiting: tuple[Item, ...]
    """Submissions waiting for a maintainer, oldest first."""
    median_wait_days: float | None
    sample: int
    now: datetime

    def position(self, number: int) -> int | None:
        return next((i + 1 for i, item in enumerate(self.waiting) if item.number == number), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": QUEUE_SCHEMA,
            "generated_at": _iso(self.now),
            "median_wait_days": self.median_wait_days,
            "median_of": self.sample,
            "waiting": [{"issue": item.number, "url": item.url, "plugin_id": item.plugin_id, "title": item.title,
                         "state": item.stage, "since": _iso(item.opened),
                         "waiting_days": round((self.now - item.opened).total_seconds() / 86400, 1)}
                        for item in self.waiting],
        }

    def render(self) -> bytes:
        return render_json(self.to_dict())


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_CLOSES = re.compile(r"^Closes #([0-9]+)\s*$", re.MULTILINE)


def pr_issues(pulls: Iterable[Pull]) -> set[int]:
    """Issue numbers that open registry PRs close (``Closes #N`` in the PR the bot wrote)."""
    return {int(match.group(1)) for pull in pulls for match in _CLOSES.finditer(pull.body)
            if pull.head_ref.startswith(BRANCH_PREFIX)}


def _parse_time(value: str) -> datetime:
    return _aware(datetime.fromisoformat(value.replace("Z", "+00:00")))


def from_issues(issues: Iterable[Issue], in_pr: set[int] | None = None) -> list[Item]:
    items: list[Item] = []
    for issue in issues:
        if issue.is_pull_request or SUBMISSION_LABEL not in issue.labels or not issue.created_at:
            continue
        closed = _parse_time(issue.closed_at) if issue.closed_at else None
        items.append(Item(issue.number, issue.title, _parse_time(issue.created_at), closed, issue.labels,
                          issue.state, issue.number in (in_pr or set()),
                          parse_issue_body(issue.body).submission.plugin_id, issue.html_url))
    return items


def build_queue(items: Sequence[Item], now: datetime) -> Queue:
    waiting = tuple(sorted((i for i in items if i.state == "open" and i.stage in WAITING_STAGES),
                           key=lambda i: (i.opened, i.number)))
    done = sorted((i for i in items if i.closed is not None and i.stage == "merged"),
                  key=lambda i: (i.closed or i.opened, i.number))[-MEDIAN_OF:]
    waits = [((i.closed or now) - i.opened).total_seconds() / 86400 for i in done]
    median = round(statistics.median(waits), 2) if waits else None
    return Queue(waiting, median, len(waits), now)


STAGE_TEXT = {
    "reviewing": ("审核中", "being reviewed"),
    "failed": ("审核未通过，请作者修改", "review failed: the author's turn"),
    "waiting": ("审核通过，等待维护者", "reviewed, waiting for a maintainer"),
    "needs-maintainer": ("需要维护者决定", "needs a maintainer's decision"),
    "approved": ("已批准，正在生成注册表 PR", "approved, registry PR being made"),
    "in-pr": ("注册表 PR 已打开", "in a registry PR"),
    "merged": ("已合并并发布", "merged and published"),
    "closed": ("已关闭", "closed"),
}


def standing(queue: Queue, item: Item) -> str:
    """One bilingual line: the stage, and for a waiting submission its place and the median wait."""
    zh, en = STAGE_TEXT[item.stage]
    position = queue.position(item.number)
    if position is None:
        return f"**状态 / Status**: {zh} / {en}"
    median = f"{queue.median_wait_days} 天 / days" if queue.median_wait_days is not None else "— "
    return (f"**状态 / Status**: {zh}：第 {position} 位（共 {len(queue.waiting)} 个等待），最近 {queue.sample} 个的中位"
            f"等待 {median} / {en}: position {position} of {len(queue.waiting)} waiting; median wait of the last "
            f"{queue.sample}: {median}")


def render_table(queue: Queue) -> str:
    lines = ["## 等待维护者的提交 / Waiting for a maintainer (oldest first)", "",
             f"中位等待（最近 {queue.sample} 个）/ median wait (last {queue.sample}): "
             f"{queue.median_wait_days if queue.median_wait_days is not None else '—'} 天 / days", "",
             "| # | 提交 / Submission | 状态 / Stage | 等待天数 / Days |", "|---|---|---|---|"]
    for row in queue.to_dict()["waiting"]:
        title = str(row["title"]).replace("|", "\\|").replace("<", "&lt;").replace("@", "@\u200d")[:120]
        lines.append(f"| #{row['issue']} | {title} | {row['state']} | {row['waiting_days']} |")
    return "\n".join(lines) + "\n"


def load_queue(forge: Forge, base_branch: str = "main", now: datetime | None = None) -> tuple[Queue, list[Item]]:
    """Every submission (two paginated listings: issues, open PRs) and the queue they make. Read-only."""
    items = from_issues(forge.issues_with_label(SUBMISSION_LABEL, "all"), pr_issues(forge.open_pulls(base_branch)))
    return build_queue(items, now or datetime.now(UTC)), items


def standing_of(forge: Forge, number: int) -> str:
    queue, items = load_queue(forge)
    item = next((i for i in items if i.number == number), None)
    return standing(queue, item) if item is not None else ""
