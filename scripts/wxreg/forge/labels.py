"""Label names of the submission state machine and the registry PRs: one place for review and approval."""

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
