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

from wxreg.review.engine import ReviewOptions, ReviewRequest, ReviewResult, review
from wxreg.review.findings import Finding, Rule, Severity
from wxreg.review.report import parse_record, render_json, render_markdown
from wxreg.review.submission import ParsedSubmission, Submission, parse_issue_body

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
