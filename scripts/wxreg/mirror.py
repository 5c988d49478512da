"""Mirror the registry repository from GitHub to Gitee, then prove both hosts serve the same bytes.

Only ``refs/heads/*`` and ``refs/tags/*`` are pushed: GitHub's ``refs/pull/*`` are refused by
other hosts, so ``--mirror`` would fail. The token travels in an HTTP header set through git's
environment configuration: never in a URL, a log line, ``.git/config`` or the process list.
"""

from __future__ import annotations

import base64
import os
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import requests

GIT_TIMEOUT_SECONDS = 300
MIRRORED_REF_PREFIXES = ("refs/heads/", "refs/tags/")


class MirrorError(Exception):
    """The mirror is not in step with the source; the message says what differs.

    ``refused``: the host refused our credentials or our access (a wrong token, no write access). Trying again
    cannot help and only adds failed logins against the account, so such a push is not retried."""

    def __init__(self, message: str, *, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


@dataclass(frozen=True)
class MirrorTarget:
    push_url: str
    """Plain ``https://host/owner/repo.git``: no credentials in it."""
    username: str
    token: str = field(repr=False)


@dataclass(frozen=True)
class MirrorReport:
    source_refs: Mapping[str, str]
    target_refs: Mapping[str, str]
    push_attempts: int
    raw_checks: int
    raw_bytes: int

    def summary_markdown(self) -> str:
        lines = [
            "## 镜像到 Gitee / Mirror to Gitee",
            "",
            f"- 引用 / refs: {len(self.source_refs)} (heads + tags), 推送尝试 / push attempts: {self.push_attempts}",
            f"- registry.json 两端一致 / identical on both hosts: {self.raw_bytes} bytes "
            f"(检查 {self.raw_checks} 次 / {self.raw_checks} checks)",
            "",
            "| ref | commit |",
            "| --- | --- |",
            *(f"| `{ref}` | `{sha}` |" for ref, sha in sorted(self.source_refs.items())),
        ]
        return "\n".join(lines) + "\n"


class _Redactor:
    def __init__(self, *secrets: str) -> None:
        self.secrets = [secret for secret in secrets if secret]

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


def _auth_env(target: MirrorTarget) -> dict[str, str]:
    credentials = base64.b64encode(f"{target.username}:{target.token}".encode()).decode("ascii")
    env = dict(os.environ)
    # GIT_CONFIG_* entries reach git as configuration without touching any file or argv.
    env.update(
        {
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "",
            "GIT_CONFIG_COUNT": "2",
            "GIT_CONFIG_KEY_0": "http.extraHeader",
            "GIT_CONFIG_VALUE_0": f"Authorization: Basic {credentials}",
            "GIT_CONFIG_KEY_1": "credential.helper",
            "GIT_CONFIG_VALUE_1": "",
        }
    )
    return env


def _run_git(args: list[str], *, env: Mapping[str, str] | None, redact: _Redactor, cwd: Path | None = None) -> str:
    completed = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env=dict(env) if env is not None else None,
        capture_output=True,
        text=True,
        timeout=GIT_TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0:
        detail = completed.stderr.strip()
        hint = ""
        if "could not read Username" in detail or "Authentication failed" in detail:
            hint = (
                "\n认证失败：请检查 Gitee 用户名与令牌（仓库 secret GITEE_TOKEN）/ authentication failed: "
                "check the Gitee user name and token (repository secret GITEE_TOKEN)"
            )
        elif "403" in detail or "permission" in detail.lower():
            hint = (
                "\n权限不足：该 Gitee 用户需要对镜像仓库有写权限 / permission denied: the Gitee user needs write "
                "access to the mirror repository"
            )
        raise MirrorError(redact(f"git {args[0]} 失败 / failed ({completed.returncode}): {detail}{hint}"),
                          refused=bool(hint))
    return completed.stdout


def list_refs(url: str, *, env: Mapping[str, str] | None = None, redact: _Redactor | None = None) -> dict[str, str]:
    """``ls-remote`` of the heads and tags only (peeled ``^{}`` lines left out)."""
    out = _run_git(["ls-remote", url], env=env, redact=redact or _Redactor())
    refs: dict[str, str] = {}
    for line in out.splitlines():
        sha, _, ref = line.partition("\t")
        if ref.startswith(MIRRORED_REF_PREFIXES) and not ref.endswith("^{}"):
            refs[ref] = sha
    return refs


def push_mirror(
    source_url: str,
    target: MirrorTarget,
    *,
    attempts: int = 4,
    backoff_seconds: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[dict[str, str], dict[str, str], int]:
    """Copy heads and tags of ``source_url`` to the target; returns (source refs, target refs, tries)."""
    env = _auth_env(target)
    # Hide the token and its base64 form (the header value) from every message.
    redact = _Redactor(target.token, env["GIT_CONFIG_VALUE_0"].split(" ")[-1])
    with tempfile.TemporaryDirectory(prefix="wxreg-mirror-") as temp:
        bare = Path(temp) / "source.git"
        # A bare clone maps refs/heads/* and refs/tags/* only: GitHub's refs/pull/* never come along.
        _run_git(["clone", "--bare", "--quiet", "--no-tags", source_url, str(bare)], env=None, redact=redact)
        _run_git(["fetch", "--quiet", "origin", "+refs/tags/*:refs/tags/*"], env=None, redact=redact, cwd=bare)
        source_refs = list_refs(str(bare))
        last_error: MirrorError | None = None
        for attempt in range(1, attempts + 1):
            try:
                _run_git(
                    [
                        "push",
                        "--quiet",
                        "--force",
                        "--prune",
                        target.push_url,
                        "+refs/heads/*:refs/heads/*",
                        "+refs/tags/*:refs/tags/*",
                    ],
                    env=env,
                    redact=redact,
                    cwd=bare,
                )
                target_refs = list_refs(target.push_url, env=env, redact=redact)
            except MirrorError as exc:
                if exc.refused:
                    raise MirrorError(f"推送被拒绝，重试无用，未再尝试 / the push was refused; not retried: {exc}",
                                      refused=True) from exc
                last_error = exc
                if attempt < attempts:
                    sleep(backoff_seconds * 2 ** (attempt - 1))
                continue
            if target_refs != source_refs:
                differing = sorted(set(source_refs.items()) ^ set(target_refs.items()))
                raise MirrorError(
                    f"推送后镜像与源不一致 / the mirror differs from the source after pushing: {differing}"
                )
            return source_refs, target_refs, attempt
        raise MirrorError(f"{attempts} 次推送均失败 / all {attempts} pushes failed: {last_error}")


def compare_raw(
    primary_url: str,
    mirror_url: str,
    *,
    attempts: int = 6,
    delay_seconds: float = 5.0,
    timeout: float = 20.0,
    session: requests.Session | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[int, int]:
    """Fetch one file from both hosts until the bytes agree (the mirror may lag); (checks, size)."""
    http = session or requests.Session()
    detail = ""
    for check in range(1, attempts + 1):
        try:
            primary = http.get(primary_url, timeout=timeout)
            mirror = http.get(mirror_url, timeout=timeout)
            if primary.status_code == 200 and mirror.status_code == 200 and primary.content == mirror.content:
                return check, len(primary.content)
            detail = (
                f"primary HTTP {primary.status_code} ({len(primary.content)} B), "
                f"mirror HTTP {mirror.status_code} ({len(mirror.content)} B)"
            )
        except requests.RequestException as exc:
            detail = f"{type(exc).__name__}: {exc}"
        if check < attempts:
            sleep(delay_seconds)
    raise MirrorError(f"两端 registry.json 不一致 / registry.json differs between the hosts: {detail}")


def mirror_registry(
    source_url: str,
    target: MirrorTarget,
    primary_raw_url: str,
    mirror_raw_url: str,
    *,
    push_attempts: int = 4,
    backoff_seconds: float = 2.0,
    raw_attempts: int = 6,
    raw_delay_seconds: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
) -> MirrorReport:
    source_refs, target_refs, tries = push_mirror(
        source_url, target, attempts=push_attempts, backoff_seconds=backoff_seconds, sleep=sleep
    )
    checks, size = compare_raw(
        primary_raw_url, mirror_raw_url, attempts=raw_attempts, delay_seconds=raw_delay_seconds, sleep=sleep
    )
    return MirrorReport(source_refs, target_refs, tries, checks, size)
