"""Permissions and dynamic code: what the code can reach, against what plugin.json declares.

Deny by default: every module the code reaches must be in the capability table
(``registry/capabilities.json``, see :mod:`wxreg.review.capabilities`); each capability it uses must be
covered by a declared permission; dynamic code (``exec``, computed names, deserialisation, native code,
run-time installs, download-and-execute) is an error no permission covers (:mod:`wxreg.review.analysis`).

Files under ``tests/`` are held to the dynamic-code rules but not to the permission rules, unless runtime
code imports them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from wxreg.review import rules
from wxreg.review.analysis import FileReport, analyse, module_name
from wxreg.review.capabilities import UNPERMITTED, load_table
from wxreg.review.context import ReviewContext
from wxreg.review.findings import Finding, Rule

HTTP = ("network.http", "network.https")
PERMISSION_NAME = re.compile(r"[a-z]+\.[a-z]+")
DATABASE = ("database.read", "database.write")
DESERIALISERS = ("pickle", "_pickle", "marshal", "shelve", "copyreg", "yaml", "pandas", "dill", "cloudpickle")
DYNAMIC_RULES: dict[str, Rule] = {
    "native": rules.E006,
    "install": rules.E007,
    "download-exec": rules.E008,
    "computed-import": rules.E002,
    "computed-name": rules.E002,
    "getter": rules.E002,
    "escape": rules.E003,
    "dunder": rules.E004,
    "builtins": rules.E004,
    "module-dict": rules.E004,
    "vars": rules.E004,
    "setattr-module": rules.E004,
    "type": rules.E001,
    "annotation": rules.E001,
    "star-import": rules.E009,
}


def dynamic_rule(kind: str, evidence: str) -> Rule:
    if kind == "dynamic":
        head = evidence.removeprefix("import ").removeprefix("from ").split(".")[0].split(" ")[0]
        return rules.E005 if head in DESERIALISERS else rules.E001
    return DYNAMIC_RULES.get(kind, rules.E001)


def runtime_files(reports: list[FileReport], roles: dict[str, str]) -> set[str]:
    """Runtime files, plus test files that runtime code imports (directly or through each other)."""
    by_module = {module_name(r.path): r.path for r in reports}
    runtime = {r.path for r in reports if roles[r.path] == "runtime"}
    changed = True
    while changed:
        changed = False
        for report in reports:
            if report.path not in runtime:
                continue
            for imported in report.imports_own:
                for name, path in by_module.items():
                    if path not in runtime and (name == imported or name.startswith(imported + ".")):
                        runtime.add(path)
                        changed = True
    return runtime


@dataclass(frozen=True)
class CapabilityView:
    """What the capability analysis found in the plugin's code, computed once per review."""

    reports: list[FileReport]
    runtime: set[str]
    """Files that run in the app (everything but tests that runtime code does not import)."""
    used: frozenset[str]
    """The plugin permissions the runtime code's uses need."""


def capability_view(ctx: ReviewContext) -> CapabilityView:
    """The capability analysis of ``ctx``'s code, shared by the checks that need it (computed once)."""

    def compute() -> CapabilityView:
        table = load_table()
        parsed = list(ctx.code.parsed())
        reports = analyse(parsed, table)
        runtime = runtime_files(reports, {item.path: item.role for item, _ in parsed})
        used = {permission for report in reports if report.path in runtime for use in report.uses
                if use.caps is not None for cap in use.caps if cap not in UNPERMITTED
                for permission in table.permissions((cap,))}
        return CapabilityView(reports, runtime, frozenset(used))

    return ctx.code.memo("capabilities", compute)


class PermissionsCheck:
    name = "permissions"

    def run(self, ctx: ReviewContext) -> Iterator[Finding]:
        raw = (ctx.manifest or {}).get("permissions")
        declared = {p for p in raw if isinstance(p, str)} if isinstance(raw, list) else set()
        sub = ctx.submission
        if sub.source == "issue" and set(sub.permissions) != declared:
            only_issue = sorted(set(sub.permissions) - declared)
            only_manifest = sorted(declared - set(sub.permissions))
            yield rules.P004.at("plugin.json", detail=f"issue: {only_issue}, plugin.json: {only_manifest}")
        table = load_table()
        view = capability_view(ctx)
        reports, runtime, used = view.reports, view.runtime, view.used
        seen: set[tuple[str, str | None, int | None, str]] = set()

        def once(finding: Finding) -> Iterator[Finding]:
            key = (finding.id, finding.path, finding.line, finding.message_en)
            if key not in seen:
                seen.add(key)
                yield finding

        reported: set[tuple[str, str]] = set()
        for report in reports:
            for dyn in report.dynamic:
                if dyn.kind == "escape" and report.path not in runtime:
                    # A module handed on as a value only hides capabilities from this check, and capabilities
                    # are not counted in tests the app never loads: `mock.patch.object(requests, "get", ...)`
                    # is how honest tests mock. Code that runs in the app is still held to it.
                    continue
                yield from once(dynamic_rule(dyn.kind, dyn.evidence).at(dyn.path, dyn.line, evidence=dyn.evidence))
            if report.path not in runtime:
                continue
            for unknown in report.unknown:
                yield from once(rules.P005.at(unknown.path, unknown.line, module=unknown.module))
            for use in report.uses:
                if use.caps is None:
                    yield from once(rules.P006.at(use.path, use.line, evidence=use.evidence))
                    continue
                for cap in use.caps:
                    if cap in UNPERMITTED:
                        continue  # reported as dynamic code
                    permissions = table.permissions((cap,))
                    if declared.intersection(permissions):
                        continue
                    key = (use.path, cap)
                    if key in reported:
                        continue
                    reported.add(key)
                    yield rules.P001.at(use.path, use.line, permission=" | ".join(permissions), evidence=use.evidence)
        for permission in sorted(declared):
            if not PERMISSION_NAME.fullmatch(permission):
                continue  # not a permission's name at all (``"a | b"`` copied from a fix): WXR-M003 says so
            if permission.split(".")[0] in ("network", "file", "database", "system") and permission not in used:
                if permission in HTTP and used.intersection(HTTP):
                    continue
                if permission in DATABASE and used.intersection(DATABASE):
                    continue
                yield rules.P002.at("plugin.json", permission=permission)
