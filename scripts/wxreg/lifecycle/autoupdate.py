"""After an update's review: merge it with no human when the policy says it is safe, else ask a maintainer.

Reads only what the bot wrote: the review record and the "changes since the listed version" diff in the
bot's sticky comment (marker **and** login). :func:`~wxreg.lifecycle.policy.decide` says yes or lists
every reason for no. Yes: the very approval code a maintainer's ``approved`` label runs (it re-checks the
pinned tag, commit, digest and issue body, builds the entry from the record, opens the registry PR and
sets the required commit status on its head); the bot merges only once that status is green, with the head
sha pinned (a PR that moved meanwhile is not merged; branch protection answers 405 to a head without it).
A merge made with the workflow token starts no workflow, so what a push to main starts (publish, sign,
mirror, pages) is dispatched (``workflow_dispatch`` is the exception GitHub makes).
No: the ``needs-maintainer`` label and one sticky comment with the reasons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wxreg.approval.forge import ApprovalSettings, make_forge, timestamp
from wxreg.approval.handlers import Decision, LabelEvent, handle_approved
from wxreg.approval.texts import STATUS_CONTEXT
from wxreg.approval.workspace import main_snapshot
from wxreg.forge import labels as forge_labels
from wxreg.forge.interface import Forge, ForgeError
from wxreg.lifecycle.policy import AutoMergePolicy, Listed, Verdict, decide
from wxreg.review.compare import parse_diff
from wxreg.review.report import MARKER, neutralise, parse_record
from wxreg.review.submission import parse_issue_body
from wxreg.store import RegistryStore

NEEDS_MAINTAINER_LABEL = forge_labels.NEEDS_MAINTAINER
AUTO_MERGED_LABEL = forge_labels.AUTO_MERGED
STATUS_MARKER = "<!-- wxreg-auto-update:v1 -->"
AFTER_MERGE_WORKFLOWS = ("publish.yml", "sign.yml", "mirror.yml", "pages.yml")
"""What a push to main would start; a merge made with the workflow token starts none of them."""

Standing = Callable[[Forge, int], str]


@dataclass(frozen=True)
class AutoOutcome:
    action: str
    """``merged``, ``needs-maintainer``, ``review-failed``, ``no-review``, ``not-update`` or ``refused`` (the approval
    or the merge said no)."""
    reasons: tuple[str, ...] = ()
    pull: int | None = None


def _listed(settings: ApprovalSettings, plugin_id: str) -> Listed | None:
    with main_snapshot(settings.checkout, settings.base_branch, fetch=settings.fetch) as snapshot:
        entry = RegistryStore(snapshot.root).get(plugin_id) if plugin_id else None
    if entry is None:
        return None
    return Listed(entry.plugin_id, entry.versions.latest, entry.repository.primary.url, entry.author.github,
                  entry.release.commit)


def needs_maintainer_text(reasons: tuple[str, ...]) -> str:
    lines = "\n".join(f"- {neutralise(reason, 400)}" for reason in reasons)
    return (f"{STATUS_MARKER}\n### 🧑‍⚖️ 需要维护者 / Needs a maintainer\n\n"
            f"此更新不能自动合并，原因如下；维护者审阅后可加 `approved` 标签。\n\n"
            f"This update cannot merge by itself, for these reasons; a maintainer may label it `approved` after "
            f"looking.\n\n{lines}\n")


def merged_text(pull_url: str, version: str) -> str:
    return (f"{STATUS_MARKER}\n### 🤖 已自动合并 / Merged automatically\n\n"
            f"版本 {neutralise(version, 40)} 满足自动合并策略（同一仓库与作者、审核通过、没有新增能力/权限/依赖、"
            f"评分未降低），已由机器人合并：{pull_url}\n\n"
            f"Version {neutralise(version, 40)} met the auto-merge policy (same repository and owner, review passed, "
            f"no new capability, permission or dependency, scores not lower) and the bot merged it: {pull_url}\n")


def dispatch_after_merge(forge: Forge, ref: str) -> list[str]:
    started: list[str] = []
    for name in AFTER_MERGE_WORKFLOWS:
        try:
            forge.dispatch_workflow(name, ref)
            started.append(name)
        except ForgeError:
            continue  # the merge stands; the next push to main (or the hourly signing run) catches up
    return started


def status_missing(forge: Forge, sha: str) -> str | None:
    """Why ``sha`` may not merge yet (the required status is not green), else ``None``."""
    state = next((s.state for s in forge.statuses(sha) if s.context == STATUS_CONTEXT), None)
    if state == "success":
        return None
    return (f"必需的状态 {STATUS_CONTEXT} 不是成功（{state or '缺失'}），未合并 / the required status {STATUS_CONTEXT} "
            f"is {state or 'missing'}, so nothing was merged")


def auto_update(settings: ApprovalSettings, number: int, policy: AutoMergePolicy, *, forge: Forge | None = None,
                now: str | None = None, after_merge: Callable[[Forge], list[str]] | None = None,
                standing: Standing | None = None) -> AutoOutcome:
    """Decide one reviewed submission; ``standing`` gives the queue line the status comment starts with."""
    forge = forge or make_forge(settings)
    issue = forge.issue(number)
    if forge_labels.SUBMISSION not in issue.labels or issue.state != "open":
        return AutoOutcome("not-update", ("不是打开的插件提交 / not an open plugin submission",))
    event = LabelEvent(forge_labels.APPROVED, forge.bot_login, number, timestamp(now), issue.labels)
    decision = Decision(settings, forge, issue, event)
    review_comment = decision.bot_comment(MARKER)
    record = parse_record(review_comment.body) if review_comment else None
    if record is None or record.get("issue") not in (None, number):
        return AutoOutcome("no-review")
    if record.get("passed") is not True:
        # The author's turn, not a maintainer's: the review comment says what to fix.
        if NEEDS_MAINTAINER_LABEL in issue.labels:
            forge.remove_label(number, NEEDS_MAINTAINER_LABEL)
        return AutoOutcome("review-failed", ("审核未通过，等待作者修复 / the review failed: the author's turn",))
    listed = _listed(settings, str(record.get("plugin_id") or ""))
    if listed is None:  # first listings are always a maintainer's call
        if standing is not None:
            decision.sticky(STATUS_MARKER, f"{STATUS_MARKER}\n{standing(forge, number)}\n")
        return AutoOutcome("not-update")
    diff = parse_diff(review_comment.body) if review_comment else None
    submission = parse_issue_body(issue.body).submission
    verdict: Verdict = decide(policy, record, diff, listed, submission.author_github)
    if not verdict.automatic:
        return _ask(decision, verdict.reasons, standing)
    # The approval code a maintainer's label runs: re-checks the pin, ownership, claims; opens the PR and
    # sets the required status on its head.
    outcome = handle_approved(decision)
    if outcome.pull is None:
        return _ask(decision, (outcome.detail or outcome.action,), standing, action="refused")
    pull = outcome.pull
    missing = status_missing(forge, pull.commit)
    if missing is not None:
        return _ask(decision, (missing,), standing, action="refused")
    try:
        forge.merge_pull(pull.number, pull.commit, f"Merge #{pull.number}: automatic update")
    except ForgeError as exc:  # 405: branch protection refused; 409: the head moved meanwhile
        return _ask(decision, (f"合并被拒绝 HTTP {exc.status} / the merge was refused: HTTP {exc.status}",),
                    standing, action="refused")
    started = (after_merge or (lambda f: dispatch_after_merge(f, settings.base_branch)))(forge)
    if AUTO_MERGED_LABEL not in issue.labels:
        forge.add_label(number, AUTO_MERGED_LABEL)
    decision.sticky(STATUS_MARKER, _with_standing(merged_text(pull.url, str(record.get("version") or "")), standing,
                                                  forge, number))
    return AutoOutcome("merged", tuple(started), pull.number)


def _with_standing(text: str, standing: Standing | None, forge: Forge, number: int) -> str:
    if standing is None:
        return text
    head, _, rest = text.partition("\n")
    return f"{head}\n{standing(forge, number)}\n\n{rest}"


def _ask(decision: Decision, reasons: tuple[str, ...], standing: Standing | None,
         action: str = "needs-maintainer") -> AutoOutcome:
    if NEEDS_MAINTAINER_LABEL not in decision.issue.labels:
        decision.forge.add_label(decision.issue.number, NEEDS_MAINTAINER_LABEL)
    decision.sticky(STATUS_MARKER, _with_standing(needs_maintainer_text(reasons), standing, decision.forge,
                                                  decision.issue.number))
    return AutoOutcome(action, reasons)
