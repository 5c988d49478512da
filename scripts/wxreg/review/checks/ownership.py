"""Ownership: a new plugin's submitter owns the repository (or may write to it); an update comes
from the repository on record. The forge's answers arrive as :class:`OwnershipFacts` (see github.py)."""

from __future__ import annotations

from collections.abc import Iterator

from wxreg.review import rules
from wxreg.review.context import ReviewContext, load_registry_index
from wxreg.review.findings import Finding

WRITE_ROLES = frozenset({"admin", "maintain", "write"})


def same_repo(a: str, b: str) -> bool:
    def norm(url: str) -> str:
        url = url.strip().rstrip("/")
        return (url[:-4] if url.endswith(".git") else url).casefold()

    return norm(a) == norm(b)


class OwnershipCheck:
    name = "ownership"

    def run(self, ctx: ReviewContext) -> Iterator[Finding]:
        sub = ctx.submission
        if not ctx.is_url and sub.source != "issue":
            return  # a local review: there is no forge identity to compare
        index = load_registry_index(ctx.registry_dir)
        listed = index.listed_by_id(sub.plugin_id)
        if listed is not None:
            if not same_repo(listed.repo_url, sub.github_repo):
                yield rules.O002.at(expected=listed.repo_url, actual=sub.github_repo)
            return
        facts = ctx.ownership
        if facts is None:
            if ctx.ownership_required:
                yield rules.O003.at(detail="没有提交者信息 / no submitter information")
            return
        if facts.error:
            yield rules.O003.at(detail=facts.error)
            return
        if facts.submitter.casefold() == facts.repo_owner.casefold():
            return
        if (facts.permission or "").lower() not in WRITE_ROLES:
            yield rules.O001.at(user=facts.submitter, repo=sub.github_repo)
