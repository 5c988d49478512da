"""A reviewed release -> a :class:`PluginEntry`: new listings and new versions.

Inputs are only what was reviewed: the manifest at the pinned commit, the parsed submission and the
review record (scores, commit, digest). Nothing here talks to GitHub; timestamps come from the caller
(the event), so the same inputs always give the same entry.

Versions (the client compares all-digit parts only, SECURITY.md §3.1):

* a new listing starts with ``latest = stable = minimum_supported = version``;
* an update sets ``latest`` to the new version and ``stable`` to the newest stable one, and keeps
  ``minimum_supported``; an older version than the listed one is refused;
* only versions the client can compare (2 to 4 all-digit parts) are listed: a pre-release such as
  ``1.3.0rc1`` is refused here as the review's manifest check refuses it (the shipped client would
  refuse to install it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wxreg.models import (
    Author,
    Compatibility,
    PluginEntry,
    Release,
    Repository,
    RepositoryLocation,
    Review,
    Submission,
    Versions,
    Waiver,
)
from wxreg.review.source import check_url
from wxreg.review.submission import Submission as Claimed
from wxreg.review.waivers import from_record as waivers_from_record
from wxreg.versions import client_compare, is_client_version

SHORT_DESCRIPTION_CHARS = 120
REVIEWER = "wxreg-review"


class EntryRefused(Exception):
    """The release cannot become (or change) an entry; ``reasons`` are bilingual lines (``zh / en``)."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class Forges:
    """Web -> API URL prefixes of the forges plugins live on (GitHub, Gitee; the stand-in in tests)."""

    github_web: str = "https://github.com"
    github_api: str = "https://api.github.com"
    gitee_web: str = "https://gitee.com"
    gitee_api: str = "https://gitee.com/api/v5"

    def location(self, url: str) -> RepositoryLocation | None:
        for web, api in ((self.github_web, self.github_api), (self.gitee_web, self.gitee_api)):
            normalised = check_url(url, (web.rstrip("/") + "/",))
            if normalised is not None:
                full_name = normalised[len(web.rstrip("/")) + 1:]
                api_repo = f"{api.rstrip('/')}/repos/{full_name}"
                return RepositoryLocation(normalised, api_repo, f"{api_repo}/releases")
        return None


@dataclass(frozen=True)
class ReviewedRelease:
    """What was reviewed and is about to be published."""

    plugin_id: str
    version: str
    repo: str
    tag: str
    commit: str
    digest: str
    security_score: int
    quality_score: int
    rubric_version: str
    waivers: tuple[Waiver, ...] = ()
    """Maintainers' waivers of findings on this commit (review v2), published at the entry's top level."""
    endpoints: tuple[str, ...] = ()

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> ReviewedRelease:
        waivers = tuple(
            Waiver(w.finding_id, w.commit, w.path, w.line, w.reason, w.by)
            for w in waivers_from_record(record) if w.commit == str(record["commit"])
        )
        return cls(str(record["plugin_id"]), str(record["version"]), str(record["repo"]), str(record["tag"]),
                   str(record["commit"]), str(record["digest"]), int(record["security_score"]),
                   int(record["quality_score"]), str(record.get("rubric_version") or ""), waivers,
                   _strings(record.get("endpoints"), 100, 300) or ())


def same_repository(left: str, right: str) -> bool:
    def key(url: str) -> str:
        return url.strip().rstrip("/").removesuffix(".git").casefold()

    return key(left) == key(right)


def _short(description: str) -> str:
    first = description.strip().splitlines()[0].strip() if description.strip() else ""
    return first if len(first) <= SHORT_DESCRIPTION_CHARS else first[: SHORT_DESCRIPTION_CHARS - 1] + "…"


def _strings(value: Any, limit: int, max_chars: int) -> tuple[str, ...] | None:
    if not isinstance(value, list | tuple):
        return None
    seen: list[str] = []
    for item in value:
        if isinstance(item, str) and 0 < len(item) <= max_chars and item not in seen:
            seen.append(item)
    return tuple(seen[:limit]) or None


def _urls(values: tuple[str, ...]) -> tuple[str, ...] | None:
    return tuple(v for v in values if v.startswith(("https://", "http://"))) or None


def _versions(previous: PluginEntry | None, version: str) -> tuple[Versions, list[str]]:
    if not is_client_version(version):
        return Versions(version, version, version), [
            f"版本 {version} 不是客户端能识别的格式（2 到 4 段数字） / version {version} is not a client version "
            "(2 to 4 all-digit parts)"]
    if previous is None:
        return Versions(version, version, version), []
    old = previous.versions
    order = client_compare(version, old.latest)
    if order is None or order < 0:
        return old, [f"版本 {version} 比已上架的 {old.latest} 更旧 / version {version} is older than the listed "
                     f"{old.latest}"]
    stable = version if (client_compare(version, old.stable) or 0) >= 0 else old.stable
    return Versions(version, stable, old.minimum_supported), []


