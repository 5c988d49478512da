"""Permissions: what the code uses (imports and calls, parsed with ast) against what plugin.json declares."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from wxreg.review import rules
from wxreg.review.checks._ast import aliases, qualified
from wxreg.review.context import ReviewContext
from wxreg.review.findings import Finding

HTTP = ("network.http", "network.https")
DATABASE = ("database.read", "database.write")

# Module (or module prefix) whose import alone is a use, -> permissions any one of which covers it.
MODULES: dict[str, tuple[str, ...]] = {
    "requests": HTTP, "httpx": HTTP, "aiohttp": HTTP, "urllib.request": HTTP, "urllib3": HTTP,
    "http.client": HTTP, "pycurl": HTTP, "httplib2": HTTP, "treq": HTTP, "ftplib": HTTP, "smtplib": HTTP,
    "socket": ("network.socket",), "socketserver": ("network.socket",), "websocket": ("network.socket",),
    "websockets": ("network.socket",), "asyncio.open_connection": ("network.socket",),
    "asyncio.start_server": ("network.socket",), "ssl": ("network.socket",),
    "subprocess": ("system.command",), "pty": ("system.command",), "commands": ("system.command",),
    "asyncio.create_subprocess_exec": ("system.command",), "asyncio.create_subprocess_shell": ("system.command",),
    "winreg": ("system.registry",), "_winreg": ("system.registry",),
    "sqlite3": DATABASE, "pymysql": DATABASE, "psycopg2": DATABASE, "sqlalchemy": DATABASE, "redis": DATABASE,
    "pymongo": DATABASE, "aiosqlite": DATABASE, "mysql": DATABASE, "peewee": DATABASE,
    "ctypes": ("file.execute",), "cffi": ("file.execute",),
}  # fmt: skip
# Calls (fully qualified) -> permissions.
CALLS: dict[str, tuple[str, ...]] = {
    "os.system": ("system.command",), "os.popen": ("system.command",), "os.startfile": ("file.execute",),
    "os.remove": ("file.write",), "os.unlink": ("file.write",), "os.rename": ("file.write",),
    "os.replace": ("file.write",), "os.makedirs": ("file.write",), "os.mkdir": ("file.write",),
    "os.rmdir": ("file.write",), "os.removedirs": ("file.write",), "os.chmod": ("file.write",),
    "os.truncate": ("file.write",), "os.symlink": ("file.write",), "os.link": ("file.write",),
    "shutil.copy": ("file.write",), "shutil.copy2": ("file.write",), "shutil.copyfile": ("file.write",),
    "shutil.copytree": ("file.write",), "shutil.move": ("file.write",), "shutil.rmtree": ("file.write",),
    "tempfile.mkstemp": ("file.write",), "tempfile.NamedTemporaryFile": ("file.write",),
    "io.open": ("file.read",), "codecs.open": ("file.read",),
}  # fmt: skip
CALL_PREFIXES: dict[str, tuple[str, ...]] = {
    "os.exec": ("system.command",),
    "os.spawn": ("system.command",),
    "os.posix_spawn": ("system.command",),
}
WRITE_METHODS = {"write_text": "file.write", "write_bytes": "file.write", "read_text": "file.read",
                 "read_bytes": "file.read", "unlink": "file.write", "mkdir": "file.write", "touch": "file.write",
                 "rmdir": "file.write", "rename": "file.write", "symlink_to": "file.write"}  # fmt: skip


MODE = re.compile(r"^[rwabxt+]{1,3}$")


@dataclass(frozen=True)
class Use:
    permissions: tuple[str, ...]
    evidence: str
    path: str
    line: int


def _open_mode(call: ast.Call) -> str:
    mode: ast.expr | None = call.args[1] if len(call.args) > 1 else None
    for keyword in call.keywords:
        if keyword.arg == "mode":
            mode = keyword.value
    if mode is None:
        return "r"
    if isinstance(mode, ast.Constant) and isinstance(mode.value, str):
        return mode.value
    return "w"  # unknown at parse time: assume the worst


def uses_in(tree: ast.Module, path: str) -> tuple[list[Use], bool]:
    """Permission uses found in one module, and whether it imports dynamically."""
    names = aliases(tree)
    found: list[Use] = []
    dynamic = False

    def module_use(module: str, line: int) -> None:
        for prefix, perms in MODULES.items():
            if module == prefix or module.startswith(prefix + "."):
                found.append(Use(perms, f"import {module}", path, line))
                return

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                module_use(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            module_use(node.module, node.lineno)
            for alias in node.names:
                module_use(f"{node.module}.{alias.name}", node.lineno)
        elif isinstance(node, ast.Call):
            name = qualified(node.func, names)
            if name in ("__import__", "importlib.import_module", "importlib.__import__", "builtins.__import__"):
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    module_use(first.value, node.lineno)
                else:
                    dynamic = True
                continue
            if name in ("getattr", "builtins.getattr") and len(node.args) >= 2:
                # getattr(os, "system") is os.system; getattr(os, name) cannot be known statically.
                target = qualified(node.args[0], names) or ""
                attr = node.args[1]
                if isinstance(attr, ast.Constant) and isinstance(attr.value, str):
                    full = f"{target}.{attr.value}"
                    module_use(full, node.lineno)
                    perms = CALLS.get(full) or next(
                        (p for prefix, p in CALL_PREFIXES.items() if full.startswith(prefix)), None
                    )
                    if perms:
                        found.append(Use(perms, f"getattr({target}, {attr.value!r})", path, node.lineno))
                elif target in ("os", "builtins", "__builtins__", "subprocess", "socket", "importlib"):
                    dynamic = True
            if name in ("open", "builtins.open", "io.open", "codecs.open", "os.open", "os.fdopen"):
                mode = _open_mode(node)
                perm = "file.write" if any(ch in mode for ch in "wax+") else "file.read"
                if name == "os.open":
                    perm = "file.write"
                found.append(Use((perm,), f"{name}(mode={mode!r})", path, node.lineno))
                continue
            if name in CALLS:
                found.append(Use(CALLS[name], f"{name}()", path, node.lineno))
                continue
            if name:
                for prefix, perms in CALL_PREFIXES.items():
                    if name.startswith(prefix):
                        found.append(Use(perms, f"{name}()", path, node.lineno))
            if isinstance(node.func, ast.Attribute) and node.func.attr in WRITE_METHODS:
                found.append(Use((WRITE_METHODS[node.func.attr],), f".{node.func.attr}()", path, node.lineno))
            if isinstance(node.func, ast.Attribute) and node.func.attr == "open":
                # Path(...).open("w"): the mode is the first argument when it looks like a mode.
                first = node.args[0] if node.args else None
                for keyword in node.keywords:
                    if keyword.arg == "mode":
                        first = keyword.value
                if isinstance(first, ast.Constant) and isinstance(first.value, str) and MODE.match(first.value):
                    perm = "file.write" if any(ch in first.value for ch in "wax+") else "file.read"
                    found.append(Use((perm,), f".open({first.value!r})", path, node.lineno))
    return found, dynamic


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
        used: set[str] = set()
        reported: set[tuple[str, str]] = set()
        for item in ctx.code.files:
            parsed = item.module()
            if isinstance(parsed, SyntaxError):
                continue  # compatibility and security report unparsable code
            uses, dynamic = uses_in(parsed, item.path)
            if dynamic:
                yield rules.P003.at(item.path)
            for use in uses:
                used.update(use.permissions)
                if declared.intersection(use.permissions):
                    continue
                key = (item.path, use.permissions[0])
                if key in reported:
                    continue
                reported.add(key)
                yield rules.P001.at(use.path, use.line, permission=" | ".join(use.permissions), evidence=use.evidence)
        for permission in sorted(declared):
            if permission.split(".")[0] in ("network", "file", "database", "system") and permission not in used:
                if permission in HTTP and used.intersection(HTTP):
                    continue
                if permission in DATABASE and used.intersection(DATABASE):
                    continue
                yield rules.P002.at("plugin.json", permission=permission)
