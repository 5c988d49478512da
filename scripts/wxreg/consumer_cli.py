"""``wxreg client ...``: the reference consumer from the command line.

Sources default to this registry's own URLs (``registry/config.json``: GitHub raw first, then
Gitee raw, then the optional Pages copy); ``--source`` (repeatable) replaces them, in the order
given, so any third-party registry can be read the same way. A source is ``NAME=URL`` or just a URL
or a path; ``http(s)://``, ``file:`` URLs and plain paths to a ``registry.json`` are accepted.

Output is for people by default (one line per item); ``--json`` prints JSON. Errors are one short
bilingual line each and exit 1; no traceback for anything a user can get wrong.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from requests_file import FileAdapter

from wxreg.config import REPO_ROOT, RegistryConfig
from wxreg.consumer import ConsumerError, Marketplace, RegistrySource
from wxreg.errors import ModelError

DEFAULT_CACHE = Path.home() / ".cache" / "wxreg-client"
MAX_DETAIL = 120
_EXCEPTION_REPR = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*(?:Error|Exception|Timeout)): [^;\n]*")


def parse_source(spec: str, priority: int) -> RegistrySource:
    """``NAME=URL``, a URL or a path -> a source; :class:`ConsumerError` with the accepted forms."""
    name, sep, location = spec.partition("=")
    if not sep or "/" in name or ":" in name:
        name, location = "", spec  # a bare URL or path (which may itself contain '=')
    location = location.strip()
    scheme = urlsplit(location).scheme.lower()
    if scheme in ("http", "https", "file"):
        url = location
    elif location and len(scheme) <= 1:  # a path (a Windows drive letter parses as a one-letter scheme)
        path = Path(location).expanduser()
        if path.is_dir():
            path = path / "registry.json"
        if not path.is_file():
            raise ConsumerError(f"找不到文件 / no such file: {path}")
        url = path.resolve().as_uri()
    else:
        raise ConsumerError(f"--source 应为 NAME=URL、URL 或路径（http、https、file）/ --source must be NAME=URL, a "
                            f"URL or a path (http, https, file): {spec!r}")
    return RegistrySource(name or urlsplit(url).hostname or "file", url, priority)


def sources_from(args: argparse.Namespace) -> list[RegistrySource]:
    if args.source:
        return [parse_source(spec, priority) for priority, spec in enumerate(args.source)]
    try:
        config = RegistryConfig.load(args.config)
    except (OSError, ValueError, ModelError) as exc:
        raise ConsumerError(f"无法读取配置 / cannot read {args.config}: {short(str(exc))}") from None
    urls = [("GitHub", config.registry_url), ("Gitee", config.gitee_registry_url)]
    if config.pages_url:
        urls.append(("Pages", config.pages_url))
    return [RegistrySource(name, url, priority) for priority, (name, url) in enumerate(urls)]


def trusted_root_from(args: argparse.Namespace) -> bytes | None:
    """The TUF root to verify with: ``--trusted-root``, else (for this registry's own sources) the root this
    checkout ships in ``registry/metadata/root.json``; ``None`` (unverified) only when neither exists."""
    if args.trusted_root is not None:
        return Path(args.trusted_root).read_bytes()
    shipped = args.config.parent / "metadata" / "root.json"
    return shipped.read_bytes() if not args.source and shipped.is_file() else None


def short(detail: str) -> str:
    """One short line: the exception's name instead of a long repr, the first line only, capped."""
    line = detail.strip().splitlines()[0] if detail.strip() else "?"
    if len(line) > MAX_DETAIL:
        line = _EXCEPTION_REPR.sub(r"\1", line)  # "ConnectionError: HTTPConnectionPool(...)" -> "ConnectionError"
    return line if len(line) <= MAX_DETAIL * 2 else line[: MAX_DETAIL * 2 - 1] + "…"


def _installed(items: list[str]) -> dict[str, str]:
    installed = {}
    for item in items:
        plugin_id, sep, version = item.partition("=")
        if not sep or not plugin_id or not version:
            raise ConsumerError(f"应为 ID=版本 / expected ID=VERSION, got {item!r}")
        installed[plugin_id] = version
    return installed


def _session() -> requests.Session:
    session = requests.Session()
    session.mount("file://", FileAdapter())
    return session


def _emit(args: argparse.Namespace, data: Any, human: Callable[[Any], list[str]]) -> None:
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        for line in human(data):
            print(line)


def run_client(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except ConsumerError as exc:
        print(f"错误 / error: {short(str(exc))}", file=sys.stderr)
    except OSError as exc:
        print(f"错误 / error: {exc.strerror or type(exc).__name__}: {exc.filename or ''}", file=sys.stderr)
    return 1


def _run(args: argparse.Namespace) -> int:
    market = Marketplace(sources_from(args), args.cache_dir, timeout=args.timeout, session=_session(),
                         trusted_root=trusted_root_from(args))
    if args.prefer:
        market.switch_source(args.prefer)
    if args.action == "sources":
        statuses = [asdict(status) for status in market.check_connectivity()]
        _emit(args, statuses, lambda rows: [
            f"{row['source']:<12} {'可达 / ok' if row['reachable'] else '不可达 / unreachable':<22} "
            f"{row['seconds']:.2f} s  {short(row['detail'])}" for row in rows])
        return 0 if any(row["reachable"] for row in statuses) else 1
    if args.action == "download":
        dest: Path = args.dest
        if dest.exists() and not dest.is_dir():
            raise ConsumerError(f"--dest 应为目录，而 {dest} 是文件 / --dest must be a directory; {dest} is a file")
    result = market.refresh_registry()
    print(result.describe(), file=sys.stderr)
    for attempt in result.attempts:
        if not attempt.ok:
            print(f"  {attempt.source}: {short(attempt.detail)}", file=sys.stderr)
    if args.action == "refresh":
        data = {"source": result.source, "not_modified": result.not_modified, "from_cache": result.from_cache,
                "cache_age_seconds": result.cache_age_seconds, "last_updated": result.last_updated,
                "plugins": result.plugin_count}
        _emit(args, data, lambda d: [f"{d['plugins']} 个插件，更新于 {d['last_updated']} / {d['plugins']} plugins, "
                                     f"last updated {d['last_updated']}"])
    elif args.action == "search":
        found = market.search_plugins(args.query, args.category, args.verified_only, args.tag)
        rows = [{"plugin_id": p["plugin_id"], "name": p.get("name"), "version": p["versions"]["latest"]}
                for p in found]
        _emit(args, rows, lambda rs: [f"{r['plugin_id']:<28} {r['version']:<10} {r['name']}" for r in rs]
              or ["没有匹配的插件 / no matching plugin"])
    elif args.action == "updates":
        updates = [asdict(update) for update in market.check_plugin_updates(_installed(args.installed))]
        _emit(args, updates, lambda us: [f"{u['plugin_id']}: {u['installed']} -> {u['available']}" for u in us]
              or ["没有可用更新 / no updates"])
    elif args.action == "download":
        downloaded = asdict(market.download_plugin(args.plugin_id, args.version, args.dest))
        _emit(args, downloaded, lambda d: [
            f"已下载 / downloaded {d['plugin_id']} {d['version']} -> {d['path']}",
            f"  提交 / commit {d['commit']}, 摘要已核对 / digest verified {d['digest']}"])
    elif args.action == "stats":
        _emit(args, market.get_plugin_statistics(), lambda s: [f"{key}: {value}" for key, value in s.items()])
    elif args.action == "audit":
        findings = [{**asdict(finding), "path": str(finding.path)}
                    for finding in market.audit_installed(args.installed)]
        _emit(args, findings, lambda fs: [f"{f['plugin_id']} {f['version']}: {f['status']} {short(f.get('detail', ''))}"
                                          for f in fs] or ["没有问题 / nothing revoked or unlisted"])
        return 1 if any(finding["status"] == "block" for finding in findings) else 0
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    client = subparsers.add_parser(
        "client", help="以客户端身份读取注册表：刷新、搜索、下载… / read the registry as a client: refresh, search, "
                       "download ...")
    client.add_argument("--source", action="append", default=[], metavar="[NAME=]URL_OR_PATH",
                        help="registry.json 的地址（http、https、file: 或路径），按优先级重复 / a registry.json URL "
                             "(http, https, file:) or path; repeat in priority order (default: this registry's URLs)")
    client.add_argument("--config", type=Path, default=REPO_ROOT / "registry" / "config.json",
                        help="注册表配置 / the registry config naming the default sources")
    client.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help="本地缓存目录 / the local cache")
    client.add_argument("--timeout", type=float, default=5.0, help="每个源的超时秒数 / seconds per source")
    client.add_argument("--prefer", help="优先尝试此源 / try this source first")
    client.add_argument("--json", action="store_true", help="输出 JSON / print JSON")
    client.add_argument("--trusted-root", type=Path,
                        help="受信任的 TUF root.json（默认本仓库附带的）/ the trusted TUF root.json (default: the one "
                             "this registry ships in registry/metadata/root.json)")
    actions = client.add_subparsers(dest="action", required=True)
    actions.add_parser("refresh", help="获取注册表（条件请求、故障切换、缓存）/ fetch the registry (conditional "
                                       "request, failover, cache)")
    actions.add_parser("sources", help="检查每个源是否可达 / check every source's connectivity")
    actions.add_parser("stats", help="统计 / totals and per-category counts")
    search = actions.add_parser("search", help="搜索插件 / search plugins")
    search.add_argument("query", nargs="?", default="")
    search.add_argument("--category")
    search.add_argument("--verified-only", action="store_true")
    search.add_argument("--tag", action="append", default=[])
    updates = actions.add_parser("updates", help="检查已安装插件的更新 / check installed plugins for updates")
    updates.add_argument("installed", nargs="*", metavar="ID=VERSION")
    download = actions.add_parser("download", help="下载固定的提交并核对摘要 / download the pinned release, "
                                                   "digest verified")
    download.add_argument("plugin_id")
    download.add_argument("--version")
    download.add_argument("--dest", type=Path, default=Path("plugins"), help="目标目录 / destination directory")
    audit = actions.add_parser("audit", help="已安装插件中被撤销或下架的 / installed plugins revoked or unlisted")
    audit.add_argument("--installed", type=Path, required=True, help="插件安装目录 / the plugins folder")
    client.set_defaults(handler=run_client)
