"""The capability table (``registry/capabilities.json``): what every importable module can do.

``python -m wxreg.review.rubric --capabilities > scripts/wxreg/review/CAPABILITIES.md`` renders it for authors
("which permission does ``smtplib`` need?"); a test keeps the committed file fresh.

Deny by default: a module that is not in the table cannot be explained, so it is an error. Each entry is
``"pure"``, a list of capabilities (every use of the module grants them), or an object with
``"attributes"`` (attribute name -> ``"pure"`` or capabilities) and a ``"default"`` for the attributes not
listed (``"deny"``: an unlisted attribute is an error too). Capabilities map to the plugin permissions that
cover them (any one suffices); ``dynamic``, ``native`` and ``install`` map to none: no permission covers
them. Keys are top-level import names (``yaml``, ``PIL``), optionally dotted for submodules; the longest
listed prefix of a name decides.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from wxreg.config import REPO_ROOT
from wxreg.review.policy import PolicyError

CAPABILITIES_PATH = REPO_ROOT / "registry" / "capabilities.json"
SCHEMA = "wxreg-capabilities/1"
UNPERMITTED = ("dynamic", "native", "install")
"""Capabilities no plugin permission covers: each use is an error of its own class."""

Caps = tuple[str, ...]


@dataclass(frozen=True)
class Capability:
    name: str
    permissions: tuple[str, ...]
    zh: str
    en: str


@dataclass(frozen=True)
class ModuleEntry:
    name: str
    default: Caps | None
    """Capabilities of an attribute not listed; ``None``: an unlisted attribute is an error."""
    attributes: Mapping[str, Caps] = field(default_factory=dict)

    @property
    def pure(self) -> bool:
        """Nothing this module offers needs a permission (so passing the module object around is harmless)."""
        return self.default == () and not any(self.attributes.values())

    def attribute(self, name: str) -> Caps | None:
        return self.attributes.get(name, self.default)


@dataclass(frozen=True)
class Resolved:
    """A dotted name looked up in the table."""

    entry: ModuleEntry
    attribute: str | None
    """The first attribute after the module (``system`` in ``os.system``), ``None`` for the module itself."""
    caps: Caps | None
    """What the use grants; ``None``: an attribute the table does not explain."""


@dataclass(frozen=True, eq=False)
class CapabilityTable:
    version: str
    capabilities: Mapping[str, Capability]
    modules: Mapping[str, ModuleEntry]
    methods: Mapping[str, Caps]
    """Method names that are a capability whatever object they are called on (``loop.subprocess_shell``)."""

    def entry(self, dotted: str) -> tuple[ModuleEntry, str] | None:
        """The entry of the longest listed prefix of ``dotted`` and the rest of the name."""
        parts = dotted.split(".")
        for cut in range(len(parts), 0, -1):
            found = self.modules.get(".".join(parts[:cut]))
            if found is not None:
                return found, ".".join(parts[cut:])
        return None

    def resolve(self, dotted: str) -> Resolved | None:
        """What ``dotted`` grants (the same few names recur thousands of times in a plugin: answered once)."""
        cache = self._resolved
        if dotted in cache:
            return cache[dotted]
        answer = cache[dotted] = self._resolve(dotted)
        return answer

    @cached_property
    def _resolved(self) -> dict[str, Resolved | None]:
        return {}

    def _resolve(self, dotted: str) -> Resolved | None:
        found = self.entry(dotted)
        if found is None:
            return None
        entry, rest = found
        if not rest:
            return Resolved(entry, None, entry.default if entry.default is not None and not entry.attributes else ())
        attribute = rest.split(".", 1)[0]
        return Resolved(entry, attribute, entry.attribute(attribute))

    def permissions(self, caps: Caps) -> tuple[str, ...]:
        found: list[str] = []
        for cap in caps:
            found += self.capabilities[cap].permissions
        return tuple(dict.fromkeys(found))

    @cached_property
    def dangerous_attribute_names(self) -> frozenset[str]:
        """Every attribute name the table marks with a capability (for ``operator.attrgetter`` and friends)."""
        names = {name for entry in self.modules.values() for name, caps in entry.attributes.items() if caps}
        return frozenset(names | set(self.methods))


def _caps(value: Any, known: Mapping[str, Capability], where: str) -> Caps | None:
    if value == "pure":
        return ()
    if value == "deny":
        return None
    if isinstance(value, list) and value and all(isinstance(c, str) and c in known for c in value):
        return tuple(value)
    raise PolicyError(f"能力表无效 / capability table is invalid at {where}: {value!r}")


def parse_table(raw: Mapping[str, Any]) -> CapabilityTable:
    if raw.get("schema") != SCHEMA:
        raise PolicyError(f"能力表 schema 应为 {SCHEMA} / capability table schema must be {SCHEMA}")
    known = {
        name: Capability(name, tuple(spec["permissions"]), str(spec["zh"]), str(spec["en"]))
        for name, spec in raw["capabilities"].items()
    }
    modules: dict[str, ModuleEntry] = {}
    for name, spec in raw["modules"].items():
        if isinstance(spec, dict):
            attributes = {}
            for attr, value in spec.get("attributes", {}).items():
                caps = _caps(value, known, f"{name}.{attr}")
                if caps is None:
                    raise PolicyError(f"能力表无效 / capability table is invalid at {name}.{attr}")
                attributes[attr] = caps
            modules[name] = ModuleEntry(name, _caps(spec.get("default", "deny"), known, name), attributes)
        else:
            caps = _caps(spec, known, name)
            if caps is None:
                raise PolicyError(f"能力表无效 / capability table is invalid at {name}")
            modules[name] = ModuleEntry(name, caps)
    methods = {}
    for name, value in raw.get("methods", {}).items():
        caps = _caps(value, known, f"methods.{name}")
        methods[name] = caps or ()
    return CapabilityTable(str(raw["version"]), known, modules, methods)


@lru_cache(maxsize=4)
def load_table(path: Path = CAPABILITIES_PATH) -> CapabilityTable:
    try:
        return parse_table(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PolicyError(f"能力表无效 / capability table is invalid: {path}: {exc}") from exc


def _caps_text(table: CapabilityTable, caps: Caps | None) -> str:
    if caps is None:
        return "❌ 未说明 / not explained"
    if not caps:
        return "—"
    parts = []
    for cap in caps:
        perms = table.capabilities[cap].permissions
        parts.append(
            " 或 / or ".join(f"`{p}`" for p in perms)
            if perms
            else f"❌ {cap}（无权限可覆盖 / no permission covers it）"
        )
    return "; ".join(parts)


def render_capabilities(table: CapabilityTable | None = None) -> str:
    """The module table as markdown: module, what it grants, the permission(s) that cover it."""
    t = table or load_table()
    lines = [
        f"# 模块能力表 / Module capability table (version {t.version})",
        "",
        "由 `python -m wxreg.review.rubric --capabilities` 从 `registry/capabilities.json` 生成。表中没有的模块是错误"
        "（`WXR-P005`）；维护者通过 PR 修改该表，像代码一样审核。",
        "/ Generated by `python -m wxreg.review.rubric --capabilities` from `registry/capabilities.json`."
        " A module not in the table is an error (`WXR-P005`); maintainers change the table by a pull request,"
        " reviewed like code.",
        "",
        "「—」表示纯计算，不需要权限；「❌」表示没有权限可以覆盖（动态代码、本机代码、运行时安装），总是错误。"
        "若模块按属性区分，只列出需要权限或未说明的默认情况；未列出的属性不需要权限，"
        "除非默认值为「未说明」（此时使用未列出的属性是错误 `WXR-P006`）。",
        "/ '—' means pure, no permission needed; '❌' means no permission covers it (dynamic code, native code,"
        " run-time installs): always an error. For modules judged attribute by attribute, only the attributes that"
        " need a permission are listed; an unlisted attribute takes the default ('not explained': `WXR-P006`).",
        "",
        "## 能力 / Capabilities",
        "",
        "| 能力 / Capability | 说明 / Meaning | 覆盖它的权限（任一） / Covered by (any one) |",
        "|---|---|---|",
    ]
    for cap in t.capabilities.values():
        perms = ", ".join(f"`{p}`" for p in cap.permissions) or "❌"
        lines.append(f"| `{cap.name}` | {cap.zh} / {cap.en} | {perms} |")
    lines += [
        "",
        "## 模块 / Modules",
        "",
        "| 模块 / Module | 使用即需要 / Any use needs | 按属性 / By attribute |",
        "|---|---|---|",
    ]
    for name, entry in sorted(t.modules.items(), key=lambda item: item[0].lower()):
        attrs = [f"`{attr}`: {_caps_text(t, caps)}" for attr, caps in sorted(entry.attributes.items()) if caps]
        default = _caps_text(t, entry.default) if not entry.attributes or entry.default != () else "—"
        if entry.attributes and entry.default is None:
            default = "其余属性 / other attributes: " + _caps_text(t, None)
        lines.append(f"| `{name}` | {default} | {'<br>'.join(attrs) or '—'} |")
    lines += [
        "",
        "## 任意对象上的方法 / Methods on any object",
        "",
        "| 方法 / Method | 需要 / Needs |",
        "|---|---|",
        *(f"| `.{name}()` | {_caps_text(t, caps)} |" for name, caps in sorted(t.methods.items())),
        "",
    ]
    return "\n".join(lines)

