"""The whole sandbox in one call: GitHub (running the registry's workflows with act), Gitee, OSV, PyPI, and a cast.

    with World(tmp_path / "world") as world:
        alice = world.client("alice")                        # PyGithub as alice
        alice.get_repo(world.registry).create_issue("...")   # runs the registry's workflows
        world.actions.wait_idle(60)

The registry repository ``wxauto/registry`` exists on both hosts, seeded from ``seed`` (a directory;
default: this checkout's committed tree, ``git archive HEAD``). Seeding happens before the workflow
runner is attached, so it starts no runs.
"""

from __future__ import annotations

import atexit
import io
import shutil
import subprocess
import tarfile
import tempfile
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from wxreg.approval.texts import STATUS_CONTEXT
from wxsandbox.actions import ActRunner
from wxsandbox.gitee import GiteeStandIn
from wxsandbox.github import GitHubStandIn
from wxsandbox.osv import OsvStandIn
from wxsandbox.pypi import PyPIStandIn

REGISTRY = "wxauto/registry"
MIRROR_USER = "maria"
SKIPPED_BY_DEFAULT = ("ci.yml", "pages.yml")
"""The registry's CI runs this very test suite (``make test``): inside a test it would recurse for 20 minutes.
pages.yml deploys the catalog on every push to main, which needs Pages set to deploy from Actions
(``github.enable_pages(..., build_type="workflow")``): the demo and the catalog tests turn both on."""
CHECKOUT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class CastMember:
    login: str
    name: str
    role: str
    """Role on the registry repository: ``admin``, ``maintain``, ``triage`` or ``none``."""
    about: str


CAST: tuple[CastMember, ...] = (
    CastMember("wxauto", "WXAUTO-MGT", "admin", "owns the registry repository"),
    CastMember("maria", "Maria Maintainer", "maintain", "registry maintainer: approves, merges, mirrors"),
    CastMember("tom", "Tom Triager", "triage", "triager: labels issues"),
    CastMember("alice", "Alice Author", "none", "plugin author"),
    CastMember("bob", "Bob Author", "none", "plugin author"),
    CastMember("eve", "Eve Nobody", "none", "no role anywhere; tries things"),
)


@dataclass(frozen=True)
class WorldUser:
    login: str
    role: str
    github_token: str
    gitee_token: str


_seed_lock = threading.Lock()
_seed_cache: dict[str, Path] = {}


def committed_tree(checkout: Path = CHECKOUT) -> Path:
    """``git archive HEAD`` of ``checkout`` unpacked in a temporary directory, once per process and commit
    (removed when the process exits)."""
    head = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"], check=True, capture_output=True,
                          text=True, timeout=30).stdout.strip()
    with _seed_lock:
        cached = _seed_cache.get(head)
        if cached is not None and cached.is_dir():
            return cached
        archive = subprocess.run(["git", "-C", str(checkout), "archive", "--format=tar", head], check=True,
                                 capture_output=True, timeout=120).stdout
        target = Path(tempfile.mkdtemp(prefix=f"wxsandbox-seed-{head[:12]}-"))
        atexit.register(shutil.rmtree, target, ignore_errors=True)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(target, filter="data")
        _seed_cache[head] = target
        return target


