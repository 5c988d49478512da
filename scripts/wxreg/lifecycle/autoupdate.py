"""After an update's review: merge it with no human when the policy says it is safe, else ask a maintainer.

Reads only what the bot wrote: the review record and the "changes since the listed version" diff in the
bot's sticky comment (marker **and** login). :func:`~wxreg.lifecycle.policy.decide` says yes or lists
every reason for no. Yes: the very approval code a maintainer's ``approved`` label runs (it re-checks the
pinned tag, commit, digest and issue body, builds the entry from the record, opens the registry PR), the
PR head gets the required commit status, and the bot merges it with the head sha pinned (a PR that moved
meanwhile is not merged). A merge made with the workflow token starts no workflow, so the mirror and the
publication workflows are dispatched (``workflow_dispatch`` is the exception GitHub makes).
No: the ``needs-maintainer`` label and one sticky comment with the reasons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from github import Github, GithubException
from github.Repository import Repository

from wxreg.approval.forge import ApprovalSettings, make_client, timestamp
from wxreg.approval.handlers import Decision, LabelEvent, handle_approved
from wxreg.approval.texts import APPROVED_LABEL
from wxreg.approval.workspace import main_snapshot
from wxreg.lifecycle.policy import AutoMergePolicy, Listed, Verdict, decide
from wxreg.review.compare import parse_diff
from wxreg.review.github import SUBMISSION_LABEL
from wxreg.review.report import MARKER, neutralise, parse_record
from wxreg.review.submission import parse_issue_body
from wxreg.store import RegistryStore

NEEDS_MAINTAINER_LABEL = "needs-maintainer"
AUTO_MERGED_LABEL = "auto-merged"
STATUS_MARKER = "<!-- wxreg-auto-update:v1 -->"
REQUIRED_CONTEXT = "wxreg/registry-pr"
"""The commit status branch protection requires on registry PRs (see CONTRIBUTING, fork checklist)."""
AFTER_MERGE_WORKFLOWS = ("publish.yml", "mirror.yml")


@dataclass(frozen=True)
class AutoOutcome:
    action: str
    """``merged``, ``needs-maintainer``, ``no-review``, ``not-update`` or ``refused`` (approval said no)."""
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


def set_required_status(repo: Repository, sha: str, target_url: str) -> None:
    """The status branch protection requires, on the exact head the approval code just validated."""
    repo.get_commit(sha).create_status(state="success", context=REQUIRED_CONTEXT, target_url=target_url,
                                       description="registry PR validated / 注册表 PR 已校验")


def dispatch_after_merge(repo: Repository, ref: str) -> list[str]:
    started: list[str] = []
    for name in AFTER_MERGE_WORKFLOWS:
        try:
            if repo.get_workflow(name).create_dispatch(ref):
                started.append(name)
        except GithubException:
            continue  # the merge stands; the next push to main publishes and mirrors everything
    return started


def auto_update(settings: ApprovalSettings, number: int, policy: AutoMergePolicy, *, client: Github | None = None,
                now: str | None = None, after_merge: Callable[[Repository], list[str]] | None = None,
                standing: Callable[[Repository, int], str] | None = None) -> AutoOutcome:
    """Decide one reviewed submission; ``standing`` gives the queue line the status comment starts with."""
    client = client or make_client(settings.github)
    bot = settings.github.bot_login or str(client.get_user().login)
    repo = client.withLazy(True).get_repo(settings.github.repo)
    issue = repo.get_issue(number)
    labels = {label.name for label in issue.labels}
    if SUBMISSION_LABEL not in labels or issue.state != "open":
        return AutoOutcome("not-update", ("不是打开的插件提交 / not an open plugin submission",))
    event = LabelEvent(APPROVED_LABEL, bot, number, timestamp(now), frozenset(labels))
    decision = Decision(settings, client, repo, issue, event, bot)
    review_comment = decision.bot_comment(MARKER)
    record = parse_record(review_comment.body or "") if review_comment else None
    if record is None or record.get("issue") not in (None, number):
        return AutoOutcome("no-review")
    listed = _listed(settings, str(record.get("plugin_id") or ""))
    if listed is None:  # first listings are always a maintainer's call
        if standing is not None:
            decision.sticky(STATUS_MARKER, f"{STATUS_MARKER}\n{standing(repo, number)}\n")
        return AutoOutcome("not-update")
    diff = parse_diff(review_comment.body or "") if review_comment else None
    submission = parse_issue_body(issue.body).submission
    verdict: Verdict = decide(policy, record, diff, listed, submission.author_github)
    if not verdict.automatic:
        return _ask(decision, labels, verdict.reasons, standing)
    outcome = handle_approved(decision)
    if outcome.pull is None:
        return _ask(decision, labels, (outcome.detail or outcome.action,), standing, action="refused")
    pull = outcome.pull
    set_required_status(repo, pull.commit, str(issue.html_url))
    try:
        repo.get_pull(pull.number).merge(merge_method="merge", sha=pull.commit,
                                         commit_title=f"Merge #{pull.number}: automatic update")
    except GithubException as exc:
        return _ask(decision, labels, (f"合并失败 HTTP {exc.status} / merge failed: HTTP {exc.status}",), standing,
                    action="refused")
    started = (after_merge or (lambda r: dispatch_after_merge(r, settings.base_branch)))(repo)
    if AUTO_MERGED_LABEL not in labels:
        issue.add_to_labels(AUTO_MERGED_LABEL)
    decision.sticky(STATUS_MARKER, _with_standing(merged_text(pull.url, str(record.get("version") or "")), standing,
                                                  repo, number))
    return AutoOutcome("merged", tuple(started), pull.number)


def _with_standing(text: str, standing: Callable[[Repository, int], str] | None, repo: Repository,
                   number: int) -> str:
    if standing is None:
        return text
    head, _, rest = text.partition("\n")
    return f"{head}\n{standing(repo, number)}\n\n{rest}"


def _ask(decision: Decision, labels: set[str], reasons: tuple[str, ...],
         standing: Callable[[Repository, int], str] | None, action: str = "needs-maintainer") -> AutoOutcome:
    if NEEDS_MAINTAINER_LABEL not in labels:
        decision.issue.add_to_labels(NEEDS_MAINTAINER_LABEL)
    decision.sticky(STATUS_MARKER, _with_standing(needs_maintainer_text(reasons), standing, decision.repo,
                                                  decision.event.issue_number))
    return AutoOutcome(action, reasons)
