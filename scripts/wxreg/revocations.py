"""Revocations: ``registry/revoked.json``, the versions clients must refuse (``block``) or report (``warn``).

One small list, sorted and written in one canonical form (``wxreg validate`` checks the bytes), signed as a
TUF target beside ``registry.json``. The shipped WXAUTO-MGT client does not read it; the reference consumer
and the catalog do. ``wxreg revoke`` adds or replaces an entry and opens the PR through the registry
publisher (or ``--local``: edit this checkout only).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from wxreg.config import RegistryConfig, working_root
from wxreg.errors import Problem, json_pointer
from wxreg.forge.interface import Forge, ForgeError
from wxreg.schema import SCHEMA_DIR, CompiledSchema, compile_schema, load_schema
from wxreg.versions import same_version

REVOKED_FILE = "registry/revoked.json"
ALL_VERSIONS = "*"
SEVERITIES = ("block", "warn")
REVOKE_BRANCH_PREFIX = "revoke/"
"""Not ``registry/``: the PR refresher rebuilds those; a revocation PR touches only ``revoked.json``."""


class RevocationError(Exception):
    """A revocation that cannot be written; bilingual."""


@dataclass(frozen=True)
class Revocation:
    plugin_id: str
    versions: tuple[str, ...]
    """Revoked versions, or ``("*",)`` for all."""
    severity: str
    reason_zh: str
    reason_en: str
    advisory: str
    date: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Revocation:
        reason = data["reason"]
        return cls(str(data["plugin_id"]), tuple(str(v) for v in data["versions"]), str(data["severity"]),
                   str(reason["zh"]), str(reason["en"]), str(data["advisory"]), str(data["date"]))

    def to_dict(self) -> dict[str, Any]:
        return {"plugin_id": self.plugin_id, "versions": list(self.versions), "severity": self.severity,
                "reason": {"zh": self.reason_zh, "en": self.reason_en}, "advisory": self.advisory,
                "date": self.date}

    @property
    def all_versions(self) -> bool:
        return ALL_VERSIONS in self.versions

    def covers(self, plugin_id: str, version: str | None) -> bool:
        """Whether this revocation applies to ``plugin_id`` at ``version`` (``None``: any version listed)."""
        if plugin_id.replace("-", "_").casefold() != self.plugin_id.replace("-", "_").casefold():
            return False
        return version is None or self.covers_version(version)

    def covers_version(self, version: str) -> bool:
        """Whether ``version`` of this revocation's plugin is revoked (``v1.2`` is ``1.2.0``, as clients compare)."""
        return self.all_versions or any(same_version(version, revoked) for revoked in self.versions)

    def message(self) -> str:
        which = "所有版本" if ALL_VERSIONS in self.versions else ", ".join(self.versions)
        which_en = "all versions" if ALL_VERSIONS in self.versions else ", ".join(self.versions)
        return (f"{self.plugin_id} {which} 已被撤销（{self.severity}）：{self.reason_zh} / {self.plugin_id} "
                f"{which_en} revoked ({self.severity}): {self.reason_en} — {self.advisory}")


@cache
def revoked_schema() -> CompiledSchema:
    return compile_schema(load_schema(SCHEMA_DIR / "revoked.schema.json"))


def _sort_key(item: Revocation) -> tuple[str, str, tuple[str, ...]]:
    return (item.plugin_id, item.date, item.versions)


