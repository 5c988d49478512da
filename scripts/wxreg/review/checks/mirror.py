"""The Gitee mirror, when given, must hold the same tag at the same commit (a warning otherwise)."""

from __future__ import annotations

from collections.abc import Iterator

from wxreg.review import rules
from wxreg.review.context import ReviewContext
from wxreg.review.findings import Finding
from wxreg.review.source import CloneSource, SourceError


class MirrorCheck:
    name = "mirror"

    def run(self, ctx: ReviewContext) -> Iterator[Finding]:
        mirror = ctx.submission.gitee_repo
        if not mirror or ctx.tree.commit is None:
            return
        source = CloneSource(mirror, ctx.policy.mirror_url_prefixes, ctx.policy.limits)
        try:
            actual = source.remote_tag_commit(ctx.tree.tag)
        except SourceError as exc:
            yield rules.G012.at(detail=exc.finding.message_en)
            return
        if actual is None:
            yield rules.G012.at(detail=f"tag {ctx.tree.tag} not found")
        elif actual != ctx.tree.commit:
            yield rules.G011.at(tag=ctx.tree.tag, expected=ctx.tree.commit, actual=actual)
