"""Reference consumer of ``registry.json``: what the WXAUTO-MGT marketplace client should do.

It reads the registry from several sources in priority order and fails over on any error, a
timeout, an HTML error page, truncated JSON or a registry older than the one it already has;
it keeps a last-good copy on disk and asks with ``If-None-Match``; and it installs nothing
whose content digest differs from the one the registry pinned at review time.

Given the registry's trusted TUF root (``trusted_root``), it reads nothing unverified: ``registry.json`` and
``revoked.json`` come only through :mod:`wxreg.trust` (signatures, versions, expiry, hashes, sizes), a
``block``-revoked version is never downloaded, and :meth:`Marketplace.audit_installed` reports installed
copies that are revoked or no longer listed. Without a root (a third-party registry that signs nothing)
every result says it is unverified.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import stat
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import requests

from wxreg import revocations
from wxreg.digest import dirhash
from wxreg.revocations import Revocation
from wxreg.store import atomic_write
from wxreg.trust import TrustedRegistry, TrustedSource, VerificationError
from wxreg.versions import client_compare

DEFAULT_TIMEOUT_SECONDS = 5.0
MAX_REGISTRY_BYTES = 64 * 1024 * 1024
MAX_ARCHIVE_BYTES = 50 * 1024 * 1024
MAX_ARCHIVE_FILES = 5_000
MAX_ARCHIVE_UNPACKED_BYTES = 200 * 1024 * 1024
USER_AGENT = "wxreg-consumer/1"


class ConsumerError(Exception):
    """A failure the user should read: the message is bilingual, Chinese first."""


@dataclass(frozen=True)
class RegistrySource:
    name: str
    registry_url: str
    priority: int = 100
    """Lower is tried first (after the source chosen with :meth:`Marketplace.switch_source`)."""


@dataclass(frozen=True)
class SourceAttempt:
    source: str
    ok: bool
    detail: str
    seconds: float


@dataclass(frozen=True)
class RefreshResult:
    source: str | None
    """The source whose copy is now in use; ``None`` when only the cache answered."""
    not_modified: bool
    from_cache: bool
    cache_age_seconds: float | None
    last_updated: str
    plugin_count: int
    attempts: tuple[SourceAttempt, ...]
    verified: bool = False
    """Signatures, freshness and hashes checked against the trusted TUF root."""

    def describe(self) -> str:
        trust = "签名已验证" if self.verified else "未验证签名"
        trust_en = "signature verified" if self.verified else "unverified"
        if self.from_cache:
            age = _human_age(self.cache_age_seconds or 0.0)
            return (f"所有源均不可用，使用 {age} 前的本地缓存（{trust}）/ all sources failed; using the cache from "
                    f"{age} ago ({trust_en})")
        state = "未变化 (304)" if self.not_modified else "已更新"
        state_en = "not modified (304)" if self.not_modified else "updated"
        return (f"来自 {self.source}：{state}，{self.plugin_count} 个插件，{trust} / from {self.source}: "
                f"{state_en}, {trust_en}")


@dataclass(frozen=True)
class PluginUpdate:
    plugin_id: str
    installed: str
    available: str


@dataclass(frozen=True)
class DownloadedPlugin:
    plugin_id: str
    version: str
    commit: str
    digest: str
    path: Path
    archive_url: str


@dataclass(frozen=True)
class AuditFinding:
    plugin_id: str
    version: str
    path: Path
    status: str
    """``block`` or ``warn`` (revoked), or ``unlisted`` (no longer in the registry)."""
    detail: str


@dataclass(frozen=True)
class SourceStatus:
    source: str
    reachable: bool
    seconds: float
    detail: str


@dataclass
class _CacheState:
    source: str | None = None
    fetched_at: float | None = None
    etags: dict[str, str] = field(default_factory=dict)


def _human_age(seconds: float) -> str:
    if seconds < 120:
        return f"{int(seconds)} s"
    if seconds < 7200:
        return f"{int(seconds // 60)} min"
    if seconds < 172800:
        return f"{int(seconds // 3600)} h"
    return f"{int(seconds // 86400)} d"


def _parse_timestamp(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_registry_document(body: bytes, content_type: str) -> dict[str, Any]:
    """Decode a registry response; ``ConsumerError`` says what is wrong with it.

    ``text/plain`` is accepted on purpose: raw.githubusercontent.com serves JSON as text.
    """
    head = body.lstrip()[:15].lower()
    if "html" in content_type.lower() or head.startswith((b"<!doctype", b"<html", b"<")):
        raise ConsumerError("返回了 HTML 页面而不是注册表 / an HTML page came back instead of the registry")
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConsumerError(f"注册表 JSON 不完整或无效 / registry JSON is truncated or invalid: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("plugins"), list):
        raise ConsumerError("注册表缺少 plugins 列表 / the registry has no 'plugins' list")
    for index, entry in enumerate(document["plugins"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("plugin_id"), str):
            raise ConsumerError(f"注册表第 {index} 项无效 / registry entry {index} is not a plugin object")
    if not isinstance(document.get("categories", []), list):
        raise ConsumerError("注册表 categories 不是列表 / the registry's 'categories' is not a list")
    if _parse_timestamp(document.get("last_updated")) is None:
        raise ConsumerError("注册表缺少有效的 last_updated / the registry has no valid 'last_updated'")
    return document


class Marketplace:
    """The seed's client API, done with failover, a cache and digest verification."""

    def __init__(
        self,
        sources: Iterable[RegistrySource],
        cache_dir: Path,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
        trusted_root: bytes | None = None,
    ) -> None:
        self.sources = sorted(sources, key=lambda source: (source.priority, source.name))
        if not self.sources:
            raise ConsumerError("没有配置任何注册表源 / no registry source configured")
        self.cache_dir = cache_dir
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.clock = clock
        self.preferred: str | None = None
        self.current_source: str | None = None
        self._registry: dict[str, Any] | None = None
        self._revocations: list[Revocation] | None = None
        self.trust = (TrustedRegistry(trusted_root, cache_dir / "tuf", session=self.session, timeout=timeout)
                      if trusted_root is not None else None)

    # -- sources -----------------------------------------------------------------------------

    def switch_source(self, name: str) -> None:
        if name not in {source.name for source in self.sources}:
            known = ", ".join(source.name for source in self.sources)
            raise ConsumerError(f"未知的源 {name!r}（可用：{known}）/ unknown source {name!r} (known: {known})")
        self.preferred = name

    def get_available_sources(self) -> list[RegistrySource]:
        return list(self._ordered_sources())

    def _ordered_sources(self) -> Iterable[RegistrySource]:
        preferred = [source for source in self.sources if source.name == self.preferred]
        return [*preferred, *(source for source in self.sources if source.name != self.preferred)]

    def check_connectivity(self) -> list[SourceStatus]:
        statuses = []
        for source in self.sources:
            started = time.monotonic()
            try:
                response = self.session.get(source.registry_url, timeout=self.timeout, stream=True)
                response.close()
                reachable, detail = response.status_code < 400, f"HTTP {response.status_code}"
            except requests.RequestException as exc:
                reachable, detail = False, type(exc).__name__
            statuses.append(SourceStatus(source.name, reachable, time.monotonic() - started, detail))
        return statuses

    # -- cache -------------------------------------------------------------------------------

    @property
    def _cache_body_path(self) -> Path:
        return self.cache_dir / "registry.json"

    @property
    def _cache_state_path(self) -> Path:
        return self.cache_dir / "cache-state.json"

    def _read_cache(self) -> tuple[dict[str, Any] | None, _CacheState]:
        state = _CacheState()
        with contextlib.suppress(OSError, ValueError, TypeError):
            raw = json.loads(self._cache_state_path.read_text("utf-8"))
            state = _CacheState(raw.get("source"), raw.get("fetched_at"), dict(raw.get("etags", {})))
        try:
            document = parse_registry_document(self._cache_body_path.read_bytes(), "application/json")
        except (OSError, ConsumerError):
            return None, _CacheState()  # a cache we cannot read is no cache: drop its ETags too
        return document, state

    def _write_cache(self, body: bytes, state: _CacheState) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(self._cache_body_path, body)
        payload = {"source": state.source, "fetched_at": state.fetched_at, "etags": state.etags}
        atomic_write(self._cache_state_path, json.dumps(payload, sort_keys=True).encode("utf-8"))

    def cache_age_seconds(self) -> float | None:
        _, state = self._read_cache()
        return None if state.fetched_at is None else max(0.0, self.clock() - state.fetched_at)

    # -- refresh -----------------------------------------------------------------------------

    def refresh_registry(self) -> RefreshResult:
        if self.trust is not None:
            return self._refresh_verified(self.trust)
        cached, state = self._read_cache()
        cached_updated = _parse_timestamp(cached.get("last_updated")) if cached else None
        attempts: list[SourceAttempt] = []
        for source in self._ordered_sources():
            started = time.monotonic()
            headers = {"Accept": "application/json"}
            etag = state.etags.get(source.name)
            if etag and cached is not None:
                headers["If-None-Match"] = etag
            try:
                response = self.session.get(source.registry_url, headers=headers, timeout=self.timeout)
                if response.status_code == 304 and cached is not None:
                    attempts.append(SourceAttempt(source.name, True, "304", time.monotonic() - started))
                    state.fetched_at, state.source = self.clock(), source.name
                    self._write_cache(self._cache_body_path.read_bytes(), state)
                    self._registry, self.current_source = cached, source.name
                    return self._result(source.name, cached, attempts, not_modified=True)
                if response.status_code != 200:
                    raise ConsumerError(f"HTTP {response.status_code}")
                if len(response.content) > MAX_REGISTRY_BYTES:
                    raise ConsumerError("注册表过大 / registry too large")
                document = parse_registry_document(response.content, response.headers.get("Content-Type", ""))
                fetched_updated = _parse_timestamp(document["last_updated"])
                if cached_updated and fetched_updated and fetched_updated < cached_updated:
                    raise ConsumerError(
                        f"该源的注册表（{document['last_updated']}）比本地缓存（{cached['last_updated']}）旧，"  # type: ignore[index]
                        f"可能是过期镜像 / this source's registry is older than the cached one (stale mirror)"
                    )
            except (requests.RequestException, ConsumerError) as exc:
                detail = str(exc) if isinstance(exc, ConsumerError) else f"{type(exc).__name__}: {exc}"
                attempts.append(SourceAttempt(source.name, False, detail, time.monotonic() - started))
                continue
            new_etag = response.headers.get("ETag")
            if new_etag:
                state.etags[source.name] = new_etag
            else:
                state.etags.pop(source.name, None)
            state.fetched_at, state.source = self.clock(), source.name
            self._write_cache(response.content, state)
            self._registry, self.current_source = document, source.name
            attempts.append(SourceAttempt(source.name, True, "200", time.monotonic() - started))
            return self._result(source.name, document, attempts, not_modified=False)
        if cached is None:
            reasons = "; ".join(f"{attempt.source}: {attempt.detail}" for attempt in attempts)
            raise ConsumerError(f"所有源均失败且没有本地缓存 / every source failed and there is no cache: {reasons}")
        self._registry = cached
        age = None if state.fetched_at is None else max(0.0, self.clock() - state.fetched_at)
        return RefreshResult(
            None, False, True, age, str(cached["last_updated"]), len(cached["plugins"]), tuple(attempts)
        )

    def _refresh_verified(self, trust: TrustedRegistry) -> RefreshResult:
        sources = [TrustedSource(source.name, source.registry_url.rsplit("/", 1)[0])
                   for source in self._ordered_sources()]
        _, state = self._read_cache()
        try:
            verified = trust.refresh(sources)
            attempts, source = verified.attempts, verified.source
        except VerificationError as exc:
            attempts, source = exc.attempts, None
        tried = tuple(SourceAttempt(a.source, a.ok, a.detail, a.seconds) for a in attempts)
        body = trust.read_target("registry.json")
        if body is None:
            raise ConsumerError("没有任何源给出可验证的注册表，且没有已验证的缓存 / no source gave a registry that "
                                "verifies and there is no verified cache: "
                                + "; ".join(attempt.detail for attempt in tried))
        document = parse_registry_document(body, "application/json")
        self._registry, self._revocations = document, None
        if source is None:
            age = None if state.fetched_at is None else max(0.0, self.clock() - state.fetched_at)
            return RefreshResult(None, False, True, age, str(document["last_updated"]), len(document["plugins"]),
                                 tried, verified=True)
        state.fetched_at, state.source = self.clock(), source
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        payload = {"source": state.source, "fetched_at": state.fetched_at, "etags": {}}
        atomic_write(self._cache_state_path, json.dumps(payload, sort_keys=True).encode("utf-8"))
        self.current_source = source
        return RefreshResult(source, not verified.downloaded, False, 0.0, str(document["last_updated"]),
                             len(document["plugins"]), tried, verified=True)

    def _result(
        self, source: str, document: Mapping[str, Any], attempts: list[SourceAttempt], *, not_modified: bool
    ) -> RefreshResult:
        return RefreshResult(
            source, not_modified, False, 0.0, str(document["last_updated"]), len(document["plugins"]), tuple(attempts)
        )

    @property
    def registry(self) -> dict[str, Any]:
        if self._registry is None and self.trust is not None:
            body = self.trust.read_target("registry.json")
            if body is None:
                raise ConsumerError("尚未获取注册表，请先刷新 / no registry yet: refresh first")
            self._registry = parse_registry_document(body, "application/json")
        if self._registry is None:
            cached, _ = self._read_cache()
            if cached is None:
                raise ConsumerError("尚未获取注册表，请先刷新 / no registry yet: refresh first")
            self._registry = cached
        return self._registry

    @property
    def revocations(self) -> list[Revocation]:
        """The verified revocation list (empty for an unverified registry: nothing signed to trust)."""
        if self._revocations is None:
            body = self.trust.read_target("revoked.json") if self.trust is not None else None
            try:
                self._revocations = revocations.parse(body) if body is not None else []
            except (ValueError, revocations.RevocationError) as exc:
                raise ConsumerError(f"revoked.json 无效 / revoked.json is invalid: {exc}") from exc
        return self._revocations

    def audit_installed(self, installed_dir: Path) -> list[AuditFinding]:
        """Installed plugins (``<dir>/<folder>/plugin.json``) that are revoked or no longer listed."""
        listed = {entry["plugin_id"] for entry in self.plugins()}
        findings = []
        for manifest_path in sorted(installed_dir.glob("*/plugin.json")):
            try:
                manifest = json.loads(manifest_path.read_text("utf-8"))
                plugin_id, version = str(manifest["plugin_id"]), str(manifest["version"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
            for revocation in revocations.revoked(self.revocations, plugin_id, version):
                findings.append(AuditFinding(plugin_id, version, manifest_path.parent, revocation.severity,
                                             revocation.message()))
            if plugin_id not in listed:
                findings.append(AuditFinding(plugin_id, version, manifest_path.parent, "unlisted",
                                             f"{plugin_id} 已不在注册表中 / {plugin_id} is no longer listed"))
        return findings

    # -- queries -----------------------------------------------------------------------------

    def plugins(self) -> list[dict[str, Any]]:
        return [entry for entry in self.registry["plugins"] if isinstance(entry, dict)]

    def get_plugin(self, plugin_id: str) -> dict[str, Any]:
        for entry in self.plugins():
            if entry["plugin_id"] == plugin_id:
                return entry
        raise ConsumerError(f"注册表中没有插件 {plugin_id!r} / no plugin {plugin_id!r} in the registry")

    def search_plugins(
        self,
        query: str = "",
        category: str | None = None,
        verified_only: bool = False,
        tags: Iterable[str] = (),
    ) -> list[dict[str, Any]]:
        needle = query.casefold().strip()
        wanted_tags = {tag.casefold() for tag in tags}
        found = []
        for entry in self.plugins():
            if entry.get("status", "active") != "active":
                continue
            if category and entry.get("category") != category:
                continue
            if verified_only and not entry.get("verified", False):
                continue
            entry_tags = [str(tag) for tag in entry.get("tags") or []]
            # Any one of the wanted tags matches, as in the WXAUTO-MGT client.
            if wanted_tags and not wanted_tags & {tag.casefold() for tag in entry_tags}:
                continue
            haystack = [entry.get("name", ""), entry.get("short_description", ""), entry.get("description", "")]
            if needle and not any(needle in str(text).casefold() for text in [*haystack, *entry_tags]):
                continue
            found.append(entry)
        # The client's order: featured, then verified, then downloads, then rating.
        found.sort(key=_listing_rank)
        return found

    def check_plugin_updates(self, installed: Mapping[str, str]) -> list[PluginUpdate]:
        """Installed plugins whose listed ``versions.latest`` is newer, compared as the client compares (2 to 4
        all-digit parts, a leading ``v`` dropped, padded with zeros); a version it cannot compare is no update."""
        updates = []
        for plugin_id, installed_version in sorted(installed.items()):
            try:
                entry = self.get_plugin(plugin_id)
            except ConsumerError:
                continue
            versions_obj = entry.get("versions")
            latest = versions_obj.get("latest") if isinstance(versions_obj, Mapping) else None
            if not isinstance(latest, str):
                continue
            if (client_compare(latest, installed_version.strip().removeprefix("v")) or 0) > 0:
                updates.append(PluginUpdate(plugin_id, installed_version, latest))
        return updates

    def get_plugin_statistics(self) -> dict[str, Any]:
        plugins = self.plugins()
        per_category: dict[str, int] = {}
        downloads = 0
        for entry in plugins:
            category = str(entry.get("category", "other"))
            per_category[category] = per_category.get(category, 0) + 1
            stats = entry.get("stats") or {}
            downloads += int(stats.get("downloads", 0) or 0) if isinstance(stats, dict) else 0
        return {
            "total_plugins": len(plugins),
            "active_plugins": sum(1 for entry in plugins if entry.get("status", "active") == "active"),
            "verified_plugins": sum(1 for entry in plugins if entry.get("verified")),
            "featured_plugins": sum(1 for entry in plugins if entry.get("featured")),
            "total_downloads": downloads,
            "category_stats": dict(sorted(per_category.items())),
            "current_source": self.current_source,
            "last_updated": self.registry.get("last_updated"),
        }

    # -- download ----------------------------------------------------------------------------

    def archive_urls(self, entry: Mapping[str, Any], commit: str) -> list[str]:
        """Where the pinned commit's archive can be had: GitHub's API zipball, Gitee's archive."""
        repository = entry.get("repository") or {}
        urls: list[tuple[str, str]] = []
        primary = repository.get("primary") if isinstance(repository, dict) else None
        mirror = repository.get("mirror") if isinstance(repository, dict) else None
        if isinstance(primary, dict) and primary.get("api_url"):
            urls.append(("github", f"{str(primary['api_url']).rstrip('/')}/zipball/{commit}"))
        if isinstance(mirror, dict) and mirror.get("url"):
            urls.append(("gitee", f"{str(mirror['url']).rstrip('/')}/repository/archive/{commit}.zip"))
        # Prefer the host of the registry source in use: a user who reaches Gitee only gets Gitee first.
        prefer_gitee = bool(self.preferred and "gitee" in self.preferred.casefold())
        urls.sort(key=lambda item: (item[0] != "gitee") if prefer_gitee else (item[0] != "github"))
        return [url for _, url in urls]

    def download_plugin(self, plugin_id: str, version: str | None, dest_dir: Path) -> DownloadedPlugin:
        """Fetch the reviewed commit and return it only if its content digest matches the registry."""
        entry = self.get_plugin(plugin_id)
        release = entry.get("release")
        if not isinstance(release, dict) or not release.get("commit") or not release.get("digest"):
            raise ConsumerError(
                f"插件 {plugin_id} 没有固定的提交和摘要，拒绝下载 / {plugin_id} has no pinned commit and digest"
            )
        listed = str(entry.get("versions", {}).get("latest", ""))
        tag = str(release.get("tag", ""))
        # The version asked for, and the one that would be installed: a revoked one is named as such.
        blocked = [item for wanted in {version or listed, listed}
                   for item in revocations.revoked(self.revocations, plugin_id, wanted) if item.severity == "block"]
        if blocked:
            raise ConsumerError(f"拒绝下载已撤销的版本 / refusing a revoked version: {blocked[0].message()}")
        if version is not None and version.lstrip("v") not in {listed.lstrip("v"), tag.lstrip("v")}:
            raise ConsumerError(
                f"注册表只固定了 {plugin_id} 的 {listed} 版本，无法验证 {version} / "
                f"only {listed} of {plugin_id} is pinned; {version} cannot be verified"
            )
        commit, expected = str(release["commit"]), str(release["digest"])
        failures: list[str] = []
        for url in self.archive_urls(entry, commit):
            try:
                response = self.session.get(url, timeout=self.timeout, stream=True)
                if response.status_code != 200:
                    raise ConsumerError(f"HTTP {response.status_code}")
                body = _read_capped(response, MAX_ARCHIVE_BYTES)
                files = extract_zip_safely(body)
                actual = dirhash(files.items())
                if actual != expected:
                    raise ConsumerError(
                        f"内容摘要不符（期望 {expected}，实际 {actual}），归档可能被篡改 / "
                        f"content digest mismatch (expected {expected}, got {actual}): archive tampered"
                    )
            except (requests.RequestException, ConsumerError) as exc:
                failures.append(f"{url}: {exc}")
                continue
            target = dest_dir / f"{plugin_id}-{listed}"
            _install_tree(files, target)
            return DownloadedPlugin(plugin_id, listed, commit, actual, target, url)
        raise ConsumerError(
            f"无法下载经过验证的 {plugin_id} / could not download a verified {plugin_id}: " + "; ".join(failures)
        )


def _listing_rank(entry: Mapping[str, Any]) -> tuple[int, int, float, float, str]:
    stats = entry.get("stats")
    stats = stats if isinstance(stats, dict) else {}
    return (
        -int(bool(entry.get("featured"))),
        -int(bool(entry.get("verified"))),
        -float(stats.get("downloads", 0) or 0),
        -float(stats.get("rating", 0) or 0),
        str(entry.get("plugin_id")),
    )


def _read_capped(response: requests.Response, limit: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_content(64 * 1024):
        total += len(chunk)
        if total > limit:
            response.close()
            raise ConsumerError(f"归档超过 {limit} 字节 / archive larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def extract_zip_safely(body: bytes) -> dict[str, bytes]:
    """Regular files of a host-generated archive, its single top folder stripped.

    Links are left out (the registry digest leaves them out too); absolute paths, ``..``,
    too many files and zip bombs are refused.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile as exc:
        raise ConsumerError(f"归档不是有效的 zip / the archive is not a valid zip: {exc}") from exc
    members = [info for info in archive.infolist() if not info.is_dir()]
    if len(members) > MAX_ARCHIVE_FILES:
        raise ConsumerError(f"归档文件过多 / more than {MAX_ARCHIVE_FILES} files in the archive")
    if sum(info.file_size for info in members) > MAX_ARCHIVE_UNPACKED_BYTES:
        raise ConsumerError("归档解压后过大 / the archive unpacks too large")
    files: dict[str, bytes] = {}
    for info in members:
        path = PurePosixPath(info.filename)
        if path.is_absolute() or ".." in path.parts or "\\" in info.filename:
            raise ConsumerError(f"归档含有不安全路径 / unsafe path in archive: {info.filename!r}")
        if stat.S_ISLNK(info.external_attr >> 16):
            continue
        files[path.as_posix()] = archive.read(info)
    tops = {name.split("/", 1)[0] for name in files}
    if len(tops) == 1 and all("/" in name for name in files):
        files = {name.split("/", 1)[1]: data for name, data in files.items()}
    return files


def _install_tree(files: Mapping[str, bytes], target: Path) -> None:
    """Write the verified files to ``target`` all at once: a rename, never a half-written folder."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for name, data in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
