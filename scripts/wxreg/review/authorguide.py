"""The generated parts of CONTRIBUTING.md: the rubric, the permission table and the troubleshooting table.

``python -m wxreg.review.authorguide`` rewrites each ``<!-- NAME:start -->`` ... ``<!-- NAME:end -->`` block
of CONTRIBUTING.md from what the review runs on (the capability table ``registry/capabilities.json``, the
finding catalogue, the policy); ``--check`` exits 1 when the file is stale. A test runs the check, so the
guide cannot drift from the reviewer.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from wxreg.config import REPO_ROOT
from wxreg.review.capabilities import load_table
from wxreg.review.rubric import render_rubric
from wxreg.review.rules import ALL_RULES
from wxreg.schema import MANIFEST_SCHEMA_PATH

CONTRIBUTING = REPO_ROOT / "CONTRIBUTING.md"
MAX_SHOWN = 14
"""Uses shown per permission; the full table is scripts/wxreg/review/CAPABILITIES.md."""
MEANINGS: dict[str, str] = {
    "network.http": "明文 HTTP 请求 / plain HTTP requests",
    "network.https": "HTTPS 请求 / HTTPS requests",
    "network.socket": "原始套接字、WebSocket、TLS 连接 / raw sockets, WebSocket, TLS connections",
    "file.read": "读取文件（插件自己目录中的文件也算）/ reading files (the plugin's own folder included)",
    "file.write": "写、删、移动文件或目录 / writing, deleting or moving files and directories",
    "file.execute": "运行程序或加载本机代码 / running programs or loading native code",
    "config.read": "读取插件配置 / reading the plugin's configuration",
    "config.write": "修改插件配置 / changing the plugin's configuration",
    "database.read": "读取数据库 / reading a database",
    "database.write": "写入数据库 / writing a database",
    "message.process": "接收并处理微信消息 / receiving and handling WeChat messages",
    "message.send": "发送微信消息 / sending WeChat messages",
    "system.command": "执行系统命令、子进程 / running system commands and subprocesses",
    "system.registry": "读写 Windows 注册表 / reading or writing the Windows registry",
}
"""What each of the client's 14 permissions is for; the evidence column comes from the check itself."""


def client_permissions() -> list[str]:
    schema = json.loads(MANIFEST_SCHEMA_PATH.read_text(encoding="utf-8"))
    return list(schema["properties"]["permissions"]["items"]["enum"])


def _evidence() -> dict[str, list[str]]:
    """Permission -> the module names and ``module.attribute`` uses the capability table says need it."""
    table = load_table()
    found: dict[str, list[str]] = {}
    for name, entry in sorted(table.modules.items()):
        uses: list[tuple[str, tuple[str, ...]]] = []
        if entry.default:
            uses.append((f"`{name}`", entry.default))
        uses += [(f"`{name}.{attribute}`", caps) for attribute, caps in sorted(entry.attributes.items()) if caps]
        for text, caps in uses:
            for capability in caps:
                known = table.capabilities.get(capability)
                for permission in known.permissions if known else ():
                    if text not in found.setdefault(permission, []):
                        found[permission].append(text)
    return found


def render_permissions() -> str:
    evidence = _evidence()
    rows = [
        "| 权限 / Permission | 用途 / What it is for | 审核认定为使用的代码 / Code the review counts as a use |",
        "|---|---|---|",
    ]
    for permission in client_permissions():
        uses = evidence.get(permission)
        if uses and len(uses) > MAX_SHOWN:
            uses = [*uses[:MAX_SHOWN], f"…（另 {len(uses) - MAX_SHOWN} 项 / {len(uses) - MAX_SHOWN} more）"]
        shown = ", ".join(uses) if uses else "（无静态检查，按实际用途声明 / no static check: declare it if you do it）"
        rows.append(f"| `{permission}` | {MEANINGS.get(permission, '')} | {shown} |")
    note = ("完整的模块表见 `scripts/wxreg/review/CAPABILITIES.md`；不在表中的模块是错误 `WXR-P005`。"
            "/ The whole module table is `scripts/wxreg/review/CAPABILITIES.md`; a module not in it is the error "
            "`WXR-P005`. "
            "一行里列出多个权限（如 `network.http`/`network.https`）时，声明其中任何一个即可。`open()` 按模式算作 "
            "`file.read` 或 `file.write`。模块名表示导入它（或调用其中的函数）即算使用。"
            "/ Where a use maps to several permissions (`network.http`/`network.https`), "
            "declaring any one of them covers it. `open()` counts as `file.read` or `file.write` by its mode. A module "
            "name means importing it (or calling into it) counts as a use.")
    return "\n".join([*rows, "", note])


def render_troubleshooting() -> str:
    rows = ["| 编号 / Id | 含义 / Meaning | 修复 / Fix |", "|---|---|---|"]
    for rule in ALL_RULES.values():
        meaning = f"{rule.zh} / {rule.en}".replace("{{", "{").replace("}}", "}").replace("|", "\\|")
        rows.append(f"| `{rule.id}` | {meaning} | {rule.fix.replace('|', chr(92) + '|')} |")
    return "\n".join(rows)


def sections() -> dict[str, str]:
    return {"rubric": render_rubric().rstrip("\n"), "permissions": render_permissions(),
            "troubleshooting": render_troubleshooting()}


def _replacement(body: str) -> Callable[[re.Match[str]], str]:
    return lambda match: match.group(1) + body + "\n" + match.group(2)


def update(text: str) -> str:
    """``text`` with every generated block replaced by its fresh rendering (blocks must exist)."""
    for name, body in sections().items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n)(?:.*?\n)?(<!-- {name}:end -->)", re.DOTALL)
        if not pattern.search(text):
            raise ValueError(f"CONTRIBUTING.md has no <!-- {name}:start --> ... <!-- {name}:end --> block")
        text = pattern.sub(_replacement(body), text)
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wxreg.review.authorguide", description=__doc__)
    parser.add_argument("path", type=Path, nargs="?", default=CONTRIBUTING)
    parser.add_argument("--check", action="store_true", help="exit 1 when the file is stale; write nothing")
    args = parser.parse_args(argv)
    current = args.path.read_text(encoding="utf-8")
    fresh = update(current)
    if args.check:
        if fresh != current:
            print(f"{args.path} 已过期，请运行 / is stale; run: python -m wxreg.review.authorguide", file=sys.stderr)
            return 1
        return 0
    args.path.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
