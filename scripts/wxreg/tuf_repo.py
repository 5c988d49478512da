"""The registry's TUF repository: ``registry/metadata/`` beside ``registry.json``, built and signed with
python-tuf's metadata API.

Roles and keys (see SECURITY.md, *Signed registry*):

- ``root`` lists every key and threshold. Its keys are offline (maintainers'); each version is kept as
  ``N.root.json`` (clients walk the chain to rotate) and the newest is copied to ``root.json``, which is
  the trusted root a client ships.
- ``targets`` pins ``registry.json`` and ``revoked.json`` (length + sha256); ``snapshot`` pins
  ``targets.json``; ``timestamp`` pins ``snapshot.json`` and lives one day. All three are signed by one
  online key, an Actions secret (``TUF_ONLINE_KEY``) of the signing job.

Signing is deterministic: ed25519 signatures are, expiry dates come from the ``now`` given, and the bytes
are python-tuf's sorted, indented JSON. The same inputs give the same files.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from securesystemslib.signer import CryptoSigner, Signer
from tuf.api.metadata import (
    Metadata,
    MetaFile,
    Role,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

METADATA_DIR = Path("registry") / "metadata"
TARGETS_DIR = Path("registry")
TARGET_FILES = ("registry.json", "revoked.json")
"""Paths under ``registry/`` that clients verify; served beside the metadata on every host."""
ONLINE_ROLES = (Targets.type, Snapshot.type, Timestamp.type)
ONLINE_KEY_ENV = "TUF_ONLINE_KEY"
KEY_PREFIX = "ed25519:"

LIFETIME = {
    Root.type: timedelta(days=365),
    Targets.type: timedelta(days=90),
    Snapshot.type: timedelta(days=30),
    Timestamp.type: timedelta(days=1),
}
RENEW_BEFORE = {
    Root.type: timedelta(days=60),
    Targets.type: timedelta(days=30),
    Snapshot.type: timedelta(days=10),
    Timestamp.type: timedelta(hours=12),
}
"""A role whose expiry is nearer than this is re-signed by the next ``sign`` (the scheduled job runs every
three hours, so a timestamp is renewed about every twelve hours and never lapses unless signing stops)."""

_SERIALIZER = JSONSerializer(compact=False)


class TufRepoError(Exception):
    """The metadata cannot be signed as asked; the message is bilingual and says what to do."""


# -- keys ------------------------------------------------------------------------------------------


def generate_key() -> CryptoSigner:
    return CryptoSigner(Ed25519PrivateKey.generate())


def key_to_text(signer: CryptoSigner) -> str:
    """One line (a GitHub secret keeps it intact): ``ed25519:`` + the 32-byte private seed in hex."""
    private = Ed25519PrivateKey.from_private_bytes(_seed_of(signer))
    return KEY_PREFIX + private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()


def _seed_of(signer: CryptoSigner) -> bytes:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = load_pem_private_key(signer.private_bytes, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise TufRepoError("只支持 ed25519 密钥 / only ed25519 keys are supported")
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def key_from_text(text: str) -> CryptoSigner:
    value = text.strip()
    if not value.startswith(KEY_PREFIX):
        raise TufRepoError(f"密钥应以 {KEY_PREFIX} 开头 / a key must start with {KEY_PREFIX}")
    try:
        seed = bytes.fromhex(value.removeprefix(KEY_PREFIX))
        return CryptoSigner(Ed25519PrivateKey.from_private_bytes(seed))
    except ValueError as exc:
        raise TufRepoError("密钥不是 32 字节的十六进制 / the key is not 32 bytes of hex") from exc


def write_key(path: Path, signer: CryptoSigner) -> None:
    """A private key file readable by its owner only; never overwrites one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key_to_text(signer) + "\n")


def load_keys(directories: Iterable[Path], pattern: str = "*.key") -> list[CryptoSigner]:
    """The keys in the files matching ``pattern`` in the directories (sorted by name)."""
    return [key_from_text(path.read_text("ascii")) for directory in directories
            for path in sorted(Path(directory).glob(pattern))]


def online_key_from_env() -> CryptoSigner:
    value = os.environ.get(ONLINE_KEY_ENV, "")
    if not value:
        raise TufRepoError(f"缺少 {ONLINE_KEY_ENV}（签名环境的 secret）/ {ONLINE_KEY_ENV} is not set "
                           "(the signing environment's secret)")
    return key_from_text(value)