class World:
    """GitHub + raw + Gitee + OSV on 127.0.0.1 with the standard cast and the registry on both hosts.

    ``extra_files`` maps repository paths to local files added to the seed (e.g. a sample workflow into
    ``.github/workflows/``). ``run_workflows=False`` leaves events undelivered (no act); workflows named in
    ``skip_workflows`` are recorded as ``skipped`` runs instead of run (default: the registry's CI).
    ``prepare_seed(directory, world)`` may edit a copy of the seed before it is pushed, with every URL
    of the world already known (e.g. to point ``registry/config.json`` at the stand-ins).

    The registry's workflows get repository settings as on GitHub: variables ``GITEE_URL`` and
    ``GITEE_USERNAME`` (``maria``, who may push to the Gitee mirror) and the secret ``GITEE_TOKEN``.
    ``pypi`` shares an already running PyPI stand-in (the test session's) instead of starting one.
    ``protect_main=False`` leaves ``main`` unprotected, as a fresh fork's operator finds it (by default it is
    protected as the fork checklist sets it up)."""

    def __init__(self, root: Path, *, seed: Path | None = None, extra_files: Mapping[str, Path] | None = None,
                 run_workflows: bool = True, run_timeout: float = 300.0,
                 skip_workflows: Collection[str] = SKIPPED_BY_DEFAULT,
                 prepare_seed: Callable[[Path, World], None] | None = None,
                 pypi: PyPIStandIn | None = None, protect_main: bool = True) -> None:
        self.root = Path(root)
        self.protect_main = protect_main
        self.root.mkdir(parents=True, exist_ok=True)
        self.seed = Path(seed) if seed is not None else None
        self.extra_files = dict(extra_files or {})
        self.prepare_seed = prepare_seed
        self.registry = REGISTRY
        self.github = GitHubStandIn(self.root / "github")
        self.gitee = GiteeStandIn(self.root / "gitee")
        self.osv = OsvStandIn()
        self._own_pypi = pypi is None
        self.pypi = pypi if pypi is not None else PyPIStandIn()
        self.actions: ActRunner | None = (
            ActRunner(self.github, self.root / "actions", repos=[REGISTRY], run_timeout=run_timeout,
                      skip_workflows=skip_workflows)
            if run_workflows else None)
        self.users: dict[str, WorldUser] = {}
        self.registry_sha = ""
        self._started = False

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> World:
        if self._started:
            return self
        self.github.start()
        self.gitee.start()
        self.osv.start()
        if self._own_pypi:
            self.pypi.start()
        self._started = True
        try:
            self._populate()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.actions is not None:
            self.github.set_event_sink(None)
            self.actions.close()
        if self._started:
            self.github.stop()
            self.gitee.stop()
            self.osv.stop()
            if self._own_pypi:
                self.pypi.stop()
            self._started = False

    def __enter__(self) -> World:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _populate(self) -> None:
        for member in CAST:
            email = f"{member.login}@example.com"
            github_token = self.github.add_user(member.login, name=member.name, email=email)
            gitee_token = self.gitee.add_user(member.login, name=member.name, email=email)
            self.users[member.login] = WorldUser(member.login, member.role, github_token, gitee_token)
        owner, name = REGISTRY.split("/")
        self.github.create_repo(owner, name)
        for member in CAST:
            if member.role not in ("none", "admin"):
                self.github.set_role(REGISTRY, member.login, member.role)
        # The workflow token may write only to the repository its workflow runs in.
        self.github.set_bot_scope([REGISTRY])
        # Branch protection as CONTRIBUTING's fork checklist sets it: merges need the registry PR status on
        # a head that is up to date with main (a stale registry PR could merge cleanly and be wrong).
        if self.protect_main:
            self.github.protect_branch(REGISTRY, "main", [STATUS_CONTEXT], strict=True)
        self.gitee.create_repo(owner, name, default_branch="main")
        self.gitee.set_role(REGISTRY, MIRROR_USER, "write")
        seed = self._seed_directory()
        self.registry_sha = self.github.push_directory(REGISTRY, seed, message="Seed the registry",
                                                       author_login=owner)
        self.gitee.push_directory(REGISTRY, seed, message="Seed the registry mirror")
        if self.actions is not None:
            self.actions.set_variables(REGISTRY, {"GITEE_URL": self.gitee.url, "GITEE_USERNAME": MIRROR_USER})
            self.actions.set_secrets(REGISTRY, {"GITEE_TOKEN": self.users[MIRROR_USER].gitee_token})
            # Attached after seeding: the seed push is set-up, not an event anyone should see run.
            self.github.set_event_sink(self.actions)

    def _seed_directory(self) -> Path:
        base = self.seed if self.seed is not None else committed_tree()
        if not self.extra_files and self.prepare_seed is None:
            return base
        combined = self.root / "seed"
        shutil.copytree(base, combined, symlinks=True, ignore=shutil.ignore_patterns(".git"), dirs_exist_ok=True)
        for relative, source in self.extra_files.items():
            target = combined / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        if self.prepare_seed is not None:
            self.prepare_seed(combined, self)
        return combined

    # -- conveniences ------------------------------------------------------------------------------

    def token(self, login: str) -> str:
        return self.users[login].github_token

    def client(self, login: str, **options: Any) -> Any:
        """A PyGithub client acting as ``login`` (the bot: ``"github-actions[bot]"``), no throttling or retries."""
        from wxsandbox.github.testing import pygithub

        token = self.github.bot_token if login == self.github.bot_login else self.token(login)
        return pygithub(self.github, token, **options)

    def forge(self, login: str) -> Any:
        """Our production forge for the registry repository, acting as ``login``."""
        from wxsandbox.github.testing import forge

        token = self.github.bot_token if login == self.github.bot_login else self.token(login)
        return forge(self.github, token, self.registry, bot_login=login)

    def make_plugin_repo(self, owner: str, name: str, directory: Path, tag: str | None = None, *,
                         mirror: bool = False) -> str:
        """``owner/name`` on GitHub with ``directory``'s files committed (and tagged); returns the commit sha.
        An existing repository gets the files as a new commit (a repeated tag is moved). ``mirror`` also
        puts the same tree on Gitee."""
        full_name = f"{owner}/{name}"
        try:
            self.github.bare_repo_path(full_name)
        except KeyError:
            self.github.create_repo(owner, name)
        sha = self.github.push_directory(full_name, directory, tag=tag, author_login=owner)
        if mirror:
            try:
                self.gitee.bare_repo_path(full_name)
            except KeyError:
                self.gitee.create_repo(owner, name, default_branch="main")
            # A mirror holds the same commits: copy the objects and refs, never re-commit the files.
            subprocess.run(["git", "-C", str(self.github.bare_repo_path(full_name)), "push", "--quiet", "--force",
                            str(self.gitee.bare_repo_path(full_name)), "+refs/heads/*:refs/heads/*",
                            "+refs/tags/*:refs/tags/*"], check=True, capture_output=True, timeout=60)
        return sha

    def summary(self) -> dict[str, Any]:
        """URLs and tokens, for the CLI and for people poking at the world."""
        return {
            "github": {"url": self.github.url, "api_url": self.github.api_url, "raw_url": self.github.raw_url,
                       "registry": f"{self.github.url}/{REGISTRY}", "git": self.github.git_url(REGISTRY),
                       "bot": {"login": self.github.bot_login, "token": self.github.bot_token}},
            "gitee": {"url": self.gitee.url, "api_url": self.gitee.api_url, "git": self.gitee.git_url(REGISTRY),
                      "raw_example": self.gitee.raw_file_url(REGISTRY, "main", "README.md")},
            "osv": {"query_url": self.osv.query_url},
            "pypi": {"url": self.pypi.url},
            "workflows": "run with act" if self.actions is not None else "not run",
            "registry_settings": {"variables": {"GITEE_URL": self.gitee.url, "GITEE_USERNAME": MIRROR_USER},
                                  "secrets": {"GITEE_TOKEN": f"{MIRROR_USER}'s Gitee token"}},
            "users": {login: {"role": user.role, "github_token": user.github_token,
                              "gitee_token": user.gitee_token} for login, user in self.users.items()},
        }
