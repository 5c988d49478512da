"""The one file a fork edits: where this registry lives on GitHub and on Gitee.

``registry/config.json`` names the owner, repository and branch on each host and, optionally, the
hosts' base URLs (a local stand-in replaces them in tests). Every URL the registry publishes about
itself is derived here, so nothing else hard-codes a host.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from wxreg.errors import ModelError
from wxreg.paths import PACKAGED_DATA as PACKAGED_DATA  # where the data lives, re-exported
from wxreg.paths import REPO_ROOT as REPO_ROOT


def working_root() -> Path:
    """The registry checkout the commands that work on one (``--root``: validate, build, site, revoke, tuf,
    mirror, popular-packages, the maintenance commands) use by default: this checkout, or, for
    an installed copy (``pip install git+...``), the current directory when it holds ``registry/config.json``
    (an operator in their fork), else the packaged copy."""
    if REPO_ROOT != PACKAGED_DATA:
        return REPO_ROOT
    here = Path.cwd()
    return here if (here / "registry" / "config.json").is_file() else REPO_ROOT


DEFAULT_CONFIG_PATH = REPO_ROOT / "registry" / "config.json"
REGISTRY_JSON_PATH = "registry/registry.json"
"""Where the generated index sits inside the repository, on both hosts."""


@dataclass(frozen=True)
class HostConfig:
    """One code host: the repository coordinates and the host's base URLs."""

    owner: str
    repo: str
    branch: str
    web_url: str
    raw_url: str
    api_url: str

    @property
    def repository_url(self) -> str:
        return f"{self.web_url}/{self.owner}/{self.repo}"


GITHUB_DEFAULTS = {"web_url": "https://github.com", "raw_url": "https://raw.githubusercontent.com",
                   "api_url": "https://api.github.com"}
# Gitee serves raw files from its web host under /raw/.
GITEE_DEFAULTS = {"web_url": "https://gitee.com", "raw_url": "https://gitee.com", "api_url": "https://gitee.com/api/v5"}
_HOST_KEYS = ("owner", "repo", "branch", "web_url", "raw_url", "api_url")


def _host(data: Any, name: str, defaults: dict[str, str]) -> HostConfig:
    if not isinstance(data, dict):
        raise ModelError(f"/{name}", "应为对象 / must be an object")
    unknown = sorted(set(data) - set(_HOST_KEYS))
    if unknown:
        raise ModelError(f"/{name}/{unknown[0]}", "未知字段 / unknown key")
    values = {**defaults, **data}
    for key in _HOST_KEYS:
        value = values.get(key)
        if not isinstance(value, str) or not value or value != value.strip():
            raise ModelError(f"/{name}/{key}", "缺少或不是非空字符串 / missing or not a non-empty string")
        if key.endswith("_url") and not value.startswith(("https://", "http://")):
            raise ModelError(f"/{name}/{key}", "应为 http(s) URL / must be an http(s) URL")
    return HostConfig(*(values[key].rstrip("/") if key.endswith("_url") else values[key] for key in _HOST_KEYS))


@dataclass(frozen=True)
class RegistryConfig:
    """Where the registry is published. ``registry_url`` and ``mirror_urls`` are derived, never stored."""

    github: HostConfig
    gitee: HostConfig
    pages_url: str | None = None
    """Optional GitHub Pages copy of ``registry.json``: the only host that serves it as application/json."""

    @classmethod
    def from_dict(cls, data: Any) -> RegistryConfig:
        if not isinstance(data, dict):
            raise ModelError("", "配置应为对象 / config must be an object")
        unknown = sorted(set(data) - {"github", "gitee", "pages_url"})
        if unknown:
            raise ModelError(f"/{unknown[0]}", "未知字段 / unknown key")
        pages_url = data.get("pages_url")
        loopback = isinstance(pages_url, str) and urlsplit(pages_url).hostname in ("127.0.0.1", "localhost", "::1")
        if pages_url is not None and (
            not isinstance(pages_url, str) or not (pages_url.startswith("https://") or loopback)
        ):
            # Plain http only for a local stand-in, as everywhere else in the registry.
            raise ModelError("/pages_url", "应为 https URL 或 null / must be an https URL or null")
        return cls(_host(data.get("github"), "github", GITHUB_DEFAULTS),
                   _host(data.get("gitee"), "gitee", GITEE_DEFAULTS), pages_url)

    @classmethod
    def load(cls, path: Path | None = None) -> RegistryConfig:
        """Read ``registry/config.json`` (or ``path``); :class:`ModelError` names the bad key."""
        with (path or DEFAULT_CONFIG_PATH).open(encoding="utf-8") as handle:
            return cls.from_dict(json.load(handle))

    @property
    def registry_url(self) -> str:
        """The primary raw URL of ``registry.json`` on GitHub."""
        host = self.github
        return f"{host.raw_url}/{host.owner}/{host.repo}/{host.branch}/{REGISTRY_JSON_PATH}"

    @property
    def gitee_registry_url(self) -> str:
        host = self.gitee
        return f"{host.raw_url}/{host.owner}/{host.repo}/raw/{host.branch}/{REGISTRY_JSON_PATH}"

    @property
    def mirror_urls(self) -> tuple[str, ...]:
        """Other places serving the same bytes, in the order a client should try them."""
        urls = [self.gitee_registry_url]
        if self.pages_url:
            urls.append(self.pages_url)
        return tuple(urls)

    def raw_file_url(self, host: str, path: str) -> str:
        """Raw URL of any file of this repository on ``host`` (``github`` or ``gitee``)."""
        if host == "github":
            return f"{self.github.raw_url}/{self.github.owner}/{self.github.repo}/{self.github.branch}/{path}"
        if host == "gitee":
            return f"{self.gitee.raw_url}/{self.gitee.owner}/{self.gitee.repo}/raw/{self.gitee.branch}/{path}"
        raise ValueError(f"unknown host {host!r}")
