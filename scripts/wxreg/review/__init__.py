"""Automated review of plugin submissions. Plugin code is never executed or imported.

Public API::

    from wxreg.review import review, ReviewRequest, ReviewOptions, parse_issue_body
    parsed = parse_issue_body(issue_body)                 # -> ParsedSubmission(submission, findings)
    result = review(ReviewRequest(repo, tag, parsed.submission, parsed.findings))
    result.passed, result.scores.security, result.scores.quality, result.commit, result.digest
    render_markdown(result)   # the sticky comment (with the machine-readable record)
    render_json(result)       # the JSON report
    parse_record(comment)     # the record back out of a comment the bot wrote
"""

from __future__ import annotations

from importlib import import_module

TYPE_CHECKING = False  # not typing's: importing this package loads nothing else (see below)
if TYPE_CHECKING:
    from typing import Any

    from wxreg.review.engine import ReviewOptions, ReviewRequest, ReviewResult, review
    from wxreg.review.findings import Finding, Rule, Severity
    from wxreg.review.report import parse_record, render_json, render_markdown
    from wxreg.review.submission import ParsedSubmission, Submission, parse_issue_body

# Loaded on first use (PEP 562): importing one module of the package (``wxreg.review.rules``, the source
# reader) must not import every check, so a review can start its scanner before the rest is loaded.
_EXPORTS = {
    "ReviewOptions": "engine", "ReviewRequest": "engine", "ReviewResult": "engine", "review": "engine",
    "Finding": "findings", "Rule": "findings", "Severity": "findings",
    "parse_record": "report", "render_json": "report", "render_markdown": "report",
    "ParsedSubmission": "submission", "Submission": "submission", "parse_issue_body": "submission",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)


__all__ = [
    "Finding",
    "ParsedSubmission",
    "ReviewOptions",
    "ReviewRequest",
    "ReviewResult",
    "Rule",
    "Severity",
    "Submission",
    "parse_issue_body",
    "parse_record",
    "render_json",
    "render_markdown",
    "review",
]
