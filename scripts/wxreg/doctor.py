"""``wxreg doctor``: is this fork of the registry set up? Each problem with the exact fix.

Reads the repository's settings through the GitHub REST API (``$GITHUB_API_URL``, a GitHub Enterprise
host or the sandbox) and the Gitee API, and this checkout's ``registry/config.json`` and issue template
config. ``--fix`` creates the missing labels (the only setting it changes). Exit status: 0 all good,
1 problems found, 2 could not check (no token, API unreachable).

``wxreg doctor --write-issue-config`` regenerates ``.github/ISSUE_TEMPLATE/config.yml`` from
``registry/config.json`` (a test keeps the committed file equal to it).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from wxreg.config import REPO_ROOT, RegistryConfig
from wxreg.errors import ModelError

ISSUE_CONFIG_PATH = ".github/ISSUE_TEMPLATE/config.yml"
LABELS: dict[str, tuple[str, str]] = {
    "plugin-submission": ("0e8a16", "插件提交（由表单添加）/ a plugin submission (added by the form)"),
    "review-passed": ("1d76db", "最新审核通过（仅机器人）/ the latest review passed (bot only)"),
    "review-failed": ("d93f0b", "最新审核未通过（仅机器人）/ the latest review failed (bot only)"),
    "approved": ("0e8a16", "维护者批准：开注册表 PR / a maintainer approves: opens the registry PR"),
    "rejected": ("b60205", "维护者拒绝并关闭 / a maintainer rejects and closes"),
    "needs-info": ("fbca04", "请作者补充信息 / the author is asked for more information"),
}
"""Every label the workflows read or write, with the colour and description ``--fix`` gives them."""
SECRETS = {"GITEE_TOKEN": "Gitee 私人令牌（projects 权限，可推送镜像仓库）/ a Gitee personal access token "
                          "(projects scope) that can push to the mirror repository"}
VARIABLES = {"GITEE_USERNAME": "拥有该令牌的 Gitee 用户名 / the Gitee login that owns the token"}
DEFAULT_REQUIRED_CHECK = "wxreg/registry"
"""The commit status the approval sets on registry PRs; branch protection on the branch must require it."""
TIMEOUT = 15.0


@dataclass(frozen=True)
class Check:
    ok: bool
    what: str
    fix: str = ""

    def render(self) -> str:
        if self.ok:
            return f"✓ {self.what}"
        return f"✗ {self.what}\n    修复 / fix: {self.fix}"


class DoctorError(Exception):
    """Nothing could be checked (one short bilingual line)."""


def render_issue_config(config: RegistryConfig) -> str:
    """``.github/ISSUE_TEMPLATE/config.yml`` for the registry ``config`` names."""
    github = config.github
    url = f"{github.web_url}/{github.owner}/{github.repo}/blob/{github.branch}/CONTRIBUTING.md"
    return (
        "# 由 `wxreg doctor --write-issue-config` 从 registry/config.json 生成，勿手改"
        " / generated from registry/config.json by `wxreg doctor --write-issue-config`; do not edit\n"
        "blank_issues_enabled: false\n"
        "contact_links:\n"
        "  - name: 贡献指南 / Contributing guide\n"
        f"    url: {url}\n"
        "    about: 提交前请阅读：插件要求、评分细则与审核流程 / Read first — plugin requirements, scoring rubric"
        " and review process\n"
    )


class Api:
    """Tiny REST client: JSON in and out, one place for auth and errors."""

    def __init__(self, base: str, token: str | None, *, gitee: bool = False) -> None:
        self.base = base.rstrip("/")
        self.token = token
        self.gitee = gitee
        self.session = requests.Session()
        if token and not gitee:
            self.session.headers["Authorization"] = f"token {token}"
        self.session.headers["Accept"] = "application/vnd.github+json"

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        params = {"access_token": self.token} if self.gitee and self.token else None
        try:
            answer = self.session.request(method, self.base + path, json=body, params=params, timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise DoctorError(f"无法连接 / could not reach {self.base} ({type(exc).__name__})") from None
        try:
            data = answer.json()
        except ValueError:
            data = None
        return answer.status_code, data


def _labels(api: Api, repo: str, fix: bool) -> Iterator[Check]:
    status, data = api.call("GET", f"/repos/{repo}/labels?per_page=100")
    if status != 200 or not isinstance(data, list):
        yield Check(False, f"无法读取标签（HTTP {status}）/ cannot list labels (HTTP {status})",
                    "令牌需要对仓库的读权限 / the token needs read access to the repository")
        return
    present = {str(item.get("name", "")).lower() for item in data if isinstance(item, dict)}
    for name, (color, description) in LABELS.items():
        if name in present:
            yield Check(True, f"标签 / label {name}")
            continue
        if fix:
            created, _ = api.call("POST", f"/repos/{repo}/labels",
                                  {"name": name, "color": color, "description": description})
            if created == 201:
                yield Check(True, f"标签已创建 / label created: {name}")
                continue
        yield Check(False, f"缺少标签 / missing label: {name}" + (
            "；没有它审核永远不会运行 / without it the review never runs" if name == "plugin-submission" else ""),
            f"wxreg doctor --fix，或 Issues → Labels → New label「{name}」/ run `wxreg doctor --fix`, or "
            f"Issues → Labels → New label '{name}'")


def _settings(api: Api, repo: str) -> Iterator[Check]:
    for kind, wanted, where in (("secrets", SECRETS, "Secrets"), ("variables", VARIABLES, "Variables")):
        status, data = api.call("GET", f"/repos/{repo}/actions/{kind}?per_page=100")
        if status != 200 or not isinstance(data, dict):
            yield Check(False, f"无法读取 Actions {kind}（HTTP {status}）/ cannot read Actions {kind} (HTTP {status})",
                        "用仓库管理员的令牌运行 doctor / run doctor with a repository admin's token")
            continue
        names = {str(item.get("name", "")) for item in data.get(kind, []) if isinstance(item, dict)}
        for name, meaning in wanted.items():
            if name in names:
                yield Check(True, f"Actions {kind[:-1]} {name}")
            else:
                yield Check(False, f"缺少 Actions {kind[:-1]} / missing Actions {kind[:-1]}: {name} ({meaning})",
                            f"Settings → Secrets and variables → Actions → {where} → New repository "
                            f"{kind[:-1]} '{name}'")


def _pages(api: Api, repo: str, config: RegistryConfig) -> Iterator[Check]:
    status, data = api.call("GET", f"/repos/{repo}/pages")
    if status == 200 and isinstance(data, dict):
        yield Check(True, f"GitHub Pages ({data.get('html_url')})")
    else:
        yield Check(False, "GitHub Pages 未启用：现有客户端只能读取 Pages 上的 registry.json / GitHub Pages is not "
                           "enabled: the shipped client can read registry.json only from Pages",
                    "Settings → Pages → Deploy from a branch → main, / (root)")
    if not config.pages_url:
        yield Check(False, "registry/config.json 没有 pages_url / registry/config.json has no pages_url",
                    f"设置 / set \"pages_url\": \"https://{config.github.owner.lower()}.github.io/"
                    f"{config.github.repo}/registry/registry.json\"")


def _protection(api: Api, repo: str, branch: str, context: str) -> Iterator[Check]:
    status, data = api.call("GET", f"/repos/{repo}/branches/{branch}/protection")
    contexts: list[str] = []
    if status == 200 and isinstance(data, dict):
        checks = data.get("required_status_checks") or {}
        contexts = [str(c) for c in checks.get("contexts") or []]
        contexts += [str(c.get("context")) for c in checks.get("checks") or [] if isinstance(c, dict)]
    if context in contexts:
        yield Check(True, f"分支保护要求 / branch protection on {branch} requires {context}")
        return
    what = ("分支未保护 / branch is not protected" if status == 404
            else f"分支保护未要求 / branch protection does not require {context}")
    yield Check(False, f"{what}: {branch}",
                f"Settings → Branches → {branch} → Require status checks to pass → '{context}'; "
                "Require a pull request before merging")


def _issue_config(root: Path, config: RegistryConfig) -> Iterator[Check]:
    path = root / ISSUE_CONFIG_PATH
    try:
        committed = path.read_text(encoding="utf-8")
    except OSError:
        committed = None
    if committed == render_issue_config(config):
        yield Check(True, f"{ISSUE_CONFIG_PATH} 与 registry/config.json 一致 / matches registry/config.json")
    else:
        yield Check(False, f"{ISSUE_CONFIG_PATH} 与 registry/config.json 不一致 / does not match "
                           "registry/config.json (its links point at another repository)",
                    "wxreg doctor --write-issue-config，然后提交 / then commit")


def _gitee(config: RegistryConfig, token: str | None) -> Iterator[Check]:
    gitee = config.gitee
    name = f"{gitee.owner}/{gitee.repo}"
    if not token:
        yield Check(False, "未提供 Gitee 令牌，无法检查镜像 / no Gitee token given: the mirror was not checked",
                    "GITEE_TOKEN=... wxreg doctor（或 --gitee-token）/ set GITEE_TOKEN or pass --gitee-token")
        return
    status, data = Api(gitee.api_url, token, gitee=True).call("GET", f"/repos/{name}")
    if status == 401:
        yield Check(False, "Gitee 拒绝了令牌 / Gitee refused the token",
                    "在 Gitee 设置 → 私人令牌 重新生成（projects 权限）/ create a new personal access token "
                    "(projects scope) in Gitee settings")
    elif status == 404:
        yield Check(False, f"Gitee 上没有仓库 / no repository on Gitee: {name}",
                    f"先在 Gitee 创建空仓库 {name}（镜像不会自动创建）/ create the empty repository {name} on Gitee "
                    "first (the mirror never creates it)")
    elif status == 200 and isinstance(data, dict):
        yield Check(True, f"Gitee 仓库 / Gitee repository {name}")
    else:
        yield Check(False, f"Gitee 回答 HTTP {status} / Gitee answered HTTP {status}", "稍后重试 / re-run later")


def diagnose(config: RegistryConfig, root: Path, *, api_url: str, repo: str, token: str, gitee_token: str | None,
             required_check: str, fix: bool) -> list[Check]:
    api = Api(api_url, token)
    status, _ = api.call("GET", f"/repos/{repo}")
    if status in (401, 403):
        raise DoctorError(f"GitHub 拒绝了令牌（HTTP {status}）/ GitHub refused the token (HTTP {status})")
    if status == 404:
        raise DoctorError(f"找不到仓库 / no repository {repo} at {api_url}")
    checks = list(_labels(api, repo, fix))
    checks += _settings(api, repo)
    checks += _pages(api, repo, config)
    checks += _protection(api, repo, config.github.branch, required_check)
    checks += _issue_config(root, config)
    checks += _gitee(config, gitee_token)
    return checks


def run_doctor(args: argparse.Namespace) -> int:
    try:
        config = RegistryConfig.load(args.root / "registry" / "config.json")
    except (OSError, ValueError, ModelError) as exc:
        print(f"无法读取 registry/config.json / cannot read registry/config.json: {exc}", file=sys.stderr)
        return 2
    if args.write_issue_config:
        target = args.root / ISSUE_CONFIG_PATH
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_issue_config(config), encoding="utf-8")
        print(f"已生成 / written {target}")
        return 0
    token = os.environ.get("GITHUB_TOKEN")
    if not token:
        print("需要 GITHUB_TOKEN（仓库管理员的令牌）/ GITHUB_TOKEN is required (a repository admin's token)",
              file=sys.stderr)
        return 2
    api_url = args.api_url or os.environ.get("GITHUB_API_URL") or config.github.api_url
    repo = args.repo or f"{config.github.owner}/{config.github.repo}"
    try:
        checks = diagnose(config, args.root, api_url=api_url, repo=repo, token=token,
                          gitee_token=args.gitee_token or os.environ.get("GITEE_TOKEN"),
                          required_check=args.required_check, fix=args.fix)
    except DoctorError as exc:
        print(f"无法检查 / could not check: {exc}", file=sys.stderr)
        return 2
    for check in checks:
        print(check.render())
    problems = sum(1 for check in checks if not check.ok)
    print(f"\n{problems} 个问题 / problem(s)" if problems else "\n一切就绪 / all set")
    return 1 if problems else 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "doctor", help="检查 fork 的设置并给出修复方法 / check a fork's set-up, with the exact fix for each problem",
        description="通过 API 检查标签、Secrets 与 Variables、Pages、分支保护、issue 模板配置和 Gitee 镜像。"
                    "需要 GITHUB_TOKEN。/ Checks labels, secrets and variables, Pages, branch protection, the issue "
                    "template config and the Gitee mirror through the APIs. Needs GITHUB_TOKEN.")
    here = Path.cwd()
    default_root = here if (here / "registry" / "config.json").is_file() else REPO_ROOT
    parser.add_argument("--root", type=Path, default=default_root,
                        help="注册表检出目录（默认当前目录）/ the registry checkout (default: the current one)")
    parser.add_argument("--repo", help="OWNER/NAME（默认取自 registry/config.json）/ default from registry/config.json")
    parser.add_argument("--api-url", help="GitHub API（默认 $GITHUB_API_URL 或 config）/ default $GITHUB_API_URL")
    parser.add_argument("--gitee-token", help="Gitee 令牌（默认 $GITEE_TOKEN）/ default $GITEE_TOKEN")
    parser.add_argument("--required-check", default=DEFAULT_REQUIRED_CHECK,
                        help=f"分支保护必须要求的状态 / the status branch protection must require "
                             f"(default {DEFAULT_REQUIRED_CHECK})")
    parser.add_argument("--fix", action="store_true", help="创建缺少的标签 / create the missing labels")
    parser.add_argument("--write-issue-config", action="store_true",
                        help=f"从 config 生成 {ISSUE_CONFIG_PATH} / generate {ISSUE_CONFIG_PATH} from the config")
    parser.set_defaults(handler=run_doctor)
