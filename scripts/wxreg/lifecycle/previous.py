"""Review an update next to the version main lists, and diff the two (the sticky comment's "what changed").

Both versions are read through the review's own safe clone and reviewed by the same engine with today's
rules, so the diff compares like with like (a rule added since the listing shows up on both sides, not as
a change). The listed version is reviewed as the submission it would be today: its entry rendered through
the issue form, so what users were told (permissions, dependencies) is the baseline.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from wxreg.lifecycle.issue_body import render_body, update_answers
from wxreg.models import PluginEntry
from wxreg.review.compare import ReviewDiff, compare
from wxreg.review.engine import ReviewOptions, ReviewRequest, ReviewResult, review
from wxreg.review.form import load_form
from wxreg.review.source import CloneSource, PluginTree
from wxreg.review.submission import parse_issue_body


@dataclass(frozen=True)
class ReadOnce:
    """A :class:`~wxreg.review.source.PluginSource` that hands out a tree read earlier."""

    tree: PluginTree

    def read(self, tag: str, *, expected_commit: str | None = None) -> PluginTree:
        return self.tree


def read_tree(options: ReviewOptions, repo: str, tag: str, expected_commit: str | None) -> PluginTree:
    policy = options.policy
    return CloneSource(repo, policy.allowed_url_prefixes, policy.limits).read(tag, expected_commit=expected_commit)


def result_facts(result: ReviewResult, tree: PluginTree) -> dict[str, Any]:
    """What :func:`~wxreg.review.compare.compare` reads: the result as JSON plus the reviewed file list."""
    return {**result.to_dict(), "files": sorted(f.path for f in tree.files)}


def listed_request(entry: PluginEntry) -> ReviewRequest:
    """The listed version as the submission it would be today (same form, same parser)."""
    form = load_form()
    version, tag = entry.versions.latest, entry.release.tag
    parsed = parse_issue_body(render_body(form, update_answers(entry, {}, version, tag, form)))
    return ReviewRequest(repo=entry.repository.primary.url, tag=tag, submission=parsed.submission,
                         submission_findings=parsed.findings, expected_commit=entry.release.commit,
                         remote_only=True)


def review_with_tree(request: ReviewRequest, options: ReviewOptions) -> tuple[ReviewResult, PluginTree]:
    tree = read_tree(options, request.repo, request.tag, request.expected_commit)
    return review(request, replace(options, source=ReadOnce(tree))), tree


def update_diff(entry: PluginEntry, new: ReviewResult, new_tree: PluginTree, options: ReviewOptions) -> ReviewDiff:
    """The diff from ``entry``'s listed version to the reviewed update ``new``."""
    old, old_tree = review_with_tree(listed_request(entry), options)
    return compare(result_facts(old, old_tree), result_facts(new, new_tree))


def listed_entry(options: ReviewOptions, plugin_id: str) -> PluginEntry | None:
    """The entry main lists for ``plugin_id`` (the review's registry directory), if any."""
    from wxreg.errors import ModelError, RegistryError
    from wxreg.store import RegistryStore

    if not plugin_id:
        return None
    try:
        return RegistryStore(options.registry_dir.parent).get(plugin_id)
    except (ModelError, RegistryError, OSError, ValueError):
        return None


UNAVAILABLE = ("### 🔄 与已上架版本相比 / Changes since the listed version\n\n"
               "- ⚠️ 无法审核已上架的版本，无法比较；需维护者处理 / the listed version could not be reviewed, so "
               "nothing can be compared; a maintainer decides\n")


def review_update(request: ReviewRequest, options: ReviewOptions) -> tuple[ReviewResult, tuple[str, ...]]:
    """Review ``request``; for an update of a listed plugin also the "what changed" section."""
    from wxreg.review.compare import render_markdown
    from wxreg.review.source import SourceError

    result, tree = review_with_tree(request, options)
    plugin_id = request.submission.plugin_id if request.submission else result.submission.plugin_id
    entry = listed_entry(options, plugin_id)
    if entry is None or result.commit is None or result.commit == entry.release.commit:
        return result, ()
    try:
        return result, (render_markdown(update_diff(entry, result, tree, options)),)
    except SourceError:
        return result, (UNAVAILABLE,)
