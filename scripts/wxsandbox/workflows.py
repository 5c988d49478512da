"""Reading workflow files as GitHub does: which ``on:`` triggers match an event, and the concurrency group.

Only what deciding *whether and where* a run starts needs; act itself evaluates everything inside jobs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

# GitHub's default activity types where a bare ``on: pull_request`` does not mean "every action".
DEFAULT_TYPES: Mapping[str, frozenset[str]] = {
    "pull_request": frozenset({"opened", "synchronize", "reopened"}),
}
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
ZERO_SHA = "0" * 40


class WorkflowError(ValueError):
    """A workflow file that GitHub would refuse to run (bad YAML, no ``on:``, no ``jobs:``)."""


@dataclass(frozen=True)
class Concurrency:
    group: str
    cancel_in_progress: bool


@dataclass(frozen=True)
class Workflow:
    path: str
    """Repository-relative: ``.github/workflows/review.yml``."""
    name: str
    triggers: Mapping[str, Mapping[str, Any]]
    """Event name -> its filters (``types``, ``branches``, ``paths`` ...), ``{}`` when none."""
    job_ids: tuple[str, ...]
    concurrency: Any
    """The raw ``concurrency:`` value: a string, a mapping, or ``None``."""
    uses: tuple[str, ...]
    """Every ``uses:`` of its jobs' steps (and reusable-workflow jobs), in file order."""
    job_permissions: Mapping[str, Any] = field(default_factory=dict)
    """Job id -> the ``permissions:`` its token gets: the job's own, else the workflow's, else ``None``
    (the repository default)."""
    job_names: Mapping[str, str] = field(default_factory=dict)
    """Job id -> its ``name:`` (the id when it has none), as act prefixes a called workflow's job logs."""
    calls: Mapping[str, str] = field(default_factory=dict)
    """Job id -> the repository-relative path of the reusable workflow of this repository it calls
    (``uses: ./.github/workflows/x.yml``)."""


@dataclass(frozen=True)
class CalledWorkflow:
    """How the sandbox runs one calling job: the copy of the called file, and the secrets to pass it."""

    uses: str
    secrets: tuple[str, ...]


def parse_workflow(path: str, text: str) -> Workflow:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise WorkflowError(f"{path}: invalid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise WorkflowError(f"{path}: not a mapping")
    # YAML 1.1 reads the bare key ``on`` as the boolean True.
    on = data.get("on", data.get(True))
    jobs = data.get("jobs")
    if on is None or not isinstance(jobs, dict):
        raise WorkflowError(f"{path}: needs both 'on' and 'jobs'")
    triggers: dict[str, Mapping[str, Any]] = {}
    if isinstance(on, str):
        triggers[on] = {}
    elif isinstance(on, list):
        triggers.update({str(name): {} for name in on})
    elif isinstance(on, dict):
        for name, filters in on.items():
            if name == "schedule" and isinstance(filters, list):
                # ``schedule`` is a list of ``{cron: ...}``; keep the expressions to match events by.
                crons = [str(entry["cron"]) for entry in filters if isinstance(entry, dict) and "cron" in entry]
                triggers["schedule"] = {"crons": crons}
                continue
            triggers[str(name)] = filters if isinstance(filters, dict) else {}
    else:
        raise WorkflowError(f"{path}: 'on' must be a string, a list or a mapping")
    uses: list[str] = []
    job_permissions: dict[str, Any] = {}
    calls: dict[str, str] = {}
    job_names: dict[str, str] = {}
    for job_id, job in jobs.items():
        if not isinstance(job, dict):
            continue
        job_names[str(job_id)] = str(job.get("name") or job_id)
        job_permissions[str(job_id)] = job["permissions"] if "permissions" in job else data.get("permissions")
        if isinstance(job.get("uses"), str):
            uses.append(job["uses"])
            if job["uses"].startswith("./"):
                calls[str(job_id)] = job["uses"].removeprefix("./")
        for step in job.get("steps") or []:
            if isinstance(step, dict) and isinstance(step.get("uses"), str):
                uses.append(step["uses"])
    name = data.get("name")
    return Workflow(path=path, name=str(name) if name else path, triggers=triggers,
                    job_ids=tuple(str(job_id) for job_id in jobs), concurrency=data.get("concurrency"),
                    uses=tuple(uses), job_permissions=job_permissions, job_names=job_names,
                    calls=calls)


def action_uses(text: str) -> list[str]:
    """``uses:`` of a composite action's steps (``action.yml``)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return []
    runs = data.get("runs") if isinstance(data, dict) else None
    steps = runs.get("steps") if isinstance(runs, dict) else None
    return [step["uses"] for step in steps or [] if isinstance(step, dict) and isinstance(step.get("uses"), str)]


# -- filter patterns (GitHub's "filter pattern cheat sheet") ------------------------------------------

def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """``*`` stays within one path segment, ``**`` crosses them, ``?``/``+`` repeat the previous character
    (as in regular expressions), ``[...]`` is a class; everything else is literal."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char in "?+" and out:
            out.append(char)
        elif char == "[":
            end = pattern.find("]", index + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                out.append(pattern[index:end + 1])
                index = end
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out) + r"\Z")


