"""Reading a plugin at a tag, without ever executing it.

One small interface, :class:`PluginSource`, with two implementations:

* :class:`LocalGitSource` reads a local repository through git plumbing only (``rev-parse``,
  ``ls-tree``, ``cat-file --batch``): no checkout, no hooks, no filters, nothing of the plugin runs;
* :class:`CloneSource` makes a safe shallow bare clone of an allowed URL (flags in SECURITY.md §3.5) into a
  temporary directory and then reads it like a local repository.

Both return a :class:`PluginTree`: the regular files (within the policy's limits), the resolved commit,
the content digest, and findings for everything that was not read (links, submodules, big files).
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Protocol
from urllib.parse import urlsplit

from wxreg.digest import dirhash
from wxreg.gittree import cat_file_request, parse_cat_file_batch, parse_ls_tree
from wxreg.review import rules
from wxreg.review.code import CodeIndex, is_code_path
from wxreg.review.findings import Finding
from wxreg.review.policy import Limits

SHA = re.compile(r"^[0-9a-f]{40}$")
TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$")
REPO_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
LFS_POINTER = b"version https://git-lfs.github.com/spec/"

# Configuration that makes git on an untrusted repository inert: nothing from the repository's own
# config may start a program, no global or system config, no prompts, no LFS downloads.
_SAFE_CONFIG = (
    "-c", "core.fsmonitor=false",
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.pager=cat",
    "-c", "protocol.file.allow=never",
    "-c", "protocol.ext.allow=never",
    "-c", "transfer.fsckObjects=true",
)  # fmt: skip


def git_env() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/nonexistent"),
        "LANG": "C.UTF-8",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_LFS_SKIP_SMUDGE": "1",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_ASKPASS": "/bin/false",
        "SSH_ASKPASS": "/bin/false",
        "GIT_NO_REPLACE_OBJECTS": "1",
    }


class SourceError(Exception):
    """The plugin could not be read at all (git missing, a timeout, a network failure ...).

    ``finding`` says why, for the report; the CLI maps an error without a tree to exit status 2
    only when the cause is ours (``ours=True``), and to a failed review when it is the author's.
    """

    def __init__(self, finding: Finding, *, ours: bool = False) -> None:
        super().__init__(finding.message)
        self.finding = finding
        self.ours = ours


@dataclass(frozen=True)
class TreeFile:
    path: str
    mode: str
    data: bytes

    @property
    def executable(self) -> bool:
        return self.mode == "100755"

    def text(self) -> str | None:
        try:
            return self.data.decode("utf-8")
        except UnicodeDecodeError:
            return None


@dataclass(frozen=True)
class PluginTree:
    repo: str
    tag: str
    commit: str | None
    digest: str | None
    """``h1:`` content digest of every regular file, or ``None`` when the tree could not be read whole."""
    files: tuple[TreeFile, ...] = ()
    findings: tuple[Finding, ...] = ()
    _index: Mapping[str, TreeFile] = field(default_factory=dict, repr=False, compare=False)
    _code: list[CodeIndex] = field(default_factory=list, repr=False, compare=False)
    _code_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {f.path: f for f in self.files})

    @property
    def code(self) -> CodeIndex:
        """Every code file, decoded as CPython would and parsed once (see :mod:`wxreg.review.code`)."""
        with self._code_lock:
            if not self._code:
                self._code.append(CodeIndex.build((f.path, f.data) for f in self.files))
            return self._code[0]

    def get(self, path: str) -> TreeFile | None:
        return self._index.get(path)

    def text(self, path: str) -> str | None:
        found = self.get(path)
        return found.text() if found else None

    def python_files(self) -> Iterator[TreeFile]:
        """Code files by case-insensitive extension or Python ``#!`` line (see :mod:`wxreg.review.code`)."""
        return (f for f in self.files if is_code_path(f.path, f.data))

    def materialise(self, root: Path, *, only_python: bool = False) -> None:
        """Write the regular files below ``root`` (plain files only: nothing is linked or made executable)."""
        for item in self.files:
            if only_python and not is_code_path(item.path, item.data):
                continue
            target = root.joinpath(*PurePosixPath(item.path).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(item.data)


class PluginSource(Protocol):
    """Reads a plugin repository at a tag."""

    def read(self, tag: str, *, expected_commit: str | None = None) -> PluginTree:
        """The tree of ``tag``; findings (never exceptions) for what the author got wrong.

        Raises :class:`SourceError` when nothing could be read.
        """
        ...


def safe_path(path: str) -> bool:
    parts = path.split("/")
    return (
        bool(path)
        and not path.startswith("/")
        and "\\" not in path
        and all(part not in ("", ".", "..") and part.lower() != ".git" for part in parts)
        and all(ch.isprintable() for ch in path)
    )


def _run_git(args: list[str], *, timeout: float, stdin: bytes | None = None, cwd: Path | None = None) -> bytes:
    try:
        done = subprocess.run(
            ["git", *_SAFE_CONFIG, *args],
            input=stdin,
            capture_output=True,
            timeout=timeout,
            env=git_env(),
            cwd=cwd,
            check=False,
        )
    except FileNotFoundError as exc:
        raise SourceError(rules.G009.at(detail="git 不可用 / git is not installed"), ours=True) from exc
    except subprocess.TimeoutExpired as exc:
        raise SourceError(rules.G009.at(detail=f"git 超时 / git timed out after {timeout:.0f}s")) from exc
    if done.returncode != 0:
        raise _GitFailed(done.stderr.decode("utf-8", "replace").strip()[-500:])
    return done.stdout


class _GitFailed(Exception):
    pass


@dataclass(frozen=True)
class LocalGitSource:
    """A repository on this machine (the author's working copy, or our own bare clone)."""

    git_dir: Path
    display: str = ""
    limits: Limits = field(default_factory=Limits)

    def _git(self, *args: str, stdin: bytes | None = None) -> bytes:
        return _run_git(["-C", str(self.git_dir), *args], timeout=self.limits.git_timeout_seconds, stdin=stdin)

    def resolve(self, tag: str) -> str | None:
        """The commit ``refs/tags/<tag>`` points at (peeling annotated tags), or ``None``."""
        if not TAG.match(tag) or ".." in tag or tag.endswith(".lock"):
            return None
        try:
            out = self._git("rev-parse", "--verify", "--quiet", "--end-of-options", f"refs/tags/{tag}^{{commit}}")
        except _GitFailed:
            return None
        sha = out.decode("ascii", "replace").strip()
        return sha if SHA.match(sha) else None

    def read(self, tag: str, *, expected_commit: str | None = None) -> PluginTree:
        display = self.display or str(self.git_dir)
        if not (self.git_dir / ".git").exists() and not (self.git_dir / "HEAD").exists():
            raise SourceError(rules.G009.at(detail=f"不是 git 仓库 / not a git repository: {display}"))
        commit = self.resolve(tag)
        if commit is None:
            return PluginTree(display, tag, None, None, findings=(rules.G002.at(tag=tag),))
        findings: list[Finding] = []
        if expected_commit and expected_commit != commit:
            findings.append(rules.G003.at(tag=tag, expected=expected_commit, actual=commit))
        try:
            listing = self._git("ls-tree", "-r", "-l", "-z", "--full-tree", commit)
        except _GitFailed as exc:
            raise SourceError(rules.G009.at(detail=str(exc))) from exc
        wanted: list[tuple[str, str, str]] = []  # (path, mode, sha)
        links: list[tuple[str, str]] = []
        total = 0
        count = 0
        complete = True
        for entry in parse_ls_tree(listing):
            mode, kind, sha, raw_name = entry.mode, entry.kind, entry.sha, entry.raw_name
            try:
                name = raw_name.decode("utf-8")
            except UnicodeDecodeError:
                findings.append(rules.G010.at(path=raw_name.decode("utf-8", "replace")))
                complete = False
                continue
            if not safe_path(name):
                findings.append(rules.G010.at(name))
                complete = False
                continue
            if kind == "commit":
                findings.append(rules.G005.at(name))
                continue
            if mode == "120000":
                links.append((name, sha))
                continue
            if kind != "blob":
                continue
            count += 1
            size = entry.size or 0
            if size > self.limits.max_file_bytes:
                findings.append(rules.G007.at(name, size=size, limit=self.limits.max_file_bytes))
                complete = False
                continue
            total += size
            wanted.append((name, mode, sha))
        if count > self.limits.max_files:
            findings.append(rules.G006.at(limit=self.limits.max_files, count=count))
            return PluginTree(display, tag, commit, None, findings=tuple(findings))
        if total > self.limits.max_total_bytes:
            findings.append(rules.G008.at(size=total, limit=self.limits.max_total_bytes))
            return PluginTree(display, tag, commit, None, findings=tuple(findings))
        blobs = self._cat([sha for _, _, sha in wanted] + [sha for _, sha in links])
        files: list[TreeFile] = []
        for name, mode, sha in wanted:
            data = blobs[sha]
            if data.startswith(LFS_POINTER):
                findings.append(rules.G013.at(name))
            files.append(TreeFile(name, mode, data))
        for name, sha in links:
            target = blobs[sha].decode("utf-8", "replace")
            findings.append(rules.G004.at(name, target=target))
        digest = dirhash((f.path, f.data) for f in files) if complete else None
        return PluginTree(display, tag, commit, digest, tuple(files), tuple(findings))

    def _cat(self, shas: list[str]) -> dict[str, bytes]:
        unique = sorted(set(shas))
        if not unique:
            return {}
        try:
            out = self._git("cat-file", "--batch", stdin=cat_file_request(unique))
        except _GitFailed as exc:
            raise SourceError(rules.G009.at(detail=str(exc))) from exc
        try:
            return parse_cat_file_batch(out, unique)
        except KeyError as exc:
            raise SourceError(rules.G009.at(detail=f"missing object {exc.args[0]}")) from exc


def check_url(url: str, allowed_prefixes: tuple[str, ...]) -> str | None:
    """The URL normalised to ``<prefix><owner>/<repo>`` when allowed, else ``None``.

    Allowed means: it starts with one of the configured prefixes (``https://github.com/`` by
    default), and the rest is exactly ``<owner>/<repo>`` (optionally ``.git`` or a trailing ``/``):
    no credentials, query, fragment, extra path, or odd characters.
    """
    if not isinstance(url, str) or any(ch.isspace() for ch in url) or len(url) > 300:
        return None
    parts = urlsplit(url)
    if parts.username or parts.password or parts.query or parts.fragment or "@" in parts.netloc:
        return None
    for prefix in allowed_prefixes:
        base = prefix if prefix.endswith("/") else prefix + "/"
        if not url.startswith(base):
            continue
        rest = url[len(base) :].rstrip("/")
        rest = rest[:-4] if rest.endswith(".git") else rest
        pieces = rest.split("/")
        if len(pieces) == 2 and all(REPO_PART.match(p) and p not in (".", "..") for p in pieces):
            return base + rest
    return None


@dataclass(frozen=True)
class CloneSource:
    """An allowed remote URL, cloned shallow and bare into a temporary directory."""

    url: str
    allowed_prefixes: tuple[str, ...] = ("https://github.com/",)
    limits: Limits = field(default_factory=Limits)

    def remote_tag_commit(self, tag: str) -> str | None:
        """What the remote says the tag points at (peeled), without cloning."""
        url = self._checked_url()
        try:
            out = _run_git(
                ["ls-remote", "--tags", "--end-of-options", url, f"refs/tags/{tag}", f"refs/tags/{tag}^{{}}"],
                timeout=self.limits.git_timeout_seconds,
            )
        except _GitFailed as exc:
            raise SourceError(rules.G009.at(detail=str(exc))) from exc
        refs: dict[str, str] = {}
        for line in out.decode("utf-8", "replace").splitlines():
            sha, _, ref = line.partition("\t")
            refs[ref] = sha
        return refs.get(f"refs/tags/{tag}^{{}}") or refs.get(f"refs/tags/{tag}")

    def _checked_url(self) -> str:
        normalised = check_url(self.url, self.allowed_prefixes)
        if normalised is None:
            raise SourceError(rules.G001.at(url=self.url))
        return normalised

    def read(self, tag: str, *, expected_commit: str | None = None) -> PluginTree:
        url = check_url(self.url, self.allowed_prefixes)
        if url is None:
            return PluginTree(self.url, tag, None, None, findings=(rules.G001.at(url=self.url),))
        if not TAG.match(tag):
            return PluginTree(url, tag, None, None, findings=(rules.G002.at(tag=tag),))
        advertised = self.remote_tag_commit(tag)
        if advertised is None:
            return PluginTree(url, tag, None, None, findings=(rules.G002.at(tag=tag),))
        with tempfile.TemporaryDirectory(prefix="wxreg-clone-") as tmp:
            target = Path(tmp) / "repo.git"
            try:
                _run_git(
                    ["clone", "--bare", "--depth", "1", "--no-recurse-submodules", "--branch", tag,
                     "--end-of-options", url, str(target)],
                    timeout=self.limits.git_timeout_seconds,
                )  # fmt: skip
            except _GitFailed as exc:
                raise SourceError(rules.G009.at(detail=str(exc))) from exc
            tree = LocalGitSource(target, display=url, limits=self.limits).read(tag, expected_commit=expected_commit)
        if tree.commit and tree.commit != advertised:
            moved = rules.G003.at(tag=tag, expected=advertised, actual=tree.commit)
            return PluginTree(tree.repo, tag, tree.commit, tree.digest, tree.files, (*tree.findings, moved))
        return tree


def open_source(repo: str, *, allowed_prefixes: tuple[str, ...], limits: Limits) -> PluginSource:
    """A URL (``scheme://``) becomes a :class:`CloneSource`; anything else is a local repository path."""
    if "://" in repo:
        return CloneSource(repo, allowed_prefixes, limits)
    return LocalGitSource(Path(repo), display=repo, limits=limits)
