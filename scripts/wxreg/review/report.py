"""The review as one sticky markdown comment, as JSON, and the machine-readable record inside the comment.

Everything that came from the submitter (paths, tags, headings, messages quoting their text) is
neutralised before it reaches markdown: no mentions, no HTML, no images or links, no ``-->`` that
could close our record early. The comment stays under :data:`MAX_COMMENT_CHARS`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from wxreg.review.engine import RECORD_SCHEMA, ReviewResult
from wxreg.review.findings import Finding, Severity

MARKER = "<!-- wxreg-review:v1 -->"
RECORD_OPEN = "<!-- wxreg-review-record "
RECORD_CLOSE = " -->"
MAX_COMMENT_CHARS = 60_000
MAX_FIELD_CHARS = 500
_SPACE = re.compile(r"\s+")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>])")
_RECORD = re.compile("^" + re.escape(RECORD_OPEN) + r"(\{[^\n]*\})" + re.escape(RECORD_CLOSE) + "$", re.MULTILINE)
"""The record's own block: a whole line (the bot writes it on one line of its own, after everything quoted)."""
# GitHub autolinks bare ``http://``, ``https://``, ``ftp://`` and ``www.`` text: a zero-width space after
# the scheme (or ``www``) keeps the text readable and the link dead.
_AUTOLINK = re.compile(r"(?i)(?<![a-z0-9])(https?|ftp|www)(?=://|\.)")

SEVERITY_TITLES = {
    Severity.ERROR: "❌ 错误 / Errors",
    Severity.WARNING: "⚠️ 警告 / Warnings",
    Severity.INFO: "ℹ️ 提示 / Info",
}


def neutralise(text: object, limit: int = MAX_FIELD_CHARS) -> str:
    """Untrusted text made inert for GitHub markdown: one line, escaped, no mention, no HTML, no image."""
    value = _SPACE.sub(" ", str(text))
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _MARKDOWN_SPECIAL.sub(r"\\\1", value)
    value = _AUTOLINK.sub("\\1\u200b", value)
    # A zero-width joiner after @ stops mentions and team pings; ":" after "javascript" cannot link.
    return value.replace("@", "@\u200d")


def rich(text: object, limit: int = MAX_FIELD_CHARS) -> str:
    """Like :func:`neutralise`, but `backticked` parts become (sanitised) code spans."""
    value = _SPACE.sub(" ", str(text)).strip()
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    parts = value.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: nothing is code
        return neutralise(value, limit)
    return "".join(code_span(part, limit) if i % 2 else neutralise(part, limit) for i, part in enumerate(parts))


def code_span(text: object, limit: int = 200) -> str:
    """Untrusted text as an inline code span: one line, no backticks (nothing renders inside)."""
    value = " ".join(str(text).replace("`", "'").replace("|", "\\|").split())
    # No "<" may start a tag or a comment (a planted record marker), no "-->" may close ours.
    value = value.replace("@", "@\u200d").replace("<", "<\u200d").replace("-->", "--\u200d>")
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return f"`{value}`" if value else "—"


def encode_record(record: dict[str, Any]) -> str:
    """JSON with ``<``, ``>`` and ``&`` escaped, so no value can end the HTML comment that carries it."""
    text = json.dumps(record, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _pretty(record: dict[str, Any]) -> str:
    text = json.dumps(record, ensure_ascii=True, sort_keys=True, indent=2)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("`", "\\u0060"), ("@", "\\u0040")):
        text = text.replace(char, escape)
    return text


def parse_record(body: str) -> dict[str, Any] | None:
    """The review record in a comment body, or ``None``. Trust it only in a comment the bot wrote."""
    if MARKER not in body:
        return None
    found = _RECORD.findall(body)
    if not found:
        return None
    try:
        record = json.loads(found[-1])  # the bot's block comes last: after anything it quoted
    except ValueError:
        return None
    return record if isinstance(record, dict) and record.get("schema") == RECORD_SCHEMA else None


def file_link(result: ReviewResult, finding: Finding) -> str:
    """``path#Lline`` linked to the file at the reviewed commit when the repository is a forge URL."""
    if not finding.path:
        return ""
    shown = code_span(finding.path + (f"#L{finding.line}" if finding.line else ""))
    if result.commit and result.repo.startswith(("https://", "http://")):
        url = f"{result.repo.rstrip('/')}/blob/{result.commit}/{quote(finding.path, safe='/')}"
        if finding.line:
            url += f"#L{finding.line}"
        return f"[{shown}]({url})"
    return shown


def _finding_lines(result: ReviewResult, finding: Finding) -> list[str]:
    where = file_link(result, finding)
    head = f"- **{finding.id}** `{finding.check}`" + (f" {where}" if where else "")
    return [
        head,
        f"  {rich(finding.message_zh)}",
        f"  {rich(finding.message_en)}",
        f"  - 修复 / Fix: {rich(finding.fix)}",
    ]


def failed_because(result: ReviewResult) -> str | None:
    """One line naming why a review failed: its errors (id × count), else the scores under their thresholds."""
    if result.passed:
        return None
    counts: dict[str, int] = {}
    for finding in result.findings:
        if finding.severity == Severity.ERROR:
            counts[finding.id] = counts.get(finding.id, 0) + 1
    reasons = [f"`{fid}`" + (f" ×{n}" if n > 1 else "") for fid, n in sorted(counts.items())]
    s = result.scores
    if s.security < result.security_threshold:
        reasons.append(f"安全分 / security {s.security} < {result.security_threshold}")
    if s.quality < result.quality_threshold:
        reasons.append(f"质量分 / quality {s.quality} < {result.quality_threshold}")
    if result.commit is None or result.digest is None:
        reasons.append("未能完整读取插件 / the plugin could not be read whole")
    return "**未通过原因 / Failed because**: " + (", ".join(reasons) or "—")