def matches_patterns(value: str, patterns: Iterable[str]) -> bool:
    """Ordered patterns: a later ``!pattern`` excludes what an earlier one included, and the reverse."""
    included = False
    for pattern in patterns:
        if pattern.startswith("!"):
            if _pattern_regex(pattern[1:]).match(value):
                included = False
        elif _pattern_regex(pattern).match(value):
            included = True
    return included


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]


def _name_allowed(value: str, filters: Mapping[str, Any], key: str) -> bool:
    if key in filters:
        return matches_patterns(value, _as_list(filters[key]))
    if f"{key}-ignore" in filters:
        return not any(matches_patterns(value, [p]) for p in _as_list(filters[f"{key}-ignore"]))
    return True


def _paths_allowed(changed: Sequence[str] | None, filters: Mapping[str, Any]) -> bool:
    if "paths" not in filters and "paths-ignore" not in filters:
        return True
    if changed is None:
        return True  # unknown diff (e.g. a new branch with no base): GitHub runs the workflow
    if "paths" in filters:
        patterns = _as_list(filters["paths"])
        return any(matches_patterns(path, patterns) for path in changed)
    ignored = _as_list(filters["paths-ignore"])
    return not all(any(matches_patterns(path, [p]) for p in ignored) for path in changed)


ChangedPaths = Callable[[str, str], Sequence[str] | None]
"""(base sha, head sha) -> paths changed between them, or ``None`` when unknown."""


def triggered_by(workflow: Workflow, event_name: str, payload: Mapping[str, Any],
                 changed_paths: ChangedPaths) -> bool:
    """Whether GitHub would start ``workflow`` for this event (``if:`` conditions are act's business)."""
    if event_name not in workflow.triggers:
        return False
    filters = workflow.triggers[event_name]
    action = payload.get("action")
    types = _as_list(filters.get("types")) or sorted(DEFAULT_TYPES.get(event_name, ()))
    if types and isinstance(action, str) and action not in types:
        return False
    if event_name == "workflow_dispatch":
        return payload.get("workflow") in (None, workflow.path)
    if event_name == "schedule":
        return payload.get("schedule") in _as_list(filters.get("crons"))
    if event_name == "push":
        if payload.get("deleted"):
            return False  # a deleted branch or tag starts `delete` workflows, not `push` ones
        ref = str(payload.get("ref", ""))
        has_branch_filter = "branches" in filters or "branches-ignore" in filters
        has_tag_filter = "tags" in filters or "tags-ignore" in filters
        if ref.startswith("refs/tags/"):
            # Paths filters are not evaluated for tag pushes; a branch-only filter skips tags.
            if has_branch_filter and not has_tag_filter:
                return False
            return _name_allowed(ref.removeprefix("refs/tags/"), filters, "tags")
        if has_tag_filter and not has_branch_filter:
            return False
        if not _name_allowed(ref.removeprefix("refs/heads/"), filters, "branches"):
            return False
        before, after = str(payload.get("before", ZERO_SHA)), str(payload.get("after", ZERO_SHA))
        changed = None if ZERO_SHA in (before, after) else changed_paths(before, after)
        return _paths_allowed(changed, filters)
    if event_name == "pull_request":
        pull = payload.get("pull_request") or {}
        base = pull.get("base") or {}
        head = pull.get("head") or {}
        if not _name_allowed(str(base.get("ref", "")), filters, "branches"):
            return False
        if "paths" in filters or "paths-ignore" in filters:
            changed = changed_paths(str(base.get("sha", "")), str(head.get("sha", "")))
            return _paths_allowed(changed, filters)
    return True


