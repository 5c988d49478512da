"""Load the adversarial corpus (``tests/review/corpus``) and review its cases straight from memory.

A case is the good example plugin plus the files of its ``.case`` spec (see ``corpus/README.md``).
The tree is handed to the engine directly (no git, no clone), so hundreds of cases review in seconds.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.plugins import GOOD_PLUGIN
from wxreg.digest import dirhash
from wxreg.review.checks import SecurityCheck, default_checks
from wxreg.review.context import Check
from wxreg.review.engine import ReviewOptions, ReviewRequest, ReviewResult, review
from wxreg.review.source import PluginTree, TreeFile

CORPUS = Path(__file__).resolve().parents[1] / "review" / "corpus"
COMMIT = "c0ffee" + "0" * 34


@dataclass(frozen=True)
class Case:
    name: str
    kind: str
    """``malicious`` or ``benign``."""
    expect: tuple[str, ...]
    manifest: dict[str, object] = field(default_factory=dict)
    remove: tuple[str, ...] = ()
    files: tuple[tuple[str, str, str], ...] = ()
    """``(path, mode, content)``; mode ``""`` (replace), ``"+"`` (append) or ``"b64"``."""


def parse_case(path: Path) -> Case:
    text = path.read_text(encoding="utf-8")
    header, _, rest = text.partition("\n=== ")
    meta: dict[str, str] = {}
    for line in header.splitlines():
        if line.strip() and not line.startswith("#") and ":" in line:
            key, _, value = line.partition(":")
            meta[key.strip()] = value.split("  #", 1)[0].strip()
    files: list[tuple[str, str, str]] = []
    if rest:
        for block in ("=== " + rest).split("\n=== "):
            head, _, content = block.removeprefix("=== ").partition("\n")
            name, _, mode = head.strip().partition(" ")
            name = name.replace("\\s", " ")  # a literal "\s" in a path is a space (trailing spaces are a trick)
            files.append((name, mode.strip(), content))
    return Case(
        name=f"{path.parent.name}/{path.stem}",
        kind=path.parent.parent.name if path.parent.parent != CORPUS else path.parent.name,
        expect=tuple(meta.get("expect", "").split()),
        manifest=json.loads(meta["manifest"]) if "manifest" in meta else {},
        remove=tuple(meta.get("remove", "").split()),
        files=tuple(files),
    )


def load_cases(kind: str) -> list[Case]:
    return [parse_case(p) for p in sorted((CORPUS / kind).rglob("*.case"))]


def case_files(case: Case, canary: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for path in sorted(GOOD_PLUGIN.rglob("*")):
        if path.is_file():
            files[path.relative_to(GOOD_PLUGIN).as_posix()] = path.read_bytes()
    for name in case.remove:
        files.pop(name, None)
    if case.manifest:
        manifest = json.loads(files["plugin.json"])
        for key, value in case.manifest.items():
            if value is None:
                manifest.pop(key, None)
            else:
                manifest[key] = value
        files["plugin.json"] = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
    for name, mode, content in case.files:
        content = content.replace("{CANARY}", str(canary))
        if mode == "b64":
            data = base64.b64decode("".join(content.split()))
        elif mode.startswith("enc="):
            data = content.encode(mode.removeprefix("enc="))
        else:
            data = content.encode("utf-8")
        files[name] = files.get(name, b"") + data if mode == "+" else data
    return files


@dataclass(frozen=True)
class MemorySource:
    """A :class:`~wxreg.review.source.PluginSource` over files held in memory."""

    files: dict[str, bytes]

    def read(self, tag: str, *, expected_commit: str | None = None) -> PluginTree:
        items = tuple(TreeFile(path, "100644", data) for path, data in sorted(self.files.items()))
        digest = dirhash((f.path, f.data) for f in items)
        return PluginTree("corpus", tag, COMMIT, digest, items)


def review_case(case: Case, options: ReviewOptions, canary: Path) -> ReviewResult:
    from dataclasses import replace

    source = MemorySource(case_files(case, canary))
    return review(ReviewRequest("corpus", "v1.0.0"), replace(options, source=source))


def fast_checks(*scanners: str) -> tuple[Check, ...]:
    """Every check but the scanners (no bandit, GuardDog or pip-audit subprocess), except the scanner checks
    named in ``scanners`` (``security`` with bandit, ``guarddog``, ``dependencies``), which run in full."""
    checks: list[Check] = []
    for check in default_checks(guarddog="guarddog" in scanners):
        if check.name in scanners:
            checks.append(check)
        elif check.name not in ("dependencies", "guarddog"):
            checks.append(SecurityCheck(bandit=False) if check.name == "security" else check)
    return tuple(checks)


LISTED = {"plugin_id": "weather_query", "name": "天气查询 Weather",
          "repository": {"primary": {"url": "https://github.com/someone/weather"}}}  # fmt: skip
REMOVED = [{"plugin_id": "wx_helper_bot", "name": "群发助手 Mass Sender", "reason": "malware", "severity": "critical",
            "date": "2026-01-01"}]  # fmt: skip


def supply_registry(root: Path) -> Path:
    """The registry the supply cases are reviewed against: one listed and one removed plugin (the supply corpus
    tests and ``bench/engine_table.py``)."""
    (root / "plugins").mkdir(parents=True, exist_ok=True)
    (root / "plugins" / "weather_query.json").write_text(json.dumps(LISTED, ensure_ascii=False), encoding="utf-8")
    (root / "removed.json").write_text(json.dumps(REMOVED, ensure_ascii=False), encoding="utf-8")
    return root
