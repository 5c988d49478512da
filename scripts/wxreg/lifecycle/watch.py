"""The release watcher: new releases of listed plugins become update submissions, reviewed like any other.

Per listed plugin one conditional ``GET <releases_url>`` with the ETag of the previous run: on a day where
nothing was released every answer is a 304 (free on GitHub's rate limit) and nothing is written.

**Where the ETags live.** In ``watch-state.json`` on the bot's branch :data:`STATE_BRANCH`, written through
the contents API only when an ETag moved. Not ``actions/cache`` (entries are immutable per key, evicted
after a week unused, and scoped so a scheduled run may not see another's), not ``main`` (every state
change would be a registry commit and a publish run). A lost or unreadable state file only costs one
ordinary ``GET`` per plugin: it is an optimisation, never the record of what was filed.

**What was filed** is looked up on GitHub itself, never remembered: before opening an update issue the
watcher lists submission issues (open and closed) and parses their bodies; an issue for the same plugin
and version, whoever opened it, means nothing is filed. A plugin's ETag is saved only once its new release
is filed and its review dispatched, so a run that fails half-way is simply repeated by the next one.

**How the review runs.** Issues the workflow token opens start no workflow, but ``workflow_dispatch``
does: the watcher dispatches ``review.yml`` with the issue number, and that run reviews, posts the sticky
comment and decides whether the update merges by itself (``wxreg auto-update``).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from github import GithubException
from github.Repository import Repository

from wxreg.approval.stats import ConditionalClient
from wxreg.build import render_json
from wxreg.lifecycle.issue_body import render_body, update_answers, update_title
from wxreg.models import PluginEntry
from wxreg.review.checks.manifest import load_manifest
from wxreg.review.form import load_form
from wxreg.review.github import FAILED_LABEL, PASSED_LABEL, SUBMISSION_LABEL
from wxreg.review.submission import parse_issue_body
from wxreg.versions import client_compare, is_client_version, tag_version

STATE_BRANCH = "wxreg-state"
STATE_PATH = "watch-state.json"
STATE_VERSION = 1
WATCH_LABEL = "release-watcher"
REVIEW_WORKFLOW = "review.yml"


@dataclass
class WatchState:
    etags: dict[str, str] = field(default_factory=dict)
    """plugin id -> ETag of its releases list as last fully handled."""
    sha: str | None = None
    """Blob sha of the file on the state branch (for the update), ``None`` when absent."""

    @classmethod
    def parse(cls, data: bytes, sha: str | None = None) -> WatchState:
        try:
            loaded = json.loads(data)
        except ValueError:
            return cls(sha=sha)
        if not isinstance(loaded, dict) or loaded.get("version") != STATE_VERSION:
            return cls(sha=sha)
        etags = loaded.get("etags")
        return cls({str(k): str(v) for k, v in etags.items() if isinstance(v, str)}
                   if isinstance(etags, dict) else {}, sha)

    def render(self) -> bytes:
        return render_json({"version": STATE_VERSION, "etags": dict(sorted(self.etags.items()))})


@dataclass(frozen=True)
class NewRelease:
    entry: PluginEntry
    version: str
    tag: str
    etag: str | None


@dataclass(frozen=True)
class Filed:
    plugin_id: str
    version: str
    issue: int
    action: str
    """``opened`` (a new update issue), ``exists`` (someone filed it already) or ``redispatched``."""


@dataclass(frozen=True)
class WatchRun:
    requests: int
    not_modified: int
    found: tuple[NewRelease, ...]
    filed: tuple[Filed, ...]
    state_written: bool
    errors: tuple[str, ...] = ()


def newest_release(releases: Any, listed: str) -> tuple[str, str] | None:
    """``(version, tag)`` of the newest published, non-pre-release release newer than ``listed``."""
    best: tuple[Any, str, str] | None = None
    for release in releases if isinstance(releases, list) else []:
        if not isinstance(release, Mapping) or release.get("draft") or release.get("prerelease"):
            continue
        tag = release.get("tag_name")
        parsed = tag_version(tag) if isinstance(tag, str) else None
        if parsed is None or parsed.is_prerelease or not isinstance(tag, str):
            continue
        version = str(parsed)
        if not is_client_version(version):
            continue
        order = client_compare(version, listed)
        if order is None or order <= 0:
            continue
        if best is None or parsed > best[0]:
            best = (parsed, version, tag)
    return (best[1], best[2]) if best else None


def poll(entries: Iterable[PluginEntry], client: ConditionalClient, state: WatchState,
         only: str | None = None) -> tuple[list[NewRelease], dict[str, str]]:
    """New releases, and the ETags that may be saved right away (plugins with nothing new)."""
    found: list[NewRelease] = []
    settled: dict[str, str] = {}
    for entry in entries:
        if only and entry.plugin_id != only:
            continue
        url = entry.repository.primary.releases_url
        if not url.startswith(client.api_url + "/"):
            continue  # another forge: never send our token there
        answer = client.get(url, state.etags.get(entry.plugin_id))
        if answer is None:
            continue
        releases, etag = answer
        newest = newest_release(releases, entry.versions.latest)
        if newest is None:
            if etag:
                settled[entry.plugin_id] = etag
            continue
        found.append(NewRelease(entry, newest[0], newest[1], etag))
    return found, settled


def load_state(repo: Repository) -> WatchState:
    try:
        contents = repo.get_contents(STATE_PATH, ref=STATE_BRANCH)
    except GithubException as exc:
        if exc.status == 404:
            return WatchState()
        raise
    if isinstance(contents, list):
        return WatchState()
    return WatchState.parse(base64.b64decode(contents.content or ""), contents.sha)


def save_state(repo: Repository, state: WatchState, base_branch: str) -> None:
    """One commit on the state branch (created from ``base_branch`` the first time)."""
    data = state.render().decode("utf-8")
    message = "watch: release ETags"
    if state.sha is None:
        try:
            repo.get_branch(STATE_BRANCH)
        except GithubException as exc:
            if exc.status != 404:
                raise
            base = repo.get_branch(base_branch).commit.sha
            repo.create_git_ref(f"refs/heads/{STATE_BRANCH}", base)
        repo.create_file(STATE_PATH, message, data, branch=STATE_BRANCH)
    else:
        repo.update_file(STATE_PATH, message, data, state.sha, branch=STATE_BRANCH)


def filed_versions(repo: Repository, since: Any = None) -> dict[tuple[str, str], Any]:
    """(plugin id, version) -> the submission issue that already asks for it (open or closed)."""
    found: dict[tuple[str, str], Any] = {}
    kwargs: dict[str, Any] = {"state": "all", "labels": [SUBMISSION_LABEL]}
    if since is not None:
        kwargs["since"] = since
    for issue in repo.get_issues(**kwargs):
        if issue.pull_request is not None:
            continue
        submission = parse_issue_body(issue.body).submission
        if submission.plugin_id and submission.version:
            found.setdefault((submission.plugin_id, submission.version), issue)
    return found


def read_manifest(repo_full_name: str, tag: str, registry_client: Any) -> dict[str, Any]:
    """``plugin.json`` at ``tag`` (through the API; an unreadable one gives ``{}``: the review says why)."""
    try:
        contents = registry_client.withLazy(True).get_repo(repo_full_name).get_contents("plugin.json", ref=tag)
    except GithubException:
        return {}
    if isinstance(contents, list):
        return {}
    manifest, _ = load_manifest(base64.b64decode(contents.content or ""))
    return manifest or {}


def dispatch_review(repo: Repository, issue: int, ref: str) -> None:
    # The one event the workflow token may start a run with; the review workflow takes the issue number.
    workflow = repo.get_workflow(REVIEW_WORKFLOW)
    if not workflow.create_dispatch(ref, {"issue": str(issue)}):
        raise RuntimeError(f"dispatch of {REVIEW_WORKFLOW} for #{issue} was refused")


Dispatch = Callable[[int], None]
"""Starts the review of an issue number (``workflow_dispatch`` of :data:`REVIEW_WORKFLOW` in production)."""


def file_update(repo: Repository, release: NewRelease, manifest: Mapping[str, Any],
                existing: Mapping[tuple[str, str], Any], bot_login: str, dispatch: Dispatch) -> Filed:
    entry = release.entry
    version = str(manifest.get("version") or "").removeprefix("v")
    version = version if is_client_version(version) else release.version
    known = existing.get((entry.plugin_id, version)) or existing.get((entry.plugin_id, release.version))
    if known is not None:
        labels = {label.name for label in known.labels}
        unreviewed = not labels & {PASSED_LABEL, FAILED_LABEL}
        if known.state == "open" and unreviewed and known.user.login == bot_login:
            dispatch(int(known.number))  # an earlier run filed it and stopped short
            return Filed(entry.plugin_id, version, int(known.number), "redispatched")
        return Filed(entry.plugin_id, version, int(known.number), "exists")
    form = load_form()
    body = render_body(form, update_answers(entry, manifest, version, release.tag, form))
    issue = repo.create_issue(title=update_title(entry.plugin_id, version), body=body,
                              labels=[*form.labels, WATCH_LABEL])
    dispatch(int(issue.number))
    return Filed(entry.plugin_id, version, int(issue.number), "opened")


def watch(entries: list[PluginEntry], repo: Repository, client: ConditionalClient, *, bot_login: str,
          base_branch: str = "main", only: str | None = None,
          manifest_reader: Callable[[NewRelease], Mapping[str, Any]] | None = None,
          dispatch: Dispatch | None = None) -> WatchRun:
    """One watcher run over ``entries`` (main's listed plugins)."""
    dispatch = dispatch or (lambda number: dispatch_review(repo, number, base_branch))
    state = load_state(repo)
    found, settled = poll(entries, client, state, only)
    new_etags = dict(settled)
    filed: list[Filed] = []
    errors: list[str] = []
    if found:
        existing = filed_versions(repo)
        for release in found:
            try:
                manifest = manifest_reader(release) if manifest_reader else {}
                filed.append(file_update(repo, release, manifest, existing, bot_login, dispatch))
            except GithubException as exc:
                errors.append(f"{release.entry.plugin_id} {release.version}: HTTP {exc.status}")
                continue
            if release.etag:
                new_etags[release.entry.plugin_id] = release.etag
    changed = {k: v for k, v in new_etags.items() if state.etags.get(k) != v}
    if changed:
        state.etags.update(changed)
        save_state(repo, state, base_branch)
    return WatchRun(client.requests, client.not_modified, tuple(found), tuple(filed), bool(changed), tuple(errors))
