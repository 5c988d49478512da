"""The client half of the signed registry: verify ``registry.json`` and ``revoked.json`` with ``tuf.ngclient``.

One local metadata store (``<cache>/tuf/``) serves every source: a source is only where bytes come from, the
trusted state (newest root, timestamp, snapshot and targets seen) is shared, so a mirror cannot roll a
client back to what another mirror showed it earlier. Each source is tried in order; the first one whose
metadata and targets verify wins, and every refusal is reported with the attack it amounts to.

:class:`ConditionalFetcher` is ngclient's network layer over ``requests``: ``timestamp.json`` is asked for
with ``If-None-Match`` and a 304 answered from the copy kept beside the ETag (ngclient verifies those
bytes again, as any others). An unchanged refresh therefore costs one small request per source: ngclient
also asks for ``N+1.root.json`` before the timestamp; the fetcher first revalidates the timestamp and,
when it is unchanged (304) and ``N+1.root.json`` was already missing while the timestamp had that same
ETag, answers the probe "404" itself. That is sound because every root rotation also re-signs the timestamp
(:meth:`wxreg.tuf_repo.TufRepository.rotate_root`), and a host that hides a new root gains nothing it
could not do by answering 404 anyway.
"""

from __future__ import annotations

import base64
import contextlib
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from tuf.api import exceptions as tuf_errors
from tuf.ngclient import FetcherInterface, Updater, UpdaterConfig

from wxreg.store import atomic_write
from wxreg.tuf_repo import TARGET_FILES

CHUNK = 16 * 1024
MAX_ETAG = 200
UPDATER_CONFIG = UpdaterConfig(
    root_max_length=64 * 1024,       # a root with a few dozen keys is ~10 KB
    timestamp_max_length=4 * 1024,   # ours are ~0.6 KB
    snapshot_max_length=16 * 1024,
    targets_max_length=64 * 1024,
    prefix_targets_with_hash=False,
)
"""Tight ceilings: a host that sends more than this for a metadata file is refused (endless data)."""


class VerificationError(Exception):
    """No source gave a registry that verifies; the message names each source and the attack refused."""

    def __init__(self, message: str, attempts: Sequence[Attempt] = ()) -> None:
        super().__init__(message)
        self.attempts = tuple(attempts)


@dataclass
class FetchStats:
    requests: int = 0
    not_modified: int = 0
    bytes: int = 0
    """Body bytes received."""


@dataclass
class _HttpCache:
    """ETags and bodies of the small files worth revalidating, plus root probes known to be missing."""

    path: Path
    entries: dict[str, dict[str, str]] = field(default_factory=dict)
    absent_roots: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> _HttpCache:
        with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
            raw = json.loads(path.read_text("utf-8"))
            return cls(path, {str(k): dict(v) for k, v in raw["entries"].items()},
                       {str(k): str(v) for k, v in raw["absent_roots"].items()})
        return cls(path)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"entries": self.entries, "absent_roots": self.absent_roots}
        atomic_write(self.path, json.dumps(payload, sort_keys=True).encode("utf-8"))


