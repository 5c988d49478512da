"""The capability table and the analysis that reads code through it."""

from __future__ import annotations

import re

import pytest

from wxreg.review.analysis import analyse
from wxreg.review.capabilities import CAPABILITIES_PATH, load_table, parse_table
from wxreg.review.code import CodeFile
from wxreg.review.policy import PolicyError

PLUGIN_PERMISSIONS = {
    "network.http", "network.https", "network.socket", "file.read", "file.write", "file.execute", "config.read",
    "config.write", "database.read", "database.write", "message.process", "message.send", "system.command",
    "system.registry",
}  # fmt: skip


def test_table_is_well_formed_and_keyed_by_import_name() -> None:
    table = load_table()
    assert CAPABILITIES_PATH.name == "capabilities.json" and table.version
    for name in table.modules:
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*", name), name
    for capability in table.capabilities.values():
        assert set(capability.permissions) <= PLUGIN_PERMISSIONS
    for name in ("requests", "aiohttp", "httpx", "yaml", "PIL", "bs4", "openai", "os", "subprocess", "smtplib"):
        assert name in table.modules, name
    assert table.resolve("smtplib.SMTP") is not None
    assert table.permissions(table.resolve("smtplib.SMTP").caps or ()) == ("network.socket",)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "raw",
    [
        {"schema": "other", "version": "1", "capabilities": {}, "modules": {}},
        {"schema": "wxreg-capabilities/1", "version": "1", "capabilities": {}, "modules": {"os": ["nope"]}},
        {"schema": "wxreg-capabilities/1", "version": "1", "capabilities": {}, "modules": {"os": "deny"}},
    ],
)
def test_a_malformed_table_is_refused(raw: dict[str, object]) -> None:
    with pytest.raises((PolicyError, KeyError)):
        parse_table(raw)


def uses(source: str, path: str = "main.py") -> tuple[set[str], set[str]]:
    item = CodeFile.from_bytes(path, source.encode())
    tree = item.module()
    assert not isinstance(tree, SyntaxError)
    [report] = analyse([(item, tree)], load_table())
    caps = {cap for use in report.uses for cap in (use.caps or ("unexplained",))}
    return caps, {d.kind for d in report.dynamic}


@pytest.mark.parametrize(
    "source",
    [
        "import os\nm = os\nm.system('x')\n",
        "__import__('os').system('x')\n",
        "import asyncio\nasyncio.create_subprocess_shell('x')\n",
        "import importlib\nimportlib.import_module('subprocess').run(['x'])\n",
        "from os import system as run\nrun('x')\n",
        "import os\ngetattr(os, 'system')('x')\n",
    ],
)
def test_process_use_is_seen_through_every_alias(source: str) -> None:
    caps, dynamic = uses(source)
    assert "process" in caps and not dynamic


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("import os\ngetattr(os, 'sys' + 'tem')('x')\n", "computed-name"),
        ("import importlib\nimportlib.import_module(name)\n", "computed-import"),
        ("x = vars(__builtins__)\n", "builtins"),
        ("f = (lambda: 0).__globals__\n", "dunder"),
        ("import os\nprint(os)\n", "escape"),
        ("import operator\noperator.attrgetter('system')\n", "getter"),
    ],
)
def test_what_cannot_be_followed_is_dynamic(source: str, kind: str) -> None:
    assert kind in uses(source)[1]


def test_honest_code_is_quiet() -> None:
    caps, dynamic = uses(
        "import json, os, re\nfrom dataclasses import dataclass\n\n@dataclass\nclass A:\n    x: int = 0\n\n"
        "def f(self, name):\n    return getattr(self, f'cmd_{name}', None), os.path.join('a', 'b'), json.dumps({})\n"
    )
    assert caps == set() and dynamic == set()
