"""The release watcher: new releases of listed plugins become update submissions, reviewed like any other.

Per listed plugin one conditional ``GET <releases_url>`` with the ETag of the previous run: on a day where
nothing was released every answer is a 304 (free on GitHub's rate limit) and nothing is written.

**Where the ETags live.** In ``watch-state.json`` on the bot's branch :data:`STATE_BRANCH`, committed through
the forge (git data API, compare-and-swap on the branch) only when an ETag moved. Not ``actions/cache``
(entries are immutable per key, evicted
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
from urllib.parse import quote

from wxreg.approval.stats import ConditionalClient
from wxreg.build import render_json
from wxreg.forge import labels
from wxreg.forge.interface import Forge, ForgeError, Issue
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
WATCH_LABEL = labels.RELEASE_WATCHER
REVIEW_WORKFLOW = "review.yml"


@dataclass
class WatchState:
    etags: dict[str, str] = field(default_factory=dict)
    """plugin id -> ETag of its releases list as last fully handled."""
    head: str | None = None
    """The state branch's commit the file was read from (the next commit's parent), ``None`` when absent."""

    @classmethod
    def parse(cls, data: bytes, head: str | None = None) -> WatchState:
        try:
            loaded = json.loads(data)
        except ValueError:
            return cls(head=head)
        if not isinstance(loaded, dict) or loaded.get("version") != STATE_VERSION:
            return cls(head=head)
        etags = loaded.get("etags")
        return cls({str(k): str(v) for k, v in etags.items() if isinstance(v, str)}
                   if isinstance(etags, dict) else {}, head)

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


def load_state(forge: Forge) -> WatchState:
    head = forge.branch_sha(STATE_BRANCH)
    if head is None:
        return WatchState()
    data = forge.file_at(head, STATE_PATH)
    return WatchState.parse(data, head) if data is not None else WatchState(head=head)


def save_state(forge: Forge, state: WatchState, base_branch: str) -> bool:
    """One commit on the state branch (created from ``base_branch`` the first time); ``False`` when another
    run moved the branch meanwhile (its state stands; this run's ETags are merely re-polled next time)."""
    message = "watch: release ETags"
    if state.head is None:
        base = forge.branch_sha(base_branch)
        if base is None:
            raise ForgeError(f"branch {base_branch} does not exist")
        return forge.create_branch(STATE_BRANCH, forge.commit(base, {STATE_PATH: state.render()}, message))
    sha = forge.commit(state.head, {STATE_PATH: state.render()}, message)
    return forge.move_branch(STATE_BRANCH, sha, force=False, expected=state.head)


def filed_versions(forge: Forge) -> dict[tuple[str, str], Issue]:
    """(plugin id, version) -> the submission issue that already asks for it (open or closed)."""
    found: dict[tuple[str, str], Issue] = {}
    for issue in sorted(forge.issues_with_label(SUBMISSION_LABEL, "all"), key=lambda i: i.number):
        submission = parse_issue_body(issue.body).submission
        if submission.plugin_id and submission.version:
            found.setdefault((submission.plugin_id, submission.version), issue)
    return found


def read_manifest(forge: Forge, api_url: str, repo_full_name: str, tag: str) -> dict[str, Any]:
    """``plugin.json`` at ``tag`` (contents API; an unreadable one gives ``{}``: the review says why)."""
    url = f"{api_url.rstrip('/')}/repos/{repo_full_name}/contents/plugin.json?ref={quote(tag, safe='')}"
    try:
        answer = forge.get_conditional(url, None).data
    except ForgeError:
        return {}
    if not isinstance(answer, dict) or not isinstance(answer.get("content"), str):
        return {}
    try:
        raw = base64.b64decode(answer["content"])
    except ValueError:
        return {}
    manifest, _ = load_manifest(raw)
    return manifest or {}


def dispatch_review(forge: Forge, issue: int, ref: str) -> None:
    # The one event the workflow token may start a run with; the review workflow takes the issue number.
    forge.dispatch_workflow(REVIEW_WORKFLOW, ref, {"issue": str(issue)})


Dispatch = Callable[[int], None]
"""Starts the review of an issue number (``workflow_dispatch`` of :data:`REVIEW_WORKFLOW` in production)."""


def file_update(forge: Forge, release: NewRelease, manifest: Mapping[str, Any],
                existing: Mapping[tuple[str, str], Issue], dispatch: Dispatch) -> Filed:
    entry = release.entry
    version = str(manifest.get("version") or "").removeprefix("v")
    version = version if is_client_version(version) else release.version
    known = existing.get((entry.plugin_id, version)) or existing.get((entry.plugin_id, release.version))
    if known is not None:
        unreviewed = not known.labels & {PASSED_LABEL, FAILED_LABEL}
        if known.state == "open" and unreviewed and known.user == forge.bot_login:
            dispatch(known.number)  # an earlier run filed it and stopped short
            return Filed(entry.plugin_id, version, known.number, "redispatched")
        return Filed(entry.plugin_id, version, known.number, "exists")
    form = load_form()
    body = render_body(form, update_answers(entry, manifest, version, release.tag, form))
    issue = forge.create_issue(update_title(entry.plugin_id, version), body, [*form.labels, WATCH_LABEL])
    dispatch(issue.number)
    return Filed(entry.plugin_id, version, issue.number, "opened")


def watch(entries: list[PluginEntry], forge: Forge, client: ConditionalClient, *, base_branch: str = "main",
          only: str | None = None, manifest_reader: Callable[[NewRelease], Mapping[str, Any]] | None = None,
          dispatch: Dispatch | None = None) -> WatchRun:
    """One watcher run over ``entries`` (main's listed plugins)."""
    dispatch = dispatch or (lambda number: dispatch_review(forge, number, base_branch))
    state = load_state(forge)
    found, settled = poll(entries, client, state, only)
    new_etags = dict(settled)
    filed: list[Filed] = []
    errors: list[str] = []
    if found:
        existing = filed_versions(forge)
        for release in found:
            try:
                manifest = manifest_reader(release) if manifest_reader else {}
                filed.append(file_update(forge, release, manifest, existing, dispatch))
            except ForgeError as exc:
                errors.append(f"{release.entry.plugin_id} {release.version}: {exc}"[:300])
                continue
            if release.etag:
                new_etags[release.entry.plugin_id] = release.etag
    changed = {k: v for k, v in new_etags.items() if state.etags.get(k) != v}
    written = False
    if changed:
        state.etags.update(changed)
        written = save_state(forge, state, base_branch)
    return WatchRun(client.requests, client.not_modified, tuple(found), tuple(filed), written, tuple(errors))