# -- concurrency -----------------------------------------------------------------------------------

def _lookup(context: Mapping[str, Any], dotted: str) -> Any:
    value: Any = context
    for part in dotted.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        else:
            return None
    return value


def _evaluate(expression: str, context: Mapping[str, Any]) -> Any:
    """The small subset concurrency groups use: context paths, quoted literals and ``||``."""
    for operand in (part.strip() for part in expression.split("||")):
        if len(operand) >= 2 and operand[0] == operand[-1] == "'":
            value: Any = operand[1:-1]
        elif re.fullmatch(r"[A-Za-z_][\w.-]*", operand):
            value = _lookup(context, operand)
        else:
            raise WorkflowError(f"unsupported expression: {expression}")
        if value not in (None, "", False, 0):
            return value
    return ""


def _render(text: str, context: Mapping[str, Any]) -> str:
    def replace(found: re.Match[str]) -> str:
        value = _evaluate(found.group(1), context)
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return EXPRESSION.sub(replace, text)


def concurrency_of(workflow: Workflow, context: Mapping[str, Any]) -> Concurrency | None:
    """The evaluated workflow-level concurrency group, or ``None`` when the workflow has none.

    ``context`` is ``{"github": {...}}``. An expression outside the supported subset keeps its raw text
    as the group: runs of that workflow are then serialised together, which errs on the safe side."""
    raw = workflow.concurrency
    if raw is None:
        return None
    if isinstance(raw, str):
        group_text, cancel_raw = raw, False
    elif isinstance(raw, dict) and isinstance(raw.get("group"), str):
        group_text, cancel_raw = raw["group"], raw.get("cancel-in-progress", False)
    else:
        return None
    try:
        group = _render(group_text, context)
    except WorkflowError:
        group = group_text
    if isinstance(cancel_raw, str):
        try:
            cancel = _render(cancel_raw, context).strip().lower() == "true"
        except WorkflowError:
            cancel = False
    else:
        cancel = bool(cancel_raw)
    return Concurrency(group=group, cancel_in_progress=cancel)


# -- per-job tokens ----------------------------------------------------------------------------------

_TOKEN_REFERENCE = re.compile(r"\b(?:github\.token|secrets\.GITHUB_TOKEN)\b")


def _rename_in_expressions(value: str, secret: str, *, whole_is_expression: bool) -> str:
    def rename(text: str) -> str:
        return _TOKEN_REFERENCE.sub(f"secrets.{secret}", text)

    if whole_is_expression and "${{" not in value:
        return rename(value)
    return EXPRESSION.sub(lambda found: "${{ " + rename(found.group(1)) + " }}", value)


