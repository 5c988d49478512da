"""After a push to main: validate it loudly, and tell each newly published plugin's submitter where it is listed.

A merged registry PR closes its issue by itself (``Closes #N``); this adds the raw URLs of the registry
on GitHub and Gitee (from ``registry/config.json``) to that issue, once per published release.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from wxreg.approval import texts
from wxreg.approval.forge import ApprovalSettings
from wxreg.approval.workspace import read_file
from wxreg.config import RegistryConfig
from wxreg.errors import ModelError
from wxreg.forge.interface import Forge
from wxreg.models import PluginEntry
from wxreg.review.source import git_env
from wxreg.validate import PLUGINS_DIR

ZERO_SHA = "0" * 40


@dataclass(frozen=True)
class Listed:
    plugin_id: str
    version: str
    issue: int


def _entry(checkout: Path, sha: str, path: str) -> PluginEntry | None:
    data = read_file(checkout, sha, path)
    if data is None:
        return None
    try:
        return PluginEntry.from_dict(json.loads(data))
    except (ModelError, ValueError):
        return None


def newly_listed(checkout: Path, before: str, after: str) -> list[Listed]:
    """Plugins whose release changed between ``before`` and ``after`` and that came from an issue."""
    if not before or before == ZERO_SHA:
        before = f"{after}^1"
    done = subprocess.run(["git", "-C", str(checkout), "diff", "--name-only", before, after, "--", PLUGINS_DIR],
                          capture_output=True, timeout=60, env=git_env(), check=False)
    found: list[Listed] = []
    for path in sorted(done.stdout.decode("utf-8", "replace").split()):
        entry = _entry(checkout, after, path)
        if entry is None or entry.submission is None:
            continue
        old = _entry(checkout, before, path)
        if old is not None and old.release == entry.release:
            continue  # stats or metadata only: nothing new was published
        found.append(Listed(entry.plugin_id, entry.versions.latest, entry.submission.issue))
    return found


def listing_urls(config: RegistryConfig, plugin_id: str) -> list[str]:
    urls = [config.registry_url, *config.mirror_urls, config.raw_file_url("github", f"{PLUGINS_DIR}/{plugin_id}.json")]
    return list(dict.fromkeys(urls))


def announce(settings: ApprovalSettings, listed: list[Listed], forge: Forge) -> int:
    """One publication comment per issue (edited when a later release is published); comments written."""
    written = 0
    for item in listed:
        body = texts.published(item.plugin_id, item.version, listing_urls(settings.registry, item.plugin_id))
        mine = next((c for c in forge.comments(item.issue)
                     if texts.PUBLICATION_MARKER in c.body and c.user == forge.bot_login), None)
        if mine is None:
            forge.create_comment(item.issue, body)
            written += 1
        elif mine.body != body:
            forge.edit_comment(mine.id, body)
            written += 1
    return written
