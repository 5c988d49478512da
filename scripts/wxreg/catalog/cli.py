"""``wxreg site``: build the GitHub Pages site (registry.json at its stable path, metadata, the catalog)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wxreg.catalog.site import CatalogError, build_site
from wxreg.config import working_root


def run_site(args: argparse.Namespace) -> int:
    try:
        written = build_site(args.root, args.out)
    except (CatalogError, OSError, ValueError) as exc:
        print(f"站点生成失败 / site build failed: {exc}", file=sys.stderr)
        return 1
    print(f"已生成站点 / built the site: {args.out} ({len(written)} files)")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    site = subparsers.add_parser(
        "site", help="生成 Pages 站点：registry.json、签名元数据与插件目录 / build the Pages site: "
                     "registry.json, signed metadata and the plugin catalog")
    site.add_argument("--root", type=Path, default=working_root(),
                      help="含 registry/ 的仓库根目录 / repository root holding registry/ (default: this checkout)")
    site.add_argument("--out", type=Path, default=Path("_site"),
                      help="输出目录（先清空）/ output directory, emptied first (default: _site)")
    site.set_defaults(handler=run_site)