class ConditionalFetcher(FetcherInterface):
    """ngclient's fetcher over ``requests`` with conditional requests for ``timestamp.json``."""

    def __init__(self, session: requests.Session, cache: _HttpCache, *, timeout: float) -> None:
        self.session = session
        self.cache = cache
        self.timeout = timeout
        self.stats = FetchStats()
        self._prefetched: dict[str, tuple[str | None, bytes]] = {}

    def _get(self, url: str, etag: str | None, limit: int | None) -> tuple[int, str | None, bytes]:
        headers = {"If-None-Match": etag} if etag else {}
        self.stats.requests += 1
        with self.session.get(url, headers=headers, timeout=self.timeout, stream=True) as response:
            body = bytearray()
            if response.status_code == 200:
                for chunk in response.iter_content(CHUNK):
                    body += chunk
                    if limit is not None and len(body) > limit:
                        break  # the caller sees more than it allows and refuses: no need to read on
            self.stats.bytes += len(body)
            if response.status_code == 304:
                self.stats.not_modified += 1
            new_etag = response.headers.get("ETag")
            if new_etag is not None and (len(new_etag) > MAX_ETAG or not new_etag.isprintable()):
                new_etag = None
            return response.status_code, new_etag, bytes(body)

    def _revalidate(self, url: str) -> tuple[str | None, bytes]:
        """(ETag, body) of ``url`` now: a conditional GET, a 304 answered from the kept copy."""
        kept = self.cache.entries.get(url)
        status, etag, body = self._get(url, kept["etag"] if kept else None,
                                       UPDATER_CONFIG.timestamp_max_length)
        if status == 304 and kept is not None:
            return kept["etag"], base64.b64decode(kept["body"])
        if status != 200:
            raise tuf_errors.DownloadHTTPError(f"HTTP {status} for {url}", status)
        if etag and len(body) <= UPDATER_CONFIG.timestamp_max_length:
            self.cache.entries[url] = {"etag": etag, "body": base64.b64encode(body).decode("ascii")}
        else:
            self.cache.entries.pop(url, None)
        return etag, body

    def _fetch(self, url: str) -> Iterator[bytes]:
        base, _, name = url.rpartition("/")
        timestamp_url = f"{base}/timestamp.json"
        if name.endswith(".root.json") and name.split(".", 1)[0].isdigit():
            etag, body = self._revalidate(timestamp_url)
            self._prefetched[timestamp_url] = (etag, body)
            if etag is not None and self.cache.absent_roots.get(url) == etag:
                raise tuf_errors.DownloadHTTPError("unchanged since it was last missing", 404)
            status, _, root_body = self._get(url, None, UPDATER_CONFIG.root_max_length)
            if status in (403, 404) and etag is not None:
                self.cache.absent_roots[url] = etag
            if status != 200:
                raise tuf_errors.DownloadHTTPError(f"HTTP {status} for {url}", status)
            return iter([root_body])
        if name == "timestamp.json":
            prefetched = self._prefetched.pop(url, None)
            _, body = prefetched if prefetched is not None else self._revalidate(url)
            return iter([body])
        return self._stream(url)

    def _stream(self, url: str) -> Iterator[bytes]:
        self.stats.requests += 1
        response = self.session.get(url, timeout=self.timeout, stream=True)
        if response.status_code != 200:
            response.close()
            raise tuf_errors.DownloadHTTPError(f"HTTP {response.status_code} for {url}", response.status_code)

        def chunks() -> Iterator[bytes]:
            with response:
                for chunk in response.iter_content(CHUNK):
                    self.stats.bytes += len(chunk)
                    yield chunk

        return chunks()


# -- what a refusal means ---------------------------------------------------------------------------

ATTACKS: dict[str, tuple[str, str]] = {
    "endless-data": ("无尽数据攻击（文件超过上限）", "endless data (a file larger than allowed)"),
    "freeze": ("冻结攻击（元数据已过期）", "freeze attack (expired metadata)"),
    "untrusted-key": ("不受信任的签名（密钥不在受信任的 root 中）", "signature by a key not in the trusted root"),
    "mix-and-match": ("混合匹配攻击（元数据之间哈希或版本不符）",
                      "mix-and-match (metadata hashes or versions disagree)"),
    "arbitrary-registry": ("任意注册表（文件与签名的哈希不符）",
                           "arbitrary registry (a file does not match its signed hash)"),
    "rollback": ("回滚攻击（比已信任的版本旧）", "rollback attack (older than the version already trusted)"),
    "invalid": ("无效的元数据", "invalid metadata"),
    "unavailable": ("无法获取", "unavailable"),
}


def classify(exc: BaseException, *, target_phase: bool) -> str:
    """The attack (or plain failure) that ngclient's exception stands for."""
    message = str(exc)
    if isinstance(exc, tuf_errors.DownloadLengthMismatchError):
        # A target's signed length is exact: more bytes than that is a different file, cut off where it went
        # wrong. A metadata file over its ceiling is endless data.
        return "arbitrary-registry" if target_phase else "endless-data"
    if isinstance(exc, tuf_errors.ExpiredMetadataError):
        return "freeze"
    if isinstance(exc, tuf_errors.UnsignedMetadataError):
        return "untrusted-key"
    if isinstance(exc, tuf_errors.LengthOrHashMismatchError):
        return "arbitrary-registry" if target_phase else "mix-and-match"
    if isinstance(exc, tuf_errors.BadVersionNumberError):
        # "New timestamp version 1 must be >= 2", "Expected targets.json version 1, got 2" (snapshot meta going
        # backwards) are rollbacks; "Expected snapshot version 3, got 2" (a file other than the one signed
        # for) is mix-and-match.
        return "rollback" if "must be >=" in message or ".json version" in message else "mix-and-match"
    if isinstance(exc, tuf_errors.RepositoryError):
        return "invalid"
    return "unavailable"