def build_entry(
    release: ReviewedRelease,
    submission: Claimed,
    manifest: Mapping[str, Any],
    previous: PluginEntry | None,
    *,
    now: str,
    issue: int | None,
    issue_url: str | None,
    forges: Forges,
    reviewer: str = REVIEWER,
    submitter: str | None = None,
) -> PluginEntry:
    """The entry for ``release``; :class:`EntryRefused` when it may not be published.

    Identity (author, repository, mirror) of a listed plugin is kept from the entry on record: it changes
    only through a maintainer's ``wxreg transfer``, never from a form. A new listing's ``author.github``
    is the submitter whose ownership was checked (``submitter``), not what the form says."""
    reasons: list[str] = []
    if submission.plugin_id and submission.plugin_id != release.plugin_id:
        reasons.append(f"提交的 plugin_id {submission.plugin_id} 与审核记录 {release.plugin_id} 不一致 / "
                       f"submitted plugin_id {submission.plugin_id} differs from the reviewed {release.plugin_id}")
    if previous is not None and not same_repository(previous.repository.primary.url, release.repo):
        reasons.append(
            f"{release.plugin_id} 已由 {previous.repository.primary.url} 上架，更新只能来自同一仓库（收到 "
            f"{release.repo}） / {release.plugin_id} is listed from {previous.repository.primary.url}; updates "
            f"must come from that repository, not {release.repo}")
    primary = forges.location(release.repo)
    if primary is None:
        reasons.append(f"不支持的仓库地址 {release.repo} / unsupported repository URL {release.repo}")
    mirror = forges.location(submission.gitee_repo) if submission.gitee_repo else None
    if reasons or primary is None:
        raise EntryRefused(reasons)

    review = Review(reviewer, now, release.security_score, release.quality_score,
                    f"自动审核通过 / automated review passed: {release.tag} @ {release.commit[:12]}, "
                    f"rubric {release.rubric_version}" + (f", issue #{issue}" if issue else ""))
    versions, problems = _versions(previous, release.version)
    if problems:
        raise EntryRefused(problems)
    owner = primary.url.rstrip("/").split("/")[-2]
    description = submission.description or str(manifest.get("description") or "")
    github_login = submitter or submission.author_github or owner
    author = Author(
        submission.author_name or str(manifest.get("author") or github_login),
        github_login,
        submission.author_email or f"{github_login}@users.noreply.github.com",
    )
    repository = Repository(primary, mirror, "git")
    if previous is not None:
        # Identity stays as on record; only ``wxreg transfer`` changes it.
        author, repository = previous.author, previous.repository
    homepage = manifest.get("homepage")
    return PluginEntry(
        plugin_id=release.plugin_id,
        name=submission.plugin_name or str(manifest.get("name") or release.plugin_id),
        short_description=_short(description) or release.plugin_id,
        description=description or release.plugin_id,
        category=submission.category or str(manifest.get("category") or ""),
        tags=_strings(manifest.get("tags"), 20, 32) or (),
        author=author,
        license=submission.license or str(manifest.get("license") or ""),
        homepage=homepage if isinstance(homepage, str) and homepage.startswith(("https://", "http://")) else None,
        repository=repository,
        versions=versions,
        compatibility=Compatibility(
            submission.min_wxauto_version or str(manifest.get("min_wxauto_version") or ""),
            submission.max_wxauto_version or None,
            submission.python_version or None,
            submission.supported_os or None,
        ),
        dependencies=_strings(submission.dependencies, 100, 200),
        permissions=submission.permissions,
        features=_strings(submission.features, 50, 200),
        screenshots=_urls(submission.screenshots),
        demo_video=submission.demo_video or None,
        documentation=submission.documentation or None,
        issue_tracker=f"{primary.url}/issues",
        stats=previous.stats if previous else None,
        status=previous.status if previous else "active",
        verified=previous.verified if previous else False,
        featured=previous.featured if previous else False,
        created_at=previous.created_at if previous else now,
        updated_at=max(now, previous.updated_at) if previous else now,
        review=review,
        release=Release(release.tag, release.commit, release.digest),
        submission=Submission(issue, issue_url) if issue and issue_url else (
            previous.submission if previous else None),
        waivers=release.waivers or None,
        endpoints=release.endpoints or None,
    )
