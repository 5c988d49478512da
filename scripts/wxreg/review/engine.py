"""One review: read the plugin at the tag, run every check, score, and pin what was reviewed."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wxreg.config import REPO_ROOT
from wxreg.review import rules
from wxreg.review.checks import default_check_names, load_check
from wxreg.review.checks.manifest import MANIFEST, load_manifest
from wxreg.review.context import (
    Check,
    OwnershipFacts,
    RegistryIndex,
    RegistryReadError,
    ReviewContext,
    ToolConfig,
    load_registry_index,
)
from wxreg.review.findings import Finding
from wxreg.review.policy import ReviewPolicy, load_policy
from wxreg.review.scoring import Scores, score
from wxreg.review.source import CloneSource, PluginSource, PluginTree, open_source
from wxreg.review.submission import Submission
from wxreg.review.waivers import Waiver
from wxreg.review.waivers import apply as apply_waivers

if TYPE_CHECKING:
    from wxreg.review.behaviour import Endpoint

RECORD_SCHEMA = "wxreg-review-record/1"
TREE_LIMIT_IDS = frozenset({"WXR-G006", "WXR-G008"})
SCANNER_CHECKS = frozenset({"security", "guarddog", "dependencies"})
"""Checks that run an external scanner: started before the others so the review waits on them only once."""


@dataclass(frozen=True)
class ReviewRequest:
    repo: str
    """A local repository path or an allowed forge URL."""
    tag: str
    submission: Submission | None = None
    """``None``: build it from the plugin's manifest (``--repo`` mode)."""
    submission_findings: tuple[Finding, ...] = ()
    """What the issue-body parser found; they count like every other finding."""
    expected_commit: str | None = None
    """The commit a previous review (or the registry) pinned for this tag: a different one is a moved tag."""
    ownership: OwnershipFacts | None = None
    ownership_required: bool = False
    issue_number: int | None = None
    remote_only: bool = False
    """The repository came from untrusted input (an issue body): only an allowed URL is acceptable,
    never a path on this machine (an empty or relative value must not review the current directory)."""
    waivers: tuple[Waiver, ...] = ()
    """Maintainers' waivers (:mod:`wxreg.review.waivers`); only those for the reviewed commit apply."""


@dataclass(frozen=True)
class ReviewOptions:
    policy: ReviewPolicy = field(default_factory=load_policy)
    tools: ToolConfig = field(default_factory=ToolConfig)
    registry_dir: Path = REPO_ROOT / "registry"
    checks: tuple[Check, ...] | None = None
    source: PluginSource | None = None
    """Overrides how the plugin is read (tests, or a caller that already has a source)."""


@dataclass(frozen=True)
class ReviewResult:
    repo: str
    tag: str
    commit: str | None
    digest: str | None
    submission: Submission
    findings: tuple[Finding, ...]
    scores: Scores
    rubric_version: str
    security_threshold: int
    quality_threshold: int
    issue_number: int | None = None
    elapsed_seconds: float = 0.0
    endpoints: tuple[Endpoint, ...] = ()
    """Every URL and host the code can contact (the behaviour analysis), for the comment and the entry."""
    waivers: tuple[Waiver, ...] = ()
    """The waivers that matched a finding of this review (published with the entry)."""

    @property
    def passed(self) -> bool:
        return self.scores.passed and self.commit is not None and self.digest is not None

    def record(self) -> dict[str, Any]:
        """What the approval step trusts (only the bot can have written it) and re-checks."""
        return {
            "schema": RECORD_SCHEMA,
            "plugin_id": self.submission.plugin_id,
            "version": self.submission.version,
            "repo": self.repo,
            "tag": self.tag,
            "commit": self.commit,
            "digest": self.digest,
            "body_sha256": self.submission.body_sha256,
            "issue": self.issue_number,
            "passed": self.passed,
            "security_score": self.scores.security,
            "quality_score": self.scores.quality,
            "rubric_version": self.rubric_version,
            "endpoints": list(_published(self.endpoints)),
            "waivers": [w.to_dict() for w in self.waivers],
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "security_score": self.scores.security,
            "quality_score": self.scores.quality,
            "thresholds": {"security": self.security_threshold, "quality": self.quality_threshold},
            "repo": self.repo,
            "tag": self.tag,
            "commit": self.commit,
            "digest": self.digest,
            "rubric_version": self.rubric_version,
            "counts": {"error": self.scores.errors, "warning": self.scores.warnings, "info": self.scores.infos},
            "findings": [f.to_dict() for f in self.findings],
            "submission": self.submission.to_dict(),
            "record": self.record(),
        }


def _published(endpoints: tuple[Endpoint, ...]) -> tuple[str, ...]:
    from wxreg.review.behaviour import published_endpoints

    return tuple(published_endpoints(endpoints))


def _run_check(check: Check, ctx: ReviewContext) -> list[Finding]:
    try:
        return list(check.run(ctx))
    except Exception as exc:  # a crashed check is a failed check, never a pass
        return [rules.X001.at(check=check.name, detail=f"{type(exc).__name__}: {exc}")]


