"""Every label a workflow reads or writes, in one place: the submission state machine, the registry PRs and
the life-cycle jobs. ``wxreg doctor`` checks that each exists and ``wxreg doctor --fix`` creates them with
the colour and description in :data:`ALL`."""

from __future__ import annotations

SUBMISSION = "plugin-submission"
PASSED = "review-passed"
FAILED = "review-failed"
APPROVED = "approved"
REJECTED = "rejected"
NEEDS_INFO = "needs-info"
CLAIM_CONFLICT = "claim-conflict"
"""On a submission whose plugin id (or a look-alike) another open submission already claims."""
TAMPERED = "registry-pr-tampered"
"""On a registry PR whose branch no longer holds what the bot wrote: refresh refuses to rebuild it."""
RELEASE_WATCHER = "release-watcher"
"""On an update submission the release watcher opened for a new tag of a listed plugin."""
ADVISORY = "advisory"
"""On the issue the re-audit opens for a listed release with a new vulnerability advisory."""
NEEDS_MAINTAINER = "needs-maintainer"
"""On an update that safe auto-merge may not merge by itself."""
AUTO_MERGED = "auto-merged"
"""On an update that safe auto-merge merged."""

ALL: dict[str, tuple[str, str]] = {
    SUBMISSION: ("0e8a16", "插件提交（由表单添加）/ a plugin submission (added by the form)"),
    PASSED: ("1d76db", "最新审核通过（仅机器人）/ the latest review passed (bot only)"),
    FAILED: ("d93f0b", "最新审核未通过（仅机器人）/ the latest review failed (bot only)"),
    APPROVED: ("0e8a16", "维护者批准：开注册表 PR / a maintainer approves: opens the registry PR"),
    REJECTED: ("b60205", "维护者拒绝并关闭 / a maintainer rejects and closes"),
    NEEDS_INFO: ("fbca04", "请作者补充信息 / the author is asked for more information"),
    CLAIM_CONFLICT: ("b60205", "另一个提交已认领该插件 ID（仅机器人）/ another submission claims this plugin id "
                               "(bot only)"),
    TAMPERED: ("b60205", "注册表 PR 分支被改动，不再重建（仅机器人）/ the registry PR branch was changed; not rebuilt "
                         "(bot only)"),
    RELEASE_WATCHER: ("c5def5", "发布监视器开的更新提交（仅机器人）/ an update submission opened by the release "
                                "watcher (bot only)"),
    ADVISORY: ("d93f0b", "已上架版本有新的漏洞公告（仅机器人）/ a listed release has a new advisory (bot only)"),
    NEEDS_MAINTAINER: ("fbca04", "更新需要维护者决定（仅机器人）/ the update needs a maintainer's decision (bot only)"),
    AUTO_MERGED: ("0e8a16", "更新已自动合并（仅机器人）/ the update was merged automatically (bot only)"),
}
"""Every label above with the colour and the bilingual description ``wxreg doctor --fix`` gives it."""
