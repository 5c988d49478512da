"""A review for a terminal: plain text, no Markdown escapes, no hidden record, and always the "why"."""

from __future__ import annotations

from wxreg.review.engine import ReviewResult
from wxreg.review.findings import Severity

SEVERITY_LABELS = {Severity.ERROR: "错误 / error", Severity.WARNING: "警告 / warning", Severity.INFO: "提示 / info"}


def verdict_reasons(result: ReviewResult) -> list[str]:
    """Why a review failed, in bilingual lines (empty when it passed)."""
    if result.passed:
        return []
    reasons = []
    s = result.scores
    if result.commit is None or result.digest is None:
        reasons.append("无法读取标签处的代码 / the code at the tag could not be read")
    if s.security < result.security_threshold:
        reasons.append(f"安全分 {s.security} 低于 {result.security_threshold} / security score {s.security} "
                       f"is below {result.security_threshold}")
    if s.quality < result.quality_threshold:
        reasons.append(f"质量分 {s.quality} 低于 {result.quality_threshold} / quality score {s.quality} "
                       f"is below {result.quality_threshold}")
    if s.errors:
        reasons.append(f"有 {s.errors} 个 error 级问题：任何 error 都使审核不通过，与分数无关 / {s.errors} "
                       "error finding(s): any error fails the review, whatever the scores")
    return reasons


def render_text(result: ReviewResult) -> str:
    s = result.scores
    verdict = "通过 / PASSED" if result.passed else "未通过 / FAILED"
    lines = [
        f"插件审核 / Plugin review: {result.submission.plugin_id or '?'} {result.tag}  ->  {verdict}",
        f"  仓库 / repository : {result.repo}",
        f"  提交 / commit     : {result.commit or '—'}",
        f"  摘要 / digest     : {result.digest or '—'}",
        f"  安全分 / security : {s.security}/100 (>= {result.security_threshold})",
        f"  质量分 / quality  : {s.quality}/100 (>= {result.quality_threshold})",
        f"  问题 / findings   : {s.errors} error, {s.warnings} warning, {s.infos} info",
    ]
    reasons = verdict_reasons(result)
    if reasons:
        lines.append("原因 / why:")
        lines += [f"  - {reason}" for reason in reasons]
    for finding in result.findings:
        where = finding.path + (f":{finding.line}" if finding.line else "") if finding.path else ""
        lines += [
            "",
            f"[{SEVERITY_LABELS[finding.severity]}] {finding.id} ({finding.check}){'  ' + where if where else ''}",
            f"  {finding.message_zh}",
            f"  {finding.message_en}",
            f"  修复 / fix: {finding.fix}",
        ]
    if not result.findings:
        lines += ["", "没有发现问题。 / No findings."]
    guide = contributing_url()
    lines += [
        "",
        f"每个编号的说明见 CONTRIBUTING.md「排错」{guide} / every id is explained in CONTRIBUTING.md "
        f"(Troubleshooting){guide}",
    ]
    return "\n".join(_printable(line) for line in lines) + "\n"


def contributing_url() -> str:
    """``: <the registry's CONTRIBUTING.md on GitHub>`` from ``registry/config.json`` (an author who installed
    the reviewer with pip has no copy of the file), or nothing when the configuration cannot be read."""
    from wxreg.config import RegistryConfig

    try:
        host = RegistryConfig.load().github
    except (OSError, ValueError):  # ModelError is a ValueError
        return ""
    return f": {host.repository_url}/blob/{host.branch}/CONTRIBUTING.md"


def _printable(line: str) -> str:
    """Plugin-controlled text must not drive the terminal (escape sequences, carriage returns)."""
    return "".join(ch if ch.isprintable() or ch == " " else f"\\x{ord(ch):02x}" for ch in line)
