"""``wxreg`` command line: a thin table of subcommands, each a function in a module.

To add a subcommand, write ``register(subparsers)`` in its module (it adds a parser and sets
``handler`` to a function taking the parsed arguments and returning an exit code) and list the
module with the subcommands it adds in :data:`SUBCOMMANDS`.

``wxreg <command> ...`` imports only the module of ``<command>``: importing every module costs half a second
(the client's modules alone bring in tuf and its signers), paid by every workflow step. Anything else
(``wxreg``, ``wxreg --help``, an unknown command) registers them all.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from wxreg.config import REPO_ROOT, working_root
from wxreg.errors import Problem, RegistryError
from wxreg.store import RegistryStore
from wxreg.validate import validate_registry

SUBCOMMANDS: dict[str, tuple[str, ...]] = {
    "wxreg.cli": ("build", "validate", "demo"),
    "wxreg.mirror_cli": ("mirror",),
    "wxreg.consumer_cli": ("client",),
    "wxreg.approval.cli": ("label-event", "refresh-prs", "check-pr", "announce", "stats", "add-plugin",
                           "update-plugin", "remove-plugin", "transfer", "release-claim"),
    "wxreg.review.author_cli": ("review",),
    "wxreg.doctor": ("doctor",),
    "wxreg.tuf_cli": ("tuf",),
    "wxreg.revocations": ("revoke",),
    "wxreg.catalog.cli": ("site",),
    "wxreg.lifecycle.cli": ("watch", "auto-update", "reaudit-scan", "reaudit-report", "queue"),
    "wxreg.review.popular": ("popular-packages",),
}
"""Modules whose ``register(subparsers)`` adds subcommands, with the subcommands each adds; later issues
append theirs (``tests/registry/test_config_versions_cli.py`` checks the table against the modules)."""

SUBCOMMAND_MODULES: tuple[str, ...] = tuple(SUBCOMMANDS)


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"共 {len(problems)} 个问题 / {len(problems)} problem(s)", file=sys.stderr)


def _root_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=working_root(),
                        help="含 registry/ 的仓库根目录（默认本检出；pip 安装的副本默认当前目录）/ repository root "
                             "that holds registry/ (default: this checkout; an installed copy: the current "
                             "directory when it holds registry/config.json)")


def run_build(args: argparse.Namespace) -> int:
    try:
        path = RegistryStore(args.root).write()
    except RegistryError as exc:
        _print_problems(exc.problems)
        return 1
    print(f"已生成 / built {path}")
    return 0


def run_validate(args: argparse.Namespace) -> int:
    problems = validate_registry(args.root)
    if problems:
        _print_problems(problems)
        print(f"注册表 / registry: {(args.root / 'registry').resolve()}", file=sys.stderr)
        return 1
    print(f"注册表有效 / registry is valid: {args.root / 'registry'}")
    return 0


def run_demo(args: argparse.Namespace) -> int:
    """Until the end-to-end demo exists: build, validate and break a copy of the bundled example registry."""
    example = REPO_ROOT / "tests" / "fixtures" / "registry-example"
    print("演示（示例数据的副本）/ demo on a copy of tests/fixtures/registry-example\n")
    with tempfile.TemporaryDirectory(prefix="wxreg-demo-") as temp:
        root = Path(temp) / "registry-example"
        shutil.copytree(example, root)
        store = RegistryStore(root)
        first = store.write().read_bytes()
        document = json.loads(first)
        print(f"1. wxreg build: {len(first)} bytes, sha256 {hashlib.sha256(first).hexdigest()[:16]}…, "
              f"last_updated {document['last_updated']}")
        for entry in document["plugins"]:
            print(f"   - {entry['plugin_id']:<24} {entry['versions']['latest']:<8} {entry['category']:<12} "
                  f"{entry['release']['digest'][:20]}…")
        again = store.build()
        print(f"2. 再次构建字节相同 / rebuilt byte-identical: {again == first}")
        problems = validate_registry(root)
        print(f"3. wxreg validate: {len(problems)} 个问题 / problem(s)")
        plugin = root / "registry" / "plugins" / "weather_query.json"
        broken = json.loads(plugin.read_text(encoding="utf-8"))
        del broken["author"]["email"]
        plugin.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
        print("4. 删除 author.email 后 / after deleting author.email:")
        for problem in validate_registry(root):
            print("   " + str(problem).replace("\n", "\n   "))
        status = 0 if again == first and not problems else 1
    print("\n5. 本仓库的注册表 / this repository's registry:")
    return status or run_validate(argparse.Namespace(root=args.root))


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    build = subparsers.add_parser(
        "build", help="从源文件重新生成 registry/registry.json / regenerate registry/registry.json from the sources")
    _root_argument(build)
    build.set_defaults(handler=run_build)
    validate = subparsers.add_parser(
        "validate", help="检查源文件且 registry.json 为最新 / check the sources and that registry.json is up to date")
    _root_argument(validate)
    validate.set_defaults(handler=run_validate)
    demo = subparsers.add_parser(
        "demo", help="构建并验证自带的示例注册表 / build and validate the bundled example registry")
    _root_argument(demo)
    demo.set_defaults(handler=run_demo)


def make_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand, or of ``command`` alone when :data:`SUBCOMMANDS` names it."""
    parser = argparse.ArgumentParser(
        prog="wxreg", description="WXAUTO-MGT 插件注册表工具 / WXAUTO-MGT plugin registry tools")
    subparsers = parser.add_subparsers(dest="command", required=True)
    modules = [name for name, commands in SUBCOMMANDS.items() if command in commands] or SUBCOMMAND_MODULES
    for name in modules:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = make_parser(arguments[0] if arguments else None).parse_args(arguments)
    status: int = args.handler(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