def dump(revocations: Iterable[Revocation]) -> bytes:
    """The canonical bytes: sorted by plugin, date, versions; two-space indent; UTF-8; final newline."""
    items = [item.to_dict() for item in sorted(revocations, key=_sort_key)]
    return (json.dumps({"revocations": items}, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def parse(data: bytes) -> list[Revocation]:
    """Revocations from trusted bytes (a verified target or a validated file)."""
    document = json.loads(data.decode("utf-8"))
    if not revoked_schema().is_valid(document):
        raise RevocationError("revoked.json 不符合模式 / revoked.json does not fit its schema")
    return [Revocation.from_dict(item) for item in document["revocations"]]


def load(root: Path) -> list[Revocation]:
    path = root / REVOKED_FILE
    return parse(path.read_bytes()) if path.is_file() else []


def _known_ids(root: Path) -> set[str]:
    ids = {path.stem for path in (root / "registry" / "plugins").glob("*.json")}
    removed = root / "registry" / "removed.json"
    if removed.is_file():
        ids |= {str(item.get("plugin_id")) for item in json.loads(removed.read_text("utf-8"))
                if isinstance(item, dict)}
    return ids


def problems(root: Path) -> list[Problem]:
    """What is wrong with ``registry/revoked.json`` (missing is fine: nothing is revoked)."""
    path = root / REVOKED_FILE
    if not path.is_file():
        return []
    from wxreg.validate import parse_checked  # the registry's one strict reader (duplicate keys, NaN, non-UTF-8)

    data = path.read_bytes()
    document, _, unreadable = parse_checked(data, REVOKED_FILE)
    if unreadable is not None:
        return [unreadable]
    issues = revoked_schema().issues(document)
    if issues:
        return [Problem(REVOKED_FILE, json_pointer(issue.path),
                        f"不符合模式（{issue.keyword}: {issue.expected}）/ breaks the schema ({issue.keyword}: "
                        f"{issue.expected})", "见 schemas/revoked.schema.json / see schemas/revoked.schema.json")
                for issue in issues]
    found: list[Problem] = []
    known = _known_ids(root)
    for index, item in enumerate(document["revocations"]):
        if item["plugin_id"] not in known:
            found.append(Problem(REVOKED_FILE, f"/revocations/{index}/plugin_id",
                                 f"未知插件 {item['plugin_id']}（拼写错误会让撤销失效）/ unknown plugin "
                                 f"{item['plugin_id']} (a typo would revoke nothing)",
                                 "使用已上架或已移除插件的 id / use the id of a listed or removed plugin"))
        if ALL_VERSIONS in item["versions"] and len(item["versions"]) > 1:
            found.append(Problem(REVOKED_FILE, f"/revocations/{index}/versions",
                                 "\"*\" 须单独使用 / \"*\" must stand alone", "只写 [\"*\"] / write [\"*\"] only"))
    if not found and data != dump(Revocation.from_dict(item) for item in document["revocations"]):
        found.append(Problem(REVOKED_FILE, "", "不是规范格式（顺序或缩进）/ not in canonical form (order or indent)",
                             "用 wxreg revoke 编写，不要手工编辑 / write it with `wxreg revoke`"))
    return found


def revoked(revocations: Sequence[Revocation], plugin_id: str, version: str | None) -> list[Revocation]:
    return [item for item in revocations if item.covers(plugin_id, version)]


def merged(current: Sequence[Revocation], new: Revocation) -> list[Revocation]:
    """``current`` with ``new`` added, replacing an entry for the same plugin and versions."""
    kept = [item for item in current
            if not (item.plugin_id == new.plugin_id and set(item.versions) == set(new.versions))]
    return [*kept, new]


# -- wxreg revoke --------------------------------------------------------------------------------------


def revoke_local(root: Path, new: Revocation) -> Path:
    from wxreg.store import atomic_write

    if new.plugin_id not in _known_ids(root):
        raise RevocationError(f"未知插件 {new.plugin_id} / unknown plugin {new.plugin_id}")
    path = root / REVOKED_FILE
    atomic_write(path, dump(merged(load(root), new)))
    return path


def revoke_pull(forge: Forge, base_branch: str, new: Revocation) -> str:
    """Open (or update) the PR ``revoke/<plugin_id>`` with the new ``revoked.json``: the main commit's file
    plus this entry, committed by the registry publisher (git data API). Returns the PR URL."""
    from wxreg.approval.publisher import RegistryChange, RegistryPublisher

    base_sha = forge.branch_sha(base_branch)
    if base_sha is None:
        raise RevocationError(f"分支 {base_branch} 不存在 / branch {base_branch} does not exist")
    data = forge.file_at(base_sha, REVOKED_FILE)
    current = parse(data) if data is not None else []
    title = f"撤销 / Revoke {new.plugin_id} {', '.join(new.versions)} ({new.severity})"
    body = f"{new.message()}\n\n由 `wxreg revoke` 创建 / opened by `wxreg revoke`."
    change = RegistryChange(new.plugin_id, base_sha, {REVOKED_FILE: dump(merged(current, new))}, title, body,
                            title, new.date)
    branch = f"{REVOKE_BRANCH_PREFIX}{new.plugin_id}"
    sha = RegistryPublisher(forge, base_branch=base_branch).commit(change)
    pulls = [p for p in forge.open_pulls(base_branch) if p.head_ref == branch and p.head_repo == forge.repo]
    if pulls or not forge.create_branch(branch, sha):
        forge.move_branch(branch, sha)
    if pulls:
        forge.edit_pull(pulls[0].number, title=title, body=body)
        return pulls[0].html_url
    return forge.create_pull(base_branch, branch, title, body).html_url


def run_revoke(args: argparse.Namespace) -> int:
    from wxreg.approval.forge import timestamp
    from wxreg.forge.config import GitHubConfig
    from wxreg.forge.github import GitHubForge

    versions = (ALL_VERSIONS,) if args.all_versions else tuple(args.version)
    if not versions:
        print("需要 --version 或 --all-versions / give --version or --all-versions", file=sys.stderr)
        return 2
    new = Revocation(args.plugin_id, versions, args.severity, args.reason_zh, args.reason_en, args.advisory,
                     timestamp(args.date))
    document = {"revocations": [new.to_dict()]}
    issues = revoked_schema().issues(document)
    if issues:
        print(f"撤销条目无效 / invalid revocation: {issues[0].path} {issues[0].keyword} {issues[0].expected}",
              file=sys.stderr)
        return 2
    try:
        if args.local:
            print(f"已写入 / wrote {revoke_local(args.root, new)}")
            return 0
        token = os.environ.get("GITHUB_TOKEN", "")
        if not token:
            print("需要 GITHUB_TOKEN（或使用 --local）/ GITHUB_TOKEN is required (or use --local)", file=sys.stderr)
            return 2
        config = RegistryConfig.load(args.root / "registry" / "config.json")
        repo_name = args.github_repo or f"{config.github.owner}/{config.github.repo}"
        forge = GitHubForge(GitHubConfig(token=token, repo=repo_name, api_url=args.github_api_url,
                                         throttle=not args.no_throttle))
        url = revoke_pull(forge, config.github.branch, new)
    except (RevocationError, ForgeError) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(url)
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("revoke", help="撤销插件版本（打开 PR）/ revoke plugin versions (opens a PR)")
    parser.add_argument("--plugin-id", required=True)
    parser.add_argument("--version", action="append", default=[], help="被撤销的版本（可重复）/ revoked version")
    parser.add_argument("--all-versions", action="store_true", help="撤销所有版本 / revoke every version")
    parser.add_argument("--severity", choices=SEVERITIES, default="block",
                        help="block：拒绝安装并报告已安装副本；warn：仅报告 / block refuses installs; warn reports")
    parser.add_argument("--reason-zh", required=True, help="中文原因 / reason in Chinese")
    parser.add_argument("--reason-en", required=True, help="英文原因 / reason in English")
    parser.add_argument("--advisory", required=True, help="公告链接 https://... / advisory link")
    parser.add_argument("--date", help="YYYY-MM-DDTHH:MM:SSZ（默认当前时间 / default now）")
    parser.add_argument("--local", action="store_true", help="只修改本地文件 / change this checkout only")
    parser.add_argument("--root", type=Path, default=working_root())
    parser.add_argument("--github-repo", default=os.environ.get("GITHUB_REPOSITORY"))
    parser.add_argument("--github-api-url", default=os.environ.get("GITHUB_API_URL", "https://api.github.com"))
    parser.add_argument("--no-throttle", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(handler=run_revoke)
