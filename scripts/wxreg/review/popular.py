"""``wxreg popular-packages``: refresh the popular PyPI list the typosquat check compares with.

The list (``scripts/wxreg/review/data/popular-pypi.json``) is data kept in the repository with its
source and date. This command downloads the source (hugovk/top-pypi-packages: ``{"last_update",
"rows": [{"project", "download_count"}]}``), writes the file in the same shape, and with ``--open-pr``
proposes it as a pull request on branch ``wxreg/popular-packages`` (never a commit on main): a changed
list changes what the review refuses, so a maintainer reviews it like code. Re-running updates the same
branch and pull request; an existing pull request is looked up before one is opened.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from packaging.utils import canonicalize_name

from wxreg.config import working_root
from wxreg.forge.config import add_forge_arguments, forge_config
from wxreg.forge.interface import Forge, ForgeError

SOURCE_URL = "https://hugovk.github.io/top-pypi-packages/top-pypi-packages.min.json"
BRANCH = "wxreg/popular-packages"
REPO_PATH = "scripts/wxreg/review/data/popular-pypi.json"
MIN_PACKAGES = 1000
"""Fewer names than this is a broken download, not a new list: refuse it."""


class RefreshError(RuntimeError):
    """The source could not be read or does not look like the list."""


@dataclass(frozen=True)
class TopList:
    names: tuple[str, ...]
    retrieved: str


def parse_top_list(data: Any) -> TopList:
    """The ranked names in hugovk's format (``rows``) or the kept file's own (``packages``)."""
    if not isinstance(data, dict):
        raise RefreshError("列表不是 JSON 对象 / the list is not a JSON object")
    if isinstance(data.get("rows"), list):
        rows = [r for r in data["rows"] if isinstance(r, dict) and isinstance(r.get("project"), str)]
        rows.sort(key=lambda r: -int(r.get("download_count") or 0))
        raw = [r["project"] for r in rows]
        retrieved = str(data.get("last_update", ""))[:10]
    elif isinstance(data.get("packages"), list):
        raw = [p for p in data["packages"] if isinstance(p, str)]
        retrieved = str(data.get("retrieved", ""))
    else:
        raise RefreshError("列表缺少 rows / the list has no rows")
    names: list[str] = []
    seen: set[str] = set()
    for name in raw:
        canonical = canonicalize_name(name)
        if canonical and canonical not in seen:
            seen.add(canonical)
            names.append(canonical)
    if len(names) < MIN_PACKAGES or not retrieved:
        raise RefreshError(f"列表只有 {len(names)} 个名称或没有日期 / only {len(names)} names or no date")
    return TopList(tuple(names), retrieved)


def render(top: TopList, current: dict[str, Any], source_url: str) -> str:
    """The kept file with the new names and date; its explanation and settings stay as they are."""
    doc = dict(current)
    doc.update({"source_url": source_url, "retrieved": top.retrieved, "packages": list(top.names)})
    doc["retrieved_via"] = "wxreg popular-packages"
    return json.dumps(doc, indent=0, ensure_ascii=False) + "\n"


def download(url: str, timeout: float = 60.0) -> TopList:
    try:
        response = requests.get(url, timeout=timeout)
        response.raise_for_status()
        return parse_top_list(response.json())
    except (requests.RequestException, ValueError) as exc:
        raise RefreshError(f"无法下载 / cannot download {url}: {type(exc).__name__}: {exc}") from exc


def open_pull(forge: Forge, content: str, *, base: str, title: str, body: str) -> str:
    """Put ``content`` at :data:`REPO_PATH` in one commit on ``base``, point :data:`BRANCH` at it and make sure
    one pull request proposes it; returns its URL. ``base`` itself is never written."""
    base_sha = forge.branch_sha(base)
    if base_sha is None:
        raise ForgeError(f"没有分支 / no branch {base}", 404)
    commit = forge.commit(base_sha, {REPO_PATH: content.encode("utf-8")}, title)
    if not forge.create_branch(BRANCH, commit):
        forge.move_branch(BRANCH, commit, force=True)
    for pull in forge.open_pulls(base):
        if pull.head_ref == BRANCH and pull.head_repo.lower() == forge.repo.lower():
            forge.edit_pull(pull.number, title=pull.title, body=body)
            return pull.html_url
    return forge.create_pull(base, BRANCH, title, body).html_url


def run(args: argparse.Namespace) -> int:
    output: Path = args.root / REPO_PATH
    try:
        current = json.loads(output.read_text(encoding="utf-8"))
        top = download(args.url)
    except (OSError, ValueError, RefreshError) as exc:
        print(f"刷新失败 / refresh failed: {exc}", file=sys.stderr)
        return 1
    content = render(top, current, args.url)
    if content == output.read_text(encoding="utf-8"):
        print("常用包列表没有变化 / the popular-package list is unchanged")
        return 0
    output.write_text(content, encoding="utf-8")
    print(f"常用包列表已更新 / popular-package list updated: {len(top.names)} names, {top.retrieved}")
    if not args.open_pr:
        return 0
    token = os.environ.get("GITHUB_TOKEN", "")
    if not token or not args.github_repo:
        print("需要 GITHUB_TOKEN 与 --github-repo / GITHUB_TOKEN and --github-repo are required", file=sys.stderr)
        return 1
    from wxreg.forge.github import GitHubForge  # the one module that imports PyGithub

    title = f"更新常用包列表 / Refresh the popular PyPI package list ({top.retrieved})"
    body = (
        f"由 `wxreg popular-packages` 从 {args.url} 生成；"
        "合并前请检查新增与移除的名称（它们决定哪些依赖会被判为仿冒）。\n\n"
        f"Generated by `wxreg popular-packages` from {args.url}; check names added and removed before merging "
        "(they decide which dependencies are refused as typosquats)."
    )
    forge = GitHubForge(forge_config(args, token=token, repo=args.github_repo))
    try:
        url = open_pull(forge, content, base=args.base, title=title, body=body)
    except ForgeError as exc:
        print(f"无法提出拉取请求 / cannot open the pull request: {exc}", file=sys.stderr)
        return 1
    print(f"拉取请求 / pull request: {url}")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "popular-packages", help="刷新常用 PyPI 包列表（仿冒检查用）/ refresh the popular PyPI list (typosquat check)"
    )
    parser.add_argument("--url", default=SOURCE_URL, help="列表来源 / source of the list")
    parser.add_argument("--root", type=Path, default=working_root(), help="注册表检出目录 / registry checkout")
    parser.add_argument("--open-pr", action="store_true", help="以拉取请求提出 / propose it as a pull request")
    add_forge_arguments(parser)
    parser.add_argument("--base", default="main", help="目标分支 / base branch")
    parser.set_defaults(handler=run)
