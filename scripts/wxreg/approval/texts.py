"""Every sentence the approval bot says, Simplified Chinese first, then English."""

from __future__ import annotations

from wxreg.review.report import code_span

APPROVAL_MARKER = "<!-- wxreg-approval:v1 -->"
"""Hidden marker of the bot's one approval comment per issue (found with the bot's login, as the review's)."""
PUBLICATION_MARKER = "<!-- wxreg-published:v1 -->"
STATUS_CONTEXT = "wxreg/registry-pr"
"""The commit status the approval job and the PR check set on a registry PR's head; branch protection
requires it (CONTRIBUTING, Maintainers: the fork checklist)."""


def role_refused(label: str, login: str, role: str) -> str:
    return (
        f"@{login} 的仓库角色是 `{role}`，只有 admin、maintain 或 write 可以使用 `{label}` 标签，"
        f"该标签已被移除。\n\n"
        f"@{login} has the role `{role}` on this repository; only admin, maintain or write may apply "
        f"`{label}`, so the label was removed."
    )


def role_unknown(label: str, login: str, detail: str) -> str:
    return (
        f"无法确认 @{login} 的仓库角色（{detail}），出于安全考虑未执行 `{label}`。"
        f"请移除该标签后重新添加以重试。\n\n"
        f"Could not confirm @{login}'s role on this repository ({detail}), so `{label}` did nothing "
        f"(fail closed). Remove and re-apply the label to retry."
    )


NO_REVIEW = (
    "没有找到机器人的审核记录，无法批准。请等待自动审核完成（或编辑 issue 触发审核）后再添加 `approved`。\n\n"
    "No review record from the bot was found, so nothing was approved. Wait for the automated review "
    "(or edit the issue to trigger one), then apply `approved` again."
)

REVIEW_FAILED = (
    "最近一次自动审核未通过，不能批准。请作者根据审核评论修复后编辑 issue 重新审核。\n\n"
    "The latest automated review did not pass, so it cannot be approved. The author should fix what the "
    "review comment lists and edit the issue to re-run the review."
)


def _split_bullets(lines: list[str]) -> tuple[str, str]:
    """``"中文 / English"`` lines as two bullet lists, Chinese first, so each language reads on its own."""
    zh = "\n".join(f"- {line.split(' / ')[0]}" for line in lines)
    en = "\n".join(f"- {line.split(' / ')[-1]}" for line in lines)
    return zh, en


def changed_since_review(changes: list[str]) -> str:
    zh, en = _split_bullets(changes)
    return (
        "审核之后内容发生了变化，未创建注册表 PR：\n\n"
        f"{zh}\n\n"
        "已移除 `approved` 和 `review-passed`，并重新运行审核；审核通过后请维护者重新批准。\n\n"
        "Something changed after the review, so no registry PR was opened:\n\n"
        f"{en}\n\n"
        "`approved` and `review-passed` were removed and the review is re-run; a maintainer approves again "
        "once the new review passes."
    )


def not_publishable(reasons: list[str]) -> str:
    zh, en = _split_bullets(reasons)
    return (
        f"无法生成注册表条目，未创建 PR，`approved` 已移除：\n\n{zh}\n\n"
        f"The registry entry could not be built, so no PR was opened and `approved` was removed:\n\n{en}"
    )


def pr_opened(pull_url: str, number: int, version: str, commit: str, updated: bool) -> str:
    verb_zh, verb_en = ("已更新", "updated") if updated else ("已创建", "opened")
    shown = code_span(version, 60)  # the version came from the author
    return (
        f"{APPROVAL_MARKER}\n"
        f"✅ 已批准。注册表 PR {verb_zh}：{pull_url}（#{number}），版本 {shown}，提交 `{commit}`。"
        f"合并后本 issue 会自动关闭，插件随即上架。\n\n"
        f"✅ Approved. Registry PR {verb_en}: {pull_url} (#{number}), version {shown}, commit `{commit}`. "
        f"Merging it closes this issue and lists the plugin."
    )


def rejected(reasons: str) -> str:
    return (
        f"❌ 维护者拒绝了此提交，原因如下。修复后可重新提交新的 issue。\n\n{reasons}\n\n"
        f"❌ A maintainer rejected this submission for the reasons above. You are welcome to file a new "
        f"submission once they are addressed."
    )


NO_REASON = "（未给出具体原因 / no specific reason was given）"


def needs_info(login: str) -> str:
    return (
        f"@{login} 维护者需要更多信息，请查看上方的评论，并**编辑本 issue**补充或修改内容；"
        f"编辑后会自动重新审核。\n\n"
        f"@{login} A maintainer needs more information: see the comments above and **edit this issue** to "
        f"add or correct it; the review re-runs automatically when you edit."
    )


def published(plugin_id: str, version: str, urls: list[str]) -> str:
    lines = "\n".join(f"- {url}" for url in urls)
    return (
        f"{PUBLICATION_MARKER}\n"
        f"🎉 插件 `{plugin_id}` {version} 已上架。注册表地址：\n\n{lines}\n\n"
        f"🎉 Plugin `{plugin_id}` {version} is now listed. The registry is served at:\n\n{lines}"
    )


def claim_conflict(plugin_id: str, other_id: str, other_issue: int | None, pull_url: str, how: str) -> str:
    first = f"#{other_issue}" if other_issue else pull_url
    return (
        f"无法批准：`{plugin_id}` 与已在处理中的 `{other_id}`（{first}，{pull_url}）冲突（{how.split(' / ')[0]}）。"
        f"每个插件 id 同一时间只能有一个提交；如需改由本 issue 提交，"
        f"请维护者先用 `wxreg release-claim` 释放 {first} 的占用。"
        f"`approved` 已移除。\n\n"
        f"Not approved: `{plugin_id}` collides with `{other_id}`, already claimed by {first} ({pull_url}; "
        f"{how.split(' / ')[-1]}). One submission per plugin id at a time; a maintainer can release {first}'s "
        f"claim with `wxreg release-claim`, then approve this one. `approved` was removed."
    )


def not_owner(reasons: list[str]) -> str:
    zh, en = _split_bullets(reasons)
    return (
        f"无法批准：提交者不是该插件的所有者，`approved` 已移除。\n\n{zh}\n\n"
        f"Not approved: the submitter is not an owner of this plugin, so `approved` was removed.\n\n{en}"
    )


def tampered(branch: str, detail: str) -> str:
    return (
        f"⚠️ 分支 `{branch}` 的内容与机器人写入的不一致（{detail}），自动重建已停止，不会重新提交。"
        f"请维护者关闭本 PR 并重新批准原 issue。\n\n"
        f"⚠️ Branch `{branch}` no longer holds what the bot wrote ({detail}), so it is not rebuilt or "
        f"re-committed. A maintainer should close this PR and approve the original issue again."
    )