def _rename_tree(node: Any, secret: str, key: str | None = None) -> Any:
    if isinstance(node, dict):
        return {k: _rename_tree(v, secret, str(k)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rename_tree(item, secret, key) for item in node]
    if isinstance(node, str):
        return _rename_in_expressions(node, secret, whole_is_expression=key == "if")
    return node


def rename_job_tokens(text: str, secrets: Mapping[str, str],
                      calls: Mapping[str, CalledWorkflow] | None = None) -> str | None:
    """The workflow as the sandbox hands it to act, or ``None`` when that is the file as it is.

    Each job's ``github.token``/``secrets.GITHUB_TOKEN`` (in expressions) is renamed to
    ``secrets.<secrets[job]>``; a job in ``calls`` calls its ``uses`` copy instead and passes it those
    secrets; ``cache-mode`` keys are dropped (see :func:`strip_cache_mode`)."""
    data = yaml.safe_load(text)
    jobs = data.get("jobs") if isinstance(data, dict) else None
    calls = calls or {}
    if not isinstance(jobs, dict) or not (_TOKEN_REFERENCE.search(text) or calls or _has_cache_mode(data)):
        return None
    for job_id, job in list(jobs.items()):
        if not isinstance(job, dict):
            continue
        if str(job_id) in secrets:
            job = jobs[job_id] = _rename_tree(job, secrets[str(job_id)])
        called = calls.get(str(job_id))
        if called is not None:
            job["uses"] = called.uses
            given = job.get("secrets")
            if given != "inherit":
                passed = dict(given) if isinstance(given, dict) else {}
                passed.update({name: f"${{{{ secrets.{name} }}}}" for name in called.secrets})
                job["secrets"] = passed
    return _dump(data)


def strip_cache_mode(text: str) -> str:
    """The workflow without ``cache-mode`` (workflow and job level): act 0.2.89's schema refuses that key
    (GitHub added it after that release), and the sandbox has no cache service for it to limit."""
    data = yaml.safe_load(text)
    return _dump(data) if _has_cache_mode(data) else text


def _has_cache_mode(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    jobs = data.get("jobs")
    return "cache-mode" in data or (isinstance(jobs, dict) and any(
        isinstance(job, dict) and "cache-mode" in job for job in jobs.values()))


def _dump(data: dict[Any, Any]) -> str:
    data.pop("cache-mode", None)
    for job in (data.get("jobs") or {}).values():
        if isinstance(job, dict):
            job.pop("cache-mode", None)
    # YAML 1.1 read ``on`` as True; write it back under its name, in place.
    document = {("on" if key is True else key): value for key, value in data.items()}
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=1000)


_SCOPE_LEVELS = {"none": 0, "read": 1, "write": 2}
TOKEN_SCOPES = ("actions", "attestations", "checks", "contents", "deployments", "discussions", "id-token", "issues",
                "models", "packages", "pages", "pull-requests", "repository-projects", "security-events", "statuses")


def _scope_levels(permissions: Mapping[str, Any] | str) -> dict[str, int]:
    if isinstance(permissions, str):
        level = 2 if permissions == "write-all" else 1 if permissions == "read-all" else 0
        return dict.fromkeys(TOKEN_SCOPES, level)
    return {str(scope): _SCOPE_LEVELS.get(str(value), 0) for scope, value in permissions.items()}


def permissions_exceeding(wanted: Mapping[str, Any] | str | None, granted: Mapping[str, Any] | str | None) -> list[str]:
    """``scope: level`` entries of ``wanted`` above what ``granted`` allows, as GitHub checks a called
    workflow's jobs against the calling job; ``[]`` when either is ``None`` (the repository's default,
    which the sandbox does not model)."""
    if wanted is None or granted is None or not isinstance(wanted, (str, Mapping)) \
            or not isinstance(granted, (str, Mapping)):
        return []
    asked, allowed = _scope_levels(wanted), _scope_levels(granted)
    names = {level: name for name, level in _SCOPE_LEVELS.items()}
    return [f"{scope}: {names[level]}" for scope, level in sorted(asked.items()) if level > allowed.get(scope, 0)]
