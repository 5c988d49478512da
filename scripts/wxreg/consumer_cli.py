"""``wxreg client ...``: the reference consumer from the command line.

Sources default to this registry's own URLs (``registry/config.json``: GitHub raw first, then
Gitee raw, then the optional Pages copy); ``--source NAME=URL`` (repeatable) replaces them, in the
order given, so any third-party registry can be read the same way.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from wxreg.config import REPO_ROOT, RegistryConfig
from wxreg.consumer import ConsumerError, Marketplace, RegistrySource

DEFAULT_CACHE = Path.home() / ".cache" / "wxreg-client"


def sources_from(args: argparse.Namespace) -> list[RegistrySource]:
    if args.source:
        sources = []
        for priority, spec in enumerate(args.source):
            name, sep, url = spec.partition("=")
            if not sep or not name or not url.startswith(("http://", "https://")):
                raise ConsumerError(f"--source 应为 NAME=URL / --source must be NAME=URL, got {spec!r}")
            sources.append(RegistrySource(name, url, priority))
        return sources
    config = RegistryConfig.load(args.config)
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


def _print(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def run_client(args: argparse.Namespace) -> int:
    try:
        market = Marketplace(sources_from(args), args.cache_dir, timeout=args.timeout,
                             trusted_root=trusted_root_from(args))
        if args.prefer:
            market.switch_source(args.prefer)
        if args.action == "sources":
            _print([status.__dict__ for status in market.check_connectivity()])
            return 0
        result = market.refresh_registry()
        print(result.describe(), file=sys.stderr)
        for attempt in result.attempts:
            if not attempt.ok:
                print(f"  {attempt.source}: {attempt.detail}", file=sys.stderr)
        if args.action == "refresh":
            _print(
                {
                    "source": result.source,
                    "not_modified": result.not_modified,
                    "from_cache": result.from_cache,
                    "cache_age_seconds": result.cache_age_seconds,
                    "last_updated": result.last_updated,
                    "plugins": result.plugin_count,
                }
            )
        elif args.action == "search":
            found = market.search_plugins(args.query, args.category, args.verified_only, args.tag)
            _print(
                [
                    {"plugin_id": p["plugin_id"], "name": p.get("name"), "version": p["versions"]["latest"]}
                    for p in found
                ]
            )
        elif args.action == "updates":
            installed = dict(item.split("=", 1) for item in args.installed)
            updates = market.check_plugin_updates(installed, include_prereleases=args.pre)
            _print([update.__dict__ for update in updates])
        elif args.action == "download":
            downloaded = market.download_plugin(args.plugin_id, args.version, args.dest)
            _print(downloaded.__dict__)
        elif args.action == "stats":
            _print(market.get_plugin_statistics())
        elif args.action == "audit":
            findings = market.audit_installed(args.installed)
            _print([{**finding.__dict__, "path": str(finding.path)} for finding in findings])
            return 1 if any(finding.status == "block" for finding in findings) else 0
    except ConsumerError as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 1
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    client = subparsers.add_parser("client", help="read the registry as a client: refresh, search, download ...")
    client.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="NAME=URL",
        help="a registry.json URL; repeat in priority order (default: this registry's URLs)",
    )
    client.add_argument("--config", type=Path, default=REPO_ROOT / "registry" / "config.json")
    client.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    client.add_argument("--timeout", type=float, default=5.0, help="seconds per source before failing over")
    client.add_argument("--prefer", help="try this source first (switch_source)")
    client.add_argument("--trusted-root", type=Path,
                        help="受信任的 TUF root.json（默认本仓库附带的）/ trusted TUF root "
                             "(default: the one shipped here)")
    actions = client.add_subparsers(dest="action", required=True)
    actions.add_parser("refresh", help="fetch the registry (conditional request, failover, cache)")
    actions.add_parser("sources", help="check every source's connectivity")
    actions.add_parser("stats", help="totals and per-category counts")
    search = actions.add_parser("search", help="search plugins")
    search.add_argument("query", nargs="?", default="")
    search.add_argument("--category")
    search.add_argument("--verified-only", action="store_true")
    search.add_argument("--tag", action="append", default=[])
    updates = actions.add_parser("updates", help="check installed plugins for updates")
    updates.add_argument("installed", nargs="*", metavar="ID=VERSION")
    updates.add_argument("--pre", action="store_true", help="include pre-releases")
    download = actions.add_parser("download", help="download the pinned release, digest verified")
    download.add_argument("plugin_id")
    download.add_argument("--version")
    download.add_argument("--dest", type=Path, default=Path("plugins"))
    audit = actions.add_parser("audit", help="已安装插件中被撤销或下架的 / installed plugins revoked or unlisted")
    audit.add_argument("--installed", type=Path, required=True, help="插件安装目录 / the plugins folder")
    client.set_defaults(handler=run_client)