def render_markdown(result: ReviewResult, *, rerun_hint: str | None = None, sections: Sequence[str] = ()) -> str:
    """The sticky comment (also the job summary). Always under :data:`MAX_COMMENT_CHARS`.

    ``sections`` (already safe markdown, e.g. an update's changes since the listed version) follow the table."""
    s = result.scores
    verdict = "✅ 通过 / passed" if result.passed else "❌ 未通过 / failed"
    commit = f"`{result.commit}`" if result.commit else "—"
    digest = f"`{result.digest}`" if result.digest else "—"
    because = failed_because(result)
    head = [
        MARKER,
        *([because, ""] if because else []),
        "## 插件审核报告 / Plugin review report",
        "",
        f"**结果 / Result**: {verdict}",
        "",
        "| | |",
        "|---|---|",
        f"| 插件 / Plugin | {code_span(result.submission.plugin_id, 80)} |",
        f"| 仓库 / Repository | {neutralise(result.repo, 200)} |",
        f"| 标签 / Tag | {code_span(result.tag, 100)} |",
        f"| 审核的提交 / Commit reviewed | {commit} |",
        f"| 内容摘要 / Content digest | {digest} |",
        f"| 安全评分 / Security score | **{s.security}/100** (≥ {result.security_threshold}) |",
        f"| 质量评分 / Quality score | **{s.quality}/100** (≥ {result.quality_threshold}) |",
        f"| 评分细则 / Rubric | {neutralise(result.rubric_version, 20)} |",
        f"| 问题 / Findings | {s.errors} ❌ · {s.warnings} ⚠️ · {s.infos} ℹ️ |",
        "",
        *(section for section in sections),
    ]
    rerun = rerun_hint or (
        "编辑本 issue（任何修改，例如更新标签后改版本号）即可重新审核；机器人会更新这条评论，不会另发新评论。"
        " / Edit this issue (any change, e.g. after pushing a new tag) to re-run the review; the bot updates"
        " this comment instead of posting a new one. Locally: `wxreg review . --tag TAG`."
    )
    record = result.record()
    tail = [
        "",
        "### 如何重新审核 / How to re-run",
        "",
        rerun,
        "",
        "<details><summary>审核记录 / Review record</summary>",
        "",
        RECORD_OPEN + encode_record(record) + RECORD_CLOSE,
        "",
        "```json",
        _pretty(record),
        "```",
        "</details>",
        "",
    ]
    endpoints = endpoint_section(result)
    budget = MAX_COMMENT_CHARS - len("\n".join(head)) - len("\n".join(tail)) - len("\n".join(endpoints)) - 400
    body: list[str] = []
    shown = 0
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        group = [f for f in result.findings if f.severity == severity]
        if not group:
            continue
        title = f"### {SEVERITY_TITLES[severity]} ({len(group)})"
        if budget - len(title) < 0:
            break
        body += [title, ""]
        budget -= len(title) + 2
        for finding in group:
            lines = _finding_lines(result, finding)
            size = sum(len(line) + 1 for line in lines)
            if size > budget:
                break
            body += lines
            budget -= size
            shown += 1
        body.append("")
    if not result.findings:
        body += ["没有发现问题。 / No findings.", ""]
    if result.waivers:
        body += [f"### 🛡️ 豁免 / Waivers ({len(result.waivers)})", ""]
        for waiver in result.waivers:
            where = code_span(f"{waiver.path}" + (f":{waiver.line}" if waiver.line else "")) if waiver.path else ""
            body.append(
                f"- **{neutralise(waiver.finding_id, 40)}** {where} — {neutralise(waiver.by, 60)}:"
                f" {neutralise(waiver.reason, 300)} (`{waiver.commit[:12]}`)"
            )
        body.append("")
    omitted = len(result.findings) - shown
    if omitted > 0:
        body += [
            f"…… 另有 {omitted} 条未显示，完整列表见 JSON 输出或工作流摘要。"
            f" / … {omitted} more not shown; see the JSON output or the job summary.",
            "",
        ]
    text = "\n".join(head + body + endpoints + tail)
    return text[:MAX_COMMENT_CHARS]


MAX_ENDPOINTS_SHOWN = 50


def endpoint_section(result: ReviewResult) -> list[str]:
    """"网络端点 / Endpoints": every URL and host the code can contact, with where it is written."""
    lines = ["### 网络端点 / Endpoints", ""]
    if not result.endpoints:
        return [*lines, "代码中没有可联系的网址或主机。 / The code names no URL or host it can contact.", ""]
    lines += [
        "代码中写明、可能联系的网址与主机（发布时随条目公开）。 / URLs and hosts written in the code that it can"
        " contact (published with the entry).",
        "",
    ]
    for endpoint in result.endpoints[:MAX_ENDPOINTS_SHOWN]:
        where = code_span(f"{endpoint.path}#L{endpoint.line}")
        lines.append(f"- {code_span(endpoint.value, 200)} — {where}")
    if len(result.endpoints) > MAX_ENDPOINTS_SHOWN:
        more = len(result.endpoints) - MAX_ENDPOINTS_SHOWN
        lines.append(f"- …… 另有 {more} 个 / … {more} more")
    return [*lines, ""]


def render_json(result: ReviewResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
