"""Dependencies: requirement lines parsed with ``packaging``; options, URLs and paths rejected;
every dependency pinned; each pin checked on the package index (it exists and is not yanked) and
against the popular-package list (typosquats); pinned ones audited by pip-audit's OSV service in this
process, on the exact pins (what ``--no-deps --disable-pip --strict`` does), so no package code ever
runs; third-party imports of the runtime code (parsed once, shared in ``ctx.code``) matched with the
declared dependencies.
An audit or index look-up that fails or leaves a package unknown fails the check.

requirements.txt and plugin.json usually list the same dependencies: each problem with one
dependency is reported once (at requirements.txt when it is there)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from wxreg.review import rules
from wxreg.review.context import ReviewContext
from wxreg.review.findings import Finding
from wxreg.review.index import Status, ask_all
from wxreg.review.prestart import pip_version_read
from wxreg.review.supply import load_import_table, near_miss, third_party_imports

REQUIREMENTS = "requirements.txt"
BUILD_SCRIPTS = ("setup.py", "conftest.py", "noxfile.py")
FORBIDDEN = re.compile(
    r"(^\s*-)|(\s--?[A-Za-z])|(://)|(^\s*[./~\\])|(@)|(^\s*[A-Za-z]:\\)|(\.whl\b)|(\.tar\.gz\b)|(\.zip\b)"
)
MAX_REQUIREMENTS = 100


@dataclass(frozen=True)
class Dependency:
    name: str
    spec: str
    pinned: str | None
    """The exact version when the requirement is ``name==X`` (no wildcard), else ``None``."""
    source: str
    line: int | None


def parse_requirement_line(text: str) -> tuple[Requirement | None, str | None]:
    """``(requirement, None)``; ``(None, None)`` for blank and comment lines; ``(None, problem)`` otherwise."""
    line = text.split(" #", 1)[0].strip()
    if not line or line.startswith("#"):
        return None, None
    if FORBIDDEN.search(line) or line.endswith("\\"):
        return None, "forbidden"
    try:
        requirement = Requirement(line)
    except InvalidRequirement as exc:
        return None, str(exc)[:200]
    if requirement.url:
        return None, "forbidden"
    return requirement, None


def pinned_version(requirement: Requirement) -> str | None:
    specs = list(requirement.specifier)
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        return specs[0].version
    return None


def run_pip_audit(ctx: ReviewContext, deps: list[Dependency]) -> tuple[dict[str, Any] | None, str | None]:
    """pip-audit's OSV service, in this process, on exactly the pins we parsed: what
    ``pip-audit --no-deps --disable-pip --strict -r <our pins> -s osv`` does, without a second interpreter.

    The report has the shape of ``pip-audit --format json`` (``dependencies``: name, version, vulns, or a
    ``skip_reason``). Nothing of the author's reaches pip-audit but normalised names and versions; pip-audit
    never installs or resolves anything here. Any failure of the service, or an answer it cannot read, is
    ``(None, why)``: the audit failed, which fails the check."""
    try:
        from packaging.version import InvalidVersion, Version
        from pip_audit._service.interface import ResolvedDependency
        from pip_audit._service.osv import OsvService
    except ImportError as exc:  # preflight names the missing scanner; here the audit just fails closed
        return None, f"pip-audit: {exc}"[:300]
    finally:
        pip_version_read()  # pip-api asked pip's version while pip-audit was imported (wxreg.review.prestart)
    entries: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="wxreg-audit-") as tmp:
        try:
            service = OsvService(
                cache_dir=Path(tmp) / "cache",
                timeout=ctx.tools.network_timeout_seconds,
                osv_url=ctx.tools.osv_url or OsvService.DEFAULT_OSV_URL,
            )
            for dep in deps:
                try:
                    version = Version(dep.pinned or "")
                except InvalidVersion:
                    entries.append({"name": dep.name, "skip_reason": f"无效版本 / invalid version {dep.pinned!r}"})
                    continue
                _, vulns = service.query(ResolvedDependency(name=dep.name, version=version))
                entries.append({
                    "name": dep.name,
                    "version": str(version),
                    "vulns": [{"id": v.id, "fix_versions": [str(f) for f in v.fix_versions],
                               "aliases": sorted(v.aliases), "description": v.description} for v in vulns],
                })  # fmt: skip
        except Exception as exc:  # the service is down, refused us, or answered what it cannot read
            return None, f"pip-audit: {type(exc).__name__}: {exc}"[:300]
    return {"dependencies": entries}, None


class DependenciesCheck:
    name = "dependencies"

    def run(self, ctx: ReviewContext) -> Iterator[Finding]:
        for item in ctx.tree.files:
            if item.path.rsplit("/", 1)[-1] in BUILD_SCRIPTS:
                yield rules.D007.at(item.path, name=item.path)
        deps: list[Dependency] = []
        file_deps: dict[str, str] = {}
        text = ctx.tree.text(REQUIREMENTS)
        if ctx.tree.get(REQUIREMENTS) is not None and text is None:
            yield rules.D002.at(REQUIREMENTS, text="requirements.txt", detail="不是 UTF-8 / not UTF-8")
        for number, line in enumerate((text or "").splitlines(), start=1):
            found = yield from self._one(line, REQUIREMENTS, number, deps)
            if found is not None:
                file_deps[found.name] = found.spec
        raw = (ctx.manifest or {}).get("dependencies")
        manifest_lines = [x for x in raw if isinstance(x, str)] if isinstance(raw, list) else []
        if not manifest_lines and ctx.submission.source == "issue":
            manifest_lines = list(ctx.submission.dependencies)
        manifest_deps: dict[str, str] = {}
        for line in manifest_lines:
            found = yield from self._one(line, "plugin.json", None, deps)
            if found is not None:
                manifest_deps[found.name] = found.spec
        if text is not None and manifest_lines and file_deps != manifest_deps:
            differ = sorted(set(file_deps.items()) ^ set(manifest_deps.items()))
            yield rules.D006.at(REQUIREMENTS, detail=", ".join(f"{n}{s}" for n, s in differ)[:300])
        unique: dict[str, Dependency] = {}
        unpinned: dict[str, Dependency] = {}
        for dep in deps:
            unique.setdefault(dep.name, dep)  # one report per dependency, requirements.txt first
            if dep.pinned is None:
                unpinned.setdefault(dep.name, dep)  # pinned in one file but not the other is still unpinned
        for dep in unpinned.values():
            yield rules.D003.at(dep.source, dep.line, name=dep.name, spec=dep.spec or "*")
        if len(unique) > MAX_REQUIREMENTS:
            yield rules.D005.at(detail=f"超过 {MAX_REQUIREMENTS} 个依赖 / more than {MAX_REQUIREMENTS} dependencies")
            return
        # Name-level problems are reported once per name; each distinct pin is checked (a different pin in
        # plugin.json than in requirements.txt is a D006 warning, and both versions must be sound).
        pins: dict[tuple[str, str], Dependency] = {}
        for dep in deps:
            if dep.pinned is not None:
                pins.setdefault((dep.name, dep.pinned), dep)
        pinned = list(pins.values())
        # pip-audit's OSV queries wait on the network: started now, they run while the typosquat, import and
        # index checks below work, and their answer is read last.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="wxreg-pip-audit") as audit_pool:
            audit = audit_pool.submit(run_pip_audit, ctx, pinned) if pinned else None
            squats: set[str] = set()
            for dep in unique.values():
                if squat := near_miss(dep.name):
                    squats.add(dep.name)
                    yield rules.D011.at(dep.source, dep.line, name=dep.name, popular=squat[0], how=squat[1])
            yield from self._imports(ctx, unique, squats)
            if audit is not None:
                yield from self._index(ctx, pinned, squats)
                yield from self._audit(pinned, audit.result())

    def _index(self, ctx: ReviewContext, deps: list[Dependency], squats: set[str]) -> Iterator[Finding]:
        answers = ask_all(
            ctx.tools.pypi_url, [(d.name, d.pinned or "") for d in deps], ctx.tools.network_timeout_seconds
        )
        for dep, answer in zip(deps, answers, strict=True):
            if answer.status is Status.MISSING and dep.name not in squats:  # the typosquat finding says more
                yield rules.D008.at(dep.source, dep.line, name=dep.name, version=dep.pinned)
            elif answer.status is Status.YANKED:
                reason = answer.detail or "未说明原因 / no reason given"
                yield rules.D009.at(dep.source, dep.line, name=dep.name, version=dep.pinned, reason=reason)
            elif answer.status is Status.UNCHECKED:
                yield rules.D010.at(dep.source, dep.line, name=dep.name, version=dep.pinned, detail=answer.detail)

    def _imports(self, ctx: ReviewContext, declared: dict[str, Dependency], squats: set[str]) -> Iterator[Finding]:
        table = load_import_table()
        files = [(item, tree) for item, tree in ctx.code.parsed() if item.role == "runtime"]
        runtime = [(item.path, tree) for item, tree in files]
        walked = {item.path: item.nodes() for item, _ in files}
        imports = third_party_imports(runtime, ctx.code.module_names, table, walked)
        reported: set[str] = set()
        used: set[str] = set()
        for found in imports:
            distribution = canonicalize_name(found.distribution)
            used.add(distribution)
            if distribution in declared or distribution in reported or found.optional:
                continue
            reported.add(distribution)
            yield rules.D012.at(found.path, found.line, module=found.module, distribution=found.distribution)
        if runtime:
            top_level = {i.module.split(".")[0] for i in imports}
            for name, dep in declared.items():
                if name in squats:
                    continue  # the typosquat finding already names this dependency
                if name not in used and not (table.import_names(name) & top_level):
                    yield rules.D013.at(dep.source, dep.line, name=name)

    def _one(
        self, line: str, source: str, number: int | None, deps: list[Dependency]
    ) -> Generator[Finding, None, Dependency | None]:
        requirement, problem = parse_requirement_line(line)
        if problem == "forbidden":
            yield rules.D001.at(source, number, text=line.strip())
            return None
        if problem is not None:
            yield rules.D002.at(source, number, text=line.strip(), detail=problem)
            return None
        if requirement is None:
            return None
        dep = Dependency(
            canonicalize_name(requirement.name), str(requirement.specifier), pinned_version(requirement), source, number
        )
        deps.append(dep)
        return dep

    def _audit(self, deps: list[Dependency], audited: tuple[dict[str, Any] | None, str | None]) -> Iterator[Finding]:
        report, problem = audited
        if report is None:
            yield rules.D005.at(detail=problem)
            return
        seen: dict[str, dict[str, Any]] = {}
        for entry in report["dependencies"]:
            if isinstance(entry, dict) and "name" in entry:
                seen[canonicalize_name(str(entry["name"]))] = entry
        for dep in deps:
            entry = seen.get(dep.name)
            if entry is None or "skip_reason" in entry or entry.get("version") is None:
                reason = (entry or {}).get("skip_reason", "未审计 / not audited")
                yield rules.D005.at(dep.source, dep.line, detail=f"{dep.name}=={dep.pinned}: {reason}")
                continue
            for vuln in entry.get("vulns") or []:
                fixes = ", ".join(vuln.get("fix_versions") or []) or "无修复版本 / no fixed version"
                yield rules.D004.at(
                    dep.source, dep.line, name=dep.name, version=dep.pinned, vuln=vuln.get("id", "?"), fix=fixes
                )
