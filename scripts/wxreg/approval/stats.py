"""Refresh ``stats`` (stars, forks, downloads) of listed plugins with conditional requests.

Two GETs per plugin on GitHub (the repository; its releases, whose asset ``download_count`` values sum
to ``downloads``), each sent with the ETag of the previous run. The ETags and the values they stood for
live in a small state file committed with the stats, so a run where nothing moved costs only 304s
(free on GitHub's rate limit) and commits nothing. The token is only ever sent to the configured API.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from wxreg.build import render_json
from wxreg.forge.interface import Forge
from wxreg.models import PluginEntry, Stats
from wxreg.store import RegistryStore, atomic_write

STATE_FILE = ".wxreg/stats-state.json"
STATE_VERSION = 1


@dataclass
class StatsState:
    plugins: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> StatsState:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            return cls()
        plugins = data.get("plugins")
        return cls({k: v for k, v in plugins.items() if isinstance(v, dict)} if isinstance(plugins, dict) else {})

    def render(self) -> bytes:
        return render_json({"version": STATE_VERSION, "plugins": dict(sorted(self.plugins.items()))})


@dataclass(frozen=True)
class StatsRun:
    changed: tuple[str, ...]
    """Plugin ids whose stats moved."""
    requests: int
    not_modified: int
    files: Mapping[str, bytes]
    """Repository path -> new bytes (plugin files, ``registry.json``, the state file); empty when nothing moved."""


class ConditionalClient:
    """GET JSON through the forge with ``If-None-Match``; ``None`` on 304. Counts requests and 304s."""

    def __init__(self, forge: Forge, api_url: str) -> None:
        self.forge = forge
        self.api_url = api_url.rstrip("/")
        self.requests = 0
        self.not_modified = 0

    def get(self, url: str, etag: str | None) -> tuple[Any, str | None] | None:
        if not url.startswith(self.api_url + "/"):
            raise ValueError(f"not on the configured API: {url}")  # never send the token elsewhere
        self.requests += 1
        answer = self.forge.get_conditional(url, etag)
        if answer.data is None:
            self.not_modified += 1
            return None
        return answer.data, answer.etag


def _fresh(client: ConditionalClient, url: str, cached: dict[str, Any], key: str) -> Any:
    answer = client.get(url, cached.get(f"{key}_etag"))
    if answer is None:
        return cached.get(key)
    data, etag = answer
    cached[f"{key}_etag"] = etag
    cached[key] = data
    return data


def _stats_from(repo: Any, releases: Any, previous: Stats | None) -> Stats:
    downloads = 0
    for release in releases if isinstance(releases, list) else []:
        for asset in release.get("assets") or []:
            count = asset.get("download_count")
            downloads += count if isinstance(count, int) and count > 0 else 0
    base = previous or Stats()
    return replace(base, downloads=downloads, stars=int(repo.get("stargazers_count") or 0),
                   forks=int(repo.get("forks_count") or 0))


def refresh_stats(root: Path, client: ConditionalClient, state_path: Path | None = None) -> StatsRun:
    """Compute new stats for every listed GitHub plugin; write them below ``root`` only when something moved."""
    state_path = state_path or root / STATE_FILE
    state = StatsState.load(state_path)
    store = RegistryStore(root)
    changed: list[PluginEntry] = []
    for entry in store.load_entries():
        primary = entry.repository.primary
        if not primary.api_url.startswith(client.api_url + "/repos/"):
            continue
        cached = state.plugins.setdefault(entry.plugin_id, {})
        # Keep only what the stats need from the answers: the state file stays small.
        repo = _fresh(client, primary.api_url, cached, "repo")
        releases = _fresh(client, primary.releases_url, cached, "releases")
        if isinstance(repo, dict):
            cached["repo"] = {k: repo.get(k) for k in ("stargazers_count", "forks_count")}
        if isinstance(releases, list):
            cached["releases"] = [
                {"assets": [{"download_count": a.get("download_count")} for a in r.get("assets") or []]}
                for r in releases
            ]
        if not isinstance(repo, dict):
            continue
        stats = _stats_from(repo, releases, entry.stats)
        if stats != entry.stats:
            changed.append(replace(entry, stats=stats))
    if not changed:
        return StatsRun((), client.requests, client.not_modified, {})
    for entry in changed:
        store.upsert(entry, rebuild=False)
    store.write()
    atomic_write(state_path, state.render())
    files = {f"registry/plugins/{e.plugin_id}.json": store.plugin_path(e.plugin_id).read_bytes() for e in changed}
    files["registry/registry.json"] = store.registry_path.read_bytes()
    files[STATE_FILE] = state_path.read_bytes()
    return StatsRun(tuple(e.plugin_id for e in changed), client.requests, client.not_modified, files)