def describe(source: str, kind: str, exc: BaseException) -> str:
    zh, en = ATTACKS[kind]
    detail = str(exc) or type(exc).__name__
    if exc.__cause__ is not None:
        detail += f" ({type(exc.__cause__).__name__})"
    if kind in ("unavailable", "invalid"):
        return f"{source}：{zh}：{detail} / {source}: {en}: {detail}"
    return f"已拒绝来自 {source} 的{zh} / refused {en} from {source}: {detail}"


# -- refreshing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrustedSource:
    name: str
    base_url: str
    """The folder that holds ``registry.json``, ``revoked.json`` and ``metadata/``."""


@dataclass(frozen=True)
class Attempt:
    source: str
    ok: bool
    kind: str
    """``ok`` or a key of :data:`ATTACKS`."""
    detail: str
    seconds: float


@dataclass(frozen=True)
class VerifiedRefresh:
    source: str
    downloaded: tuple[str, ...]
    """Targets fetched this time; empty when the local copies were still the signed ones."""
    root_version: int
    timestamp_version: int
    attempts: tuple[Attempt, ...]
    stats: FetchStats


class TrustedRegistry:
    """The verified copies of the targets under ``cache_dir``, refreshed from the first source that verifies."""

    def __init__(self, trusted_root: bytes, cache_dir: Path, *, session: requests.Session | None = None,
                 timeout: float = 5.0) -> None:
        self.trusted_root = trusted_root
        self.metadata_dir = cache_dir / "metadata"
        self.targets_dir = cache_dir / "targets"
        self.http_cache_path = cache_dir / "http-cache.json"
        self.session = session or requests.Session()
        self.timeout = timeout

    def target_path(self, name: str) -> Path:
        return self.targets_dir / name

    def read_target(self, name: str) -> bytes | None:
        """A target as last verified (``None`` before the first successful refresh)."""
        try:
            return self.target_path(name).read_bytes()
        except FileNotFoundError:
            return None

    def refresh(self, sources: Sequence[TrustedSource]) -> VerifiedRefresh:
        self.metadata_dir.mkdir(parents=True, exist_ok=True)
        self.targets_dir.mkdir(parents=True, exist_ok=True)
        cache = _HttpCache.load(self.http_cache_path)
        attempts: list[Attempt] = []
        stats = FetchStats()
        try:
            for source in sources:
                fetcher = ConditionalFetcher(self.session, cache, timeout=self.timeout)
                try:
                    result = self._refresh_from(source, fetcher, attempts)
                except VerificationError:
                    continue
                finally:
                    stats.requests += fetcher.stats.requests
                    stats.not_modified += fetcher.stats.not_modified
                    stats.bytes += fetcher.stats.bytes
                return VerifiedRefresh(result[0], result[1], result[2], result[3], tuple(attempts), stats)
        finally:
            cache.save()
        raise VerificationError("; ".join(a.detail for a in attempts) if attempts else
                                "没有配置任何源 / no source configured", attempts)

    def _refresh_from(self, source: TrustedSource, fetcher: ConditionalFetcher,
                      attempts: list[Attempt]) -> tuple[str, tuple[str, ...], int, int]:
        base = source.base_url.rstrip("/") + "/"
        started = time.monotonic()
        target_phase = False
        try:
            updater = Updater(str(self.metadata_dir), base + "metadata/", str(self.targets_dir), base,
                              fetcher=fetcher, config=UPDATER_CONFIG, bootstrap=self.trusted_root)
            updater.refresh()
            target_phase = True
            downloaded = []
            for name in TARGET_FILES:
                info = updater.get_targetinfo(name)
                if info is None:
                    raise tuf_errors.RepositoryError(f"targets.json does not list {name}")
                path = str(self.target_path(name))
                if updater.find_cached_target(info, path) is None:
                    # Downloaded to a temporary file, checked against the signed length and hash, then
                    # written: a copy that fails never replaces the verified one.
                    updater.download_target(info, path)
                    downloaded.append(name)
        except (tuf_errors.RepositoryError, tuf_errors.DownloadError, OSError, ValueError) as exc:
            kind = classify(exc, target_phase=target_phase)
            attempts.append(Attempt(source.name, False, kind, describe(source.name, kind, exc),
                                    time.monotonic() - started))
            raise VerificationError(kind) from exc
        attempts.append(Attempt(source.name, True, "ok", "verified", time.monotonic() - started))
        return source.name, tuple(downloaded), self._version("root"), self._version("timestamp")

    def _version(self, role: str) -> int:
        """The version of the trusted (just verified) ``role`` in the local store."""
        signed = json.loads((self.metadata_dir / f"{role}.json").read_bytes())["signed"]
        return int(signed["version"])


def load_json_target(data: bytes | None) -> Any:
    return None if data is None else json.loads(data.decode("utf-8"))