# -- the repository --------------------------------------------------------------------------------


def _utc(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(microsecond=0)


def _meta_file(version: int, data: bytes) -> MetaFile:
    return MetaFile(version=version, length=len(data), hashes={"sha256": hashlib.sha256(data).hexdigest()})


@dataclass(frozen=True)
class RoleStatus:
    role: str
    version: int
    expires: datetime


class TufRepository:
    """``registry/metadata`` of the checkout at ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.metadata_dir = self.root / METADATA_DIR

    @property
    def initialised(self) -> bool:
        return (self.metadata_dir / "root.json").is_file()

    def path(self, role: str) -> Path:
        return self.metadata_dir / f"{role}.json"

    def load(self, role: str) -> Metadata[Any]:
        try:
            return Metadata.from_bytes(self.path(role).read_bytes())
        except FileNotFoundError as exc:
            raise TufRepoError(f"缺少 {METADATA_DIR}/{role}.json，请先运行 wxreg tuf init / "
                               f"{METADATA_DIR}/{role}.json is missing: run `wxreg tuf init` first") from exc

    def _write(self, metadata: Metadata[Any]) -> bytes:
        data = metadata.to_bytes(_SERIALIZER) + b"\n"
        self.metadata_dir.mkdir(parents=True, exist_ok=True)
        role = metadata.signed.type
        if role == Root.type:
            (self.metadata_dir / f"{metadata.signed.version}.root.json").write_bytes(data)
        self.path(role).write_bytes(data)
        return data

    def target_bytes(self, name: str) -> bytes:
        path = self.root / TARGETS_DIR / name
        try:
            return path.read_bytes()
        except FileNotFoundError as exc:
            raise TufRepoError(f"缺少 registry/{name} / registry/{name} is missing") from exc

    def status(self) -> list[RoleStatus]:
        return [RoleStatus(role, (md := self.load(role)).signed.version, md.signed.expires)
                for role in (Root.type, *ONLINE_ROLES)]

    # -- init and rotation -------------------------------------------------------------------------

    def init(self, root_signers: Sequence[Signer], threshold: int, online: Signer, now: datetime) -> None:
        if self.initialised:
            raise TufRepoError(f"{METADATA_DIR} 已存在；换密钥请用 wxreg tuf rotate-root / {METADATA_DIR} exists: "
                               "use `wxreg tuf rotate-root` to change keys")
        if not 1 <= threshold <= len(root_signers):
            raise TufRepoError(f"阈值须在 1 到 {len(root_signers)} 之间 / threshold must be 1..{len(root_signers)}")
        now = _utc(now)
        root = Metadata(Root(expires=now + LIFETIME[Root.type], consistent_snapshot=False))
        self._set_keys(root.signed, root_signers, threshold, online)
        for signer in root_signers:
            root.sign(signer, append=True)
        self._write(root)
        self._sign_online(online, now, force=True)

    @staticmethod
    def _set_keys(root: Root, root_signers: Sequence[Signer], threshold: int, online: Signer) -> None:
        for role in list(root.roles):
            root.roles[role] = Role([], 1)
        root.keys.clear()
        for signer in root_signers:
            root.add_key(signer.public_key, Root.type)
        root.roles[Root.type].threshold = threshold
        for role in ONLINE_ROLES:
            root.add_key(online.public_key, role)

    def rotate_root(self, old_signers: Sequence[Signer], new_signers: Sequence[Signer], threshold: int,
                    online: Signer, now: datetime) -> int:
        """Write root N+1 (new root keys, threshold and online key), signed by a threshold of the old root keys
        and of the new ones, then re-sign targets, snapshot and timestamp with ``online``. Returns N+1."""
        now = _utc(now)
        current = self.load(Root.type)
        old_role = current.signed.roles[Root.type]
        usable = [s for s in old_signers if s.public_key.keyid in old_role.keyids]
        if len({s.public_key.keyid for s in usable}) < old_role.threshold:
            raise TufRepoError(f"需要至少 {old_role.threshold} 把当前 root 密钥 / at least {old_role.threshold} "
                               "of the current root keys are needed to sign the new root")
        if not 1 <= threshold <= len(new_signers):
            raise TufRepoError(f"阈值须在 1 到 {len(new_signers)} 之间 / threshold must be 1..{len(new_signers)}")
        root = Metadata(Root(version=current.signed.version + 1, expires=now + LIFETIME[Root.type],
                             consistent_snapshot=False))
        self._set_keys(root.signed, new_signers, threshold, online)
        signed: set[str] = set()
        for signer in [*usable, *new_signers]:
            if signer.public_key.keyid not in signed:
                root.sign(signer, append=True)
                signed.add(signer.public_key.keyid)
        self._write(root)
        # Every rotation moves the timestamp too: a client that sees timestamp.json unchanged (304) may
        # then skip asking for N+1.root.json (see wxreg.trust.ConditionalFetcher).
        self._sign_online(online, now, force=True)
        return int(root.signed.version)

    # -- online signing ----------------------------------------------------------------------------

    def sign(self, online: Signer, now: datetime, *, force_timestamp: bool = False) -> list[str]:
        """Re-sign whatever is due: targets when a target file changed, each role near its expiry or signed by
        a key the root no longer lists. Returns the roles written (empty: nothing was due)."""
        root = self.load(Root.type).signed
        for role in ONLINE_ROLES:
            if online.public_key.keyid not in root.roles[role].keyids:
                raise TufRepoError(
                    f"{ONLINE_KEY_ENV} 不是 root 为 {role} 列出的密钥（已轮换？）/ the online key is not the one "
                    f"root lists for {role} (rotated? update the secret)")
        return self._sign_online(online, _utc(now), force=force_timestamp)

    def _due(self, metadata: Metadata[Any], now: datetime) -> bool:
        role = metadata.signed.type
        keyids = self.load(Root.type).signed.roles[role].keyids
        return metadata.signed.expires - RENEW_BEFORE[role] <= now or set(metadata.signatures) != set(keyids)

    def _load_or_none(self, role: str) -> Metadata[Any] | None:
        return self.load(role) if self.path(role).is_file() else None

    def _sign_online(self, online: Signer, now: datetime, *, force: bool) -> list[str]:
        written: list[str] = []
        targets = self._load_or_none(Targets.type)
        wanted = {name: TargetFile.from_data(name, self.target_bytes(name), ["sha256"]) for name in TARGET_FILES}
        if targets is None or targets.signed.targets != wanted or self._due(targets, now):
            version = 1 if targets is None else targets.signed.version + 1
            targets = Metadata(Targets(version=version, expires=now + LIFETIME[Targets.type], targets=wanted))
            written.append(Targets.type)
        targets_bytes = self._finish(targets, online, Targets.type in written)

        snapshot = self._load_or_none(Snapshot.type)
        if snapshot is None or written or self._due(snapshot, now):
            version = 1 if snapshot is None else snapshot.signed.version + 1
            meta = {"targets.json": _meta_file(targets.signed.version, targets_bytes)}
            snapshot = Metadata(Snapshot(version=version, expires=now + LIFETIME[Snapshot.type], meta=meta))
            written.append(Snapshot.type)
        snapshot_bytes = self._finish(snapshot, online, Snapshot.type in written)

        timestamp = self._load_or_none(Timestamp.type)
        if timestamp is None or written or force or self._due(timestamp, now):
            version = 1 if timestamp is None else timestamp.signed.version + 1
            timestamp = Metadata(Timestamp(version=version, expires=now + LIFETIME[Timestamp.type],
                                           snapshot_meta=_meta_file(snapshot.signed.version, snapshot_bytes)))
            written.append(Timestamp.type)
            self._finish(timestamp, online, True)
        return written

    def _finish(self, metadata: Metadata[Any], online: Signer, changed: bool) -> bytes:
        if not changed:
            return self.path(metadata.signed.type).read_bytes()
        metadata.sign(online)
        return self._write(metadata)

    def written_paths(self, roles: Iterable[str]) -> list[str]:
        """Repository paths of the files that ``roles`` were written to (POSIX), root versions included."""
        paths = [f"{METADATA_DIR.as_posix()}/{role}.json" for role in roles]
        if Root.type in roles:
            paths.append(f"{METADATA_DIR.as_posix()}/{self.load(Root.type).signed.version}.root.json")
        return sorted(paths)
