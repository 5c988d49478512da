"""Plumbing on one bare repository: refs, objects, trees, commits, merges and archives.

Every write goes through ``git`` itself (hash-object, mktree via a scratch index, commit-tree,
merge-tree, update-ref), so what the API builds is what a clone sees.

What is asked of objects named by full shas (a commit, the diff or merge of two commits, whether one is an
ancestor of the other) can never change, so those answers are kept (per repository, a bounded number in all);
anything naming a ref is asked of git every time.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

ZERO_SHA = "0" * 40
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
KEPT_ANSWERS = 50_000
KEPT_DIFF_CHARS = 1 << 18

_T = TypeVar("_T")
_FULL_SHA = re.compile(r"[0-9a-f]{40}")
_answers: OrderedDict[tuple[object, ...], object] = OrderedDict()
_generations: dict[Path, int] = {}
SIZE_REFRESH_SECONDS = 10.0
_sizes: dict[tuple[Path, int], tuple[float, int]] = {}
_answers_lock = threading.Lock()


def _all_full_shas(*revs: str) -> bool:
    return all(_FULL_SHA.fullmatch(rev) for rev in revs)


class GitError(RuntimeError):
    pass


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    date: datetime


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    tree: str
    parents: tuple[str, ...]
    author: Person
    committer: Person
    message: str


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    type: str
    sha: str
    path: str
    size: int | None


def _git_date(moment: datetime) -> str:
    return f"{int(moment.timestamp())} +0000"


def _parse_person(line: str) -> Person:
    # "Name <email> 1700000000 +0000"
    name, _, rest = line.partition(" <")
    email, _, stamp = rest.partition("> ")
    seconds = int(stamp.split(" ", 1)[0])
    return Person(name, email, datetime.fromtimestamp(seconds, UTC))


class GitRepo:
    def __init__(self, path: Path) -> None:
        self.path = path

    # -- running git -------------------------------------------------------------------------------

    def run(self, *args: str, input: bytes | None = None, env: dict[str, str] | None = None,
            check: bool = True) -> subprocess.CompletedProcess[bytes]:
        full_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", str(self.path)),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
            **(env or {}),
        }
        done = subprocess.run(["git", "--git-dir", str(self.path), *args], input=input, env=full_env,
                              capture_output=True, check=False)
        if check and done.returncode != 0:
            raise GitError(f"git {' '.join(args)}: {done.stderr.decode('utf-8', 'replace').strip()}")
        return done

    def out(self, *args: str, input: bytes | None = None, env: dict[str, str] | None = None) -> str:
        return self.run(*args, input=input, env=env).stdout.decode("utf-8", "replace").strip()

    def _kept(self, key: tuple[object, ...], revs: tuple[str, ...], ask: Callable[[], _T],
              keep: Callable[[_T], bool] = lambda _: True) -> _T:
        """``ask()``, answered once and then kept when every one of ``revs`` is a full sha (and ``keep``)."""
        if not _all_full_shas(*revs):
            return ask()
        with _answers_lock:
            full = (self.path, _generations.get(self.path, 0), *key)
            if full in _answers:
                _answers.move_to_end(full)
                return _answers[full]  # type: ignore[return-value]
        answer = ask()
        if keep(answer):
            with _answers_lock:
                _answers[full] = answer
                while len(_answers) > KEPT_ANSWERS:
                    _answers.popitem(last=False)
        return answer

    # -- repository --------------------------------------------------------------------------------

    @classmethod
    def init_bare(cls, path: Path, default_branch: str) -> GitRepo:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _answers_lock:  # a repository made again where one was: nothing kept about the old one holds
            _generations[path] = _generations.get(path, 0) + 1
        subprocess.run(["git", "init", "--quiet", "--bare", f"--initial-branch={default_branch}", str(path)],
                       check=True, capture_output=True)
        repo = cls(path)
        # Let pushes of any size through http-backend, as GitHub does.
        repo.add_config(("http", "receivepack", "true"), ("receive", "denyDeleteCurrent", "ignore"))
        return repo

    def add_config(self, *entries: tuple[str, str, str]) -> None:
        """``git config section.key value`` for each entry, written as git writes it (a section per entry,
        appended to the repository's ``config``) without starting git once per setting."""
        for section, key, value in entries:
            if not (section.isalnum() and key.isalnum() and value.isprintable() and '"' not in value
                    and "\\" not in value):
                raise ValueError(f"not a plain setting: {section}.{key}={value!r}")
        with (self.path / "config").open("a", encoding="utf-8") as config:
            config.writelines(f"[{section}]\n\t{key} = {value}\n" for section, key, value in entries)

    # -- refs --------------------------------------------------------------------------------------

    def refs(self, prefix: str = "refs/") -> dict[str, str]:
        """Every ref under ``prefix`` -> the object it names (tags not peeled)."""
        text = self.out("for-each-ref", "--format=%(refname) %(objectname)", prefix)
        refs: dict[str, str] = {}
        for line in text.splitlines():
            name, _, sha = line.partition(" ")
            if name:
                refs[name] = sha
        return refs

    def ref_sha(self, ref: str) -> str | None:
        loose = self._loose_ref(ref)
        if loose is not None and self.object_type(loose) == "commit":
            return loose  # a commit peels to itself
        done = self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{}}", check=False)
        if done.returncode != 0:
            return None
        return done.stdout.decode().strip() or None

    def raw_ref(self, ref: str) -> str | None:
        """The object a full ref names, tag objects not peeled."""
        loose = self._loose_ref(ref)
        if loose is not None:
            return loose
        done = self.run("rev-parse", "--verify", "--quiet", ref, check=False)
        return done.stdout.decode().strip() if done.returncode == 0 else None

    def _loose_ref(self, ref: str) -> str | None:
        """The sha in a full ref's own file, read without starting git (the stand-in reads refs hundreds of times
        per scenario); ``None`` whenever git must answer: a packed or symbolic ref, a name that is not a plain
        ``refs/...`` path, anything unexpected. git writes a ref file by renaming a lock file over it, so a read
        sees the old sha or the new one, never half of one."""
        if not ref.startswith("refs/") or ".." in ref or "//" in ref or ref.endswith("/"):
            return None
        try:
            text = (self.path / ref).read_bytes()
        except OSError:
            return None
        sha = text.strip().decode("ascii", "replace")
        return sha if len(text) == 41 and text.endswith(b"\n") and _FULL_SHA.fullmatch(sha) else None

    def resolve_commit(self, rev: str) -> str | None:
        """A branch, tag, full ref or (abbreviated) sha -> commit sha, or ``None``.

        A full sha that names no branch or tag (as good as always: statuses, merges and comparisons name
        commits so) is answered from its kept object type, without the three git starts of the general way."""
        if _FULL_SHA.fullmatch(rev) and not self._names_a_ref(f"refs/heads/{rev}", f"refs/tags/{rev}"):
            kind = self.object_type(rev)
            if kind == "commit" or kind is None:
                return rev if kind else None
        candidates = [rev] if rev.startswith("refs/") else [f"refs/heads/{rev}", f"refs/tags/{rev}", rev]
        for candidate in candidates:
            loose = self._loose_ref(candidate)
            if loose is not None and self.object_type(loose) == "commit":
                return loose
            done = self.run("rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}", check=False)
            if done.returncode == 0:
                return done.stdout.decode().strip()
        return None

    def _names_a_ref(self, *refs: str) -> bool:
        """Whether any of these full ref names exists, loose or packed (read from the files, as git keeps them)."""
        if any((self.path / ref).exists() for ref in refs):
            return True
        try:
            packed = (self.path / "packed-refs").read_bytes()
        except OSError:
            return False
        return any(f" {ref}\n".encode() in packed for ref in refs)

    def update_ref(self, ref: str, new: str, old: str | None = None) -> None:
        args = ["update-ref", ref, new] + ([old] if old is not None else [])
        self.run(*args)

    def set_ref(self, ref: str, new: str) -> None:
        """``update_ref(ref, new)``, without starting git when the ref's own file already names ``new``."""
        if self._loose_ref(ref) != new:
            self.update_ref(ref, new)

    def delete_ref(self, ref: str) -> None:
        self.run("update-ref", "-d", ref)

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        return self._kept(("is_ancestor", ancestor, descendant), (ancestor, descendant), lambda: self.run(
            "merge-base", "--is-ancestor", ancestor, descendant, check=False).returncode == 0)

    def object_type(self, sha: str) -> str | None:
        def ask() -> str | None:
            done = self.run("cat-file", "-t", sha, check=False)
            return done.stdout.decode().strip() if done.returncode == 0 else None

        return self._kept(("object_type", sha), (sha,), ask, lambda found: found is not None)

    # -- objects -----------------------------------------------------------------------------------

    def hash_blob(self, content: bytes) -> str:
        return self.out("hash-object", "-w", "--stdin", input=content)

    def blob(self, sha: str) -> bytes:
        return self.run("cat-file", "blob", sha).stdout

    def commit(self, sha: str) -> CommitInfo:
        return self._kept(("commit", sha), (sha,), lambda: self._commit(sha))

    def _commit(self, sha: str) -> CommitInfo:
        raw = self.run("cat-file", "commit", sha).stdout.decode("utf-8", "replace")
        header, _, message = raw.partition("\n\n")
        tree = ""
        parents: list[str] = []
        author = committer = Person("", "", datetime.fromtimestamp(0, UTC))
        for line in header.splitlines():
            key, _, value = line.partition(" ")
            if key == "tree":
                tree = value
            elif key == "parent":
                parents.append(value)
            elif key == "author":
                author = _parse_person(value)
            elif key == "committer":
                committer = _parse_person(value)
        return CommitInfo(sha, tree, tuple(parents), author, committer, message)

    def ls_tree(self, tree: str, *, recursive: bool = False, path: str | None = None) -> list[TreeEntry]:
        args = ["ls-tree", "--long", "-z"] + (["-r", "-t"] if recursive else []) + [tree]
        if path:
            args += ["--", path]
        entries: list[TreeEntry] = []
        for record in self.run(*args).stdout.decode("utf-8", "replace").split("\0"):
            if not record:
                continue
            meta, _, name = record.partition("\t")
            mode, kind, sha, size = meta.split(maxsplit=3)
            entries.append(TreeEntry(mode, kind, sha, name, None if size.strip() == "-" else int(size)))
        return entries

    def entry_at(self, commit: str, path: str) -> TreeEntry | None:
        """The tree entry at ``path`` in ``commit`` (``""`` is the root tree)."""
        path = path.strip("/")
        if not path:
            return TreeEntry("040000", "tree", self.out("rev-parse", f"{commit}^{{tree}}"), "", None)
        found = self.ls_tree(commit, path=path)
        return next((entry for entry in found if entry.path == path), None)

    def build_tree(self, base_tree: str | None, changes: list[tuple[str, str, str | None]]) -> str:
        """Write a tree: ``base_tree`` with ``(path, mode, blob-or-None-to-delete)`` applied."""
        with tempfile.TemporaryDirectory(prefix="wxsandbox-index-") as scratch:
            env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            if base_tree:
                self.run("read-tree", base_tree, env=env)
            else:
                self.run("read-tree", "--empty", env=env)
            # --index-info needs no work tree; mode 0 with the null sha removes a path.
            lines = "".join(f"0 {ZERO_SHA}\t{path}\n" if sha is None else f"{mode} {sha}\t{path}\n"
                            for path, mode, sha in changes)
            if lines:
                self.run("update-index", "--index-info", input=lines.encode("utf-8"), env=env)
            return self.out("write-tree", env=env)

    def commit_tree(self, tree: str, parents: list[str], message: str, author: Person,
                    committer: Person | None = None) -> str:
        committer = committer or author
        env = {
            "GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email,
            "GIT_AUTHOR_DATE": _git_date(author.date),
            "GIT_COMMITTER_NAME": committer.name, "GIT_COMMITTER_EMAIL": committer.email,
            "GIT_COMMITTER_DATE": _git_date(committer.date),
        }
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        return self.out(*args, input=message.encode("utf-8"), env=env)

    def merge_tree(self, base: str, head: str) -> str | None:
        """The tree of merging ``head`` into ``base``, or ``None`` on conflicts (``git merge-tree``)."""
        def ask() -> str | None:
            done = self.run("merge-tree", "--write-tree", "--no-messages", base, head, check=False)
            if done.returncode != 0:
                return None
            return done.stdout.decode().split("\n", 1)[0].strip()

        return self._kept(("merge_tree", base, head), (base, head), ask)

    def merge_base(self, one: str, other: str) -> str:
        return self._kept(("merge_base", one, other), (one, other), lambda: self.out("merge-base", one, other))

    def count_commits(self, new: str, old: str) -> int:
        """How many commits ``new`` has that ``old`` has not."""
        return self._kept(("count_commits", new, old), (new, old),
                          lambda: int(self.out("rev-list", "--count", new, f"^{old}") or 0))

    def commits_between(self, old: str | None, new: str, limit: int = 20) -> list[str]:
        """Commits reachable from ``new`` and not from ``old``, oldest first (capped, as GitHub's push)."""
        def ask() -> tuple[str, ...]:
            args = ["rev-list", "--reverse", f"--max-count={limit}", new]
            if old:
                args.append(f"^{old}")
            return tuple(line for line in self.out(*args).splitlines() if line)

        return list(self._kept(("commits_between", old, new, limit), (old or ZERO_SHA, new), ask))

    def changed_paths(self, commit: str) -> tuple[list[str], list[str], list[str]]:
        """(added, removed, modified) against the first parent."""
        added, removed, modified = self._kept(("changed_paths", commit), (commit,), lambda: self._changed(commit))
        return list(added), list(removed), list(modified)

    def _changed(self, commit: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        info = self.commit(commit)
        base = info.parents[0] if info.parents else EMPTY_TREE
        text = self.out("diff-tree", "-r", "--no-commit-id", "--name-status", "--no-renames", base, commit)
        added: list[str] = []
        removed: list[str] = []
        modified: list[str] = []
        for line in text.splitlines():
            status, _, path = line.partition("\t")
            {"A": added, "D": removed}.get(status[:1], modified).append(path)
        return tuple(added), tuple(removed), tuple(modified)

    def diff(self, base: str, head: str) -> str:
        return self._kept(("diff", base, head), (base, head), lambda: self.run(
            "diff", "--no-color", "--full-index", base, head).stdout.decode("utf-8", "replace"),
            lambda text: len(text) <= KEPT_DIFF_CHARS)

    def diff_stats(self, base: str, head: str) -> list[tuple[str, str, int, int]]:
        """(status, path, additions, deletions) per file between two commits."""
        return list(self._kept(("diff_stats", base, head), (base, head), lambda: tuple(self._diff_stats(base, head))))

    def _diff_stats(self, base: str, head: str) -> list[tuple[str, str, int, int]]:
        names = self.out("diff", "--name-status", "--no-renames", base, head).splitlines()
        nums = self.out("diff", "--numstat", "--no-renames", base, head).splitlines()
        result: list[tuple[str, str, int, int]] = []
        for name_line, num_line in zip(names, nums, strict=False):
            status, _, path = name_line.partition("\t")
            add, dele, _ = num_line.split("\t", 2)
            result.append((status[:1], path, int(add) if add.isdigit() else 0, int(dele) if dele.isdigit() else 0))
        return result

    def archive(self, commit: str, fmt: str, prefix: str) -> bytes:
        """``git archive`` of a commit: ``zip`` or ``tar.gz``."""
        return self.run("archive", f"--format={fmt}", f"--prefix={prefix}", commit).stdout

    def size_kb(self) -> int:
        """Roughly what GitHub reports as ``size``: the object store in KiB (no subprocess: it is on every GET).

        GitHub recomputes ``size`` in the background, so it lags pushes; here it is measured at most every
        ``SIZE_REFRESH_SECONDS`` per repository (walking the object store on every repository GET was a
        seventh of an approval's time)."""
        now = time.monotonic()
        with _answers_lock:  # per repository as made (a repository made again where one was starts afresh)
            key = (self.path, _generations.get(self.path, 0))
            known = _sizes.get(key)
            if known is not None and now - known[0] < SIZE_REFRESH_SECONDS:
                return known[1]
        objects = self.path / "objects"
        total = sum(f.stat().st_size for f in objects.rglob("*") if f.is_file()) if objects.is_dir() else 0
        with _answers_lock:
            _sizes[key] = (now, total // 1024)
        return total // 1024