def review(request: ReviewRequest, options: ReviewOptions | None = None) -> ReviewResult:
    """Review ``request``. Raises :class:`~wxreg.review.source.SourceError` only when nothing could be read."""
    options = options or ReviewOptions()
    started = time.perf_counter()
    policy = options.policy
    if options.source is not None:
        source = options.source
    elif request.remote_only:
        source = CloneSource(request.repo, policy.allowed_url_prefixes, policy.limits)
    else:
        source = open_source(request.repo, allowed_prefixes=policy.allowed_url_prefixes, limits=policy.limits)
    tree = source.read(request.tag, expected_commit=request.expected_commit)
    manifest: dict[str, Any] | None = None
    manifest_file = tree.get(MANIFEST)
    if manifest_file is not None:
        manifest, _ = load_manifest(manifest_file.data)
    submission = request.submission or Submission.from_manifest(manifest or {}, request.repo, request.tag)
    findings: list[Finding] = [*request.submission_findings, *tree.findings]
    endpoints: tuple[Endpoint, ...] = ()
    if tree.commit is not None and not any(f.id in TREE_LIMIT_IDS for f in tree.findings):
        findings += _run_checks(request, options, tree, submission, manifest)  # the pinned release among them
        from wxreg.review.behaviour import behaviour_of  # loaded by the behaviour check already

        endpoints = behaviour_of(tree).endpoints
    else:
        findings += _pinned_release(lambda: load_registry_index(options.registry_dir), tree, submission)
    findings, applied = apply_waivers(findings, request.waivers, tree.commit)
    findings.sort(key=Finding.sort_key)
    return ReviewResult(
        repo=tree.repo,
        tag=request.tag,
        commit=tree.commit,
        digest=tree.digest,
        submission=submission,
        findings=tuple(findings),
        scores=score(findings, policy),
        rubric_version=policy.rubric_version,
        security_threshold=policy.security_threshold,
        quality_threshold=policy.quality_threshold,
        issue_number=request.issue_number,
        elapsed_seconds=time.perf_counter() - started,
        endpoints=endpoints,
        waivers=applied,
    )


def _pinned_release(index: Callable[[], RegistryIndex], tree: PluginTree, submission: Submission) -> list[Finding]:
    """A tag the registry already pinned for this plugin must still point at the pinned commit."""
    if tree.commit is None:
        return []
    try:
        listed = index().listed_by_id(submission.plugin_id)
    except RegistryReadError:
        return []  # the identity check reports an unreadable registry (and fails)
    if listed is None or listed.release_tag != tree.tag or not listed.release_commit:
        return []
    if listed.release_commit == tree.commit or any(f.id == "WXR-G003" for f in tree.findings):
        return []
    return [rules.G003.at(tag=tree.tag, expected=listed.release_commit, actual=tree.commit)]


def declared_floor(manifest: dict[str, Any] | None, submission: Submission) -> tuple[int, int] | None:
    """The lowest Python the plugin declares (``python_version``), or ``None``."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    from wxreg.review.checks.compatibility import minimum_python

    raw = (manifest or {}).get("python_version")
    text = raw if isinstance(raw, str) and raw else submission.python_version
    try:
        return minimum_python(SpecifierSet(text)) if text else None
    except InvalidSpecifier:
        return None


def _run_checks(
    request: ReviewRequest,
    options: ReviewOptions,
    tree: PluginTree,
    submission: Submission,
    manifest: dict[str, Any] | None,
) -> list[Finding]:
    found: list[Finding] = []
    tree.code.declare_floor(declared_floor(manifest, submission))
    with tempfile.TemporaryDirectory(prefix="wxreg-review-") as tmp:
        ctx = ReviewContext(
            submission=submission,
            tree=tree,
            policy=options.policy,
            tools=options.tools,
            workdir=Path(tmp),
            registry_dir=options.registry_dir,
            ownership=request.ownership,
            ownership_required=request.ownership_required,
            manifest=manifest,
            is_url="://" in request.repo,
        )
        # Checks are independent and read-only on the context; the scanners wait on subprocesses (bandit)
        # and the network (pip-audit, the package index), so they start first and the in-process checks
        # (which share the parsed trees of ctx.code) run while they work. The default checks are imported
        # one at a time in that order, so bandit starts before the modules of the others are loaded.
        # Results keep the report order.
        names = [c.name for c in options.checks] if options.checks is not None else list(
            default_check_names(guarddog=options.policy.guarddog)
        )
        order = sorted(range(len(names)), key=lambda i: names[i] not in SCANNER_CHECKS)
        with ThreadPoolExecutor(max_workers=max(1, len(names)), thread_name_prefix="wxreg-check") as pool:
            futures: dict[int, Future[list[Finding]]] = {}
            for i in order:
                check = options.checks[i] if options.checks is not None else load_check(names[i])
                futures[i] = pool.submit(_run_check, check, ctx)
            found += _pinned_release(ctx.registry_index, tree, submission)  # the registry read once for all
            for i in range(len(names)):
                found += futures[i].result()
    return found
