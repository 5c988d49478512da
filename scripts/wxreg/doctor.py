"""``wxreg doctor``: is this fork of the registry set up? Each problem with the exact fix.

Reads the repository's settings through the forge interface (:mod:`wxreg.forge`, on ``$GITHUB_API_URL``:
github.com, a GitHub Enterprise host or the sandbox), the Gitee API, and this checkout's
``registry/config.json`` and issue template config. ``--fix`` creates the missing labels (the only
setting it changes). Exit status: 0 all good, 1 problems found, 2 could not check (no token, API
unreachable).

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

import requests

from wxreg.approval.texts import STATUS_CONTEXT
from wxreg.config import REPO_ROOT, RegistryConfig
from wxreg.errors import ModelError
from wxreg.forge import labels
from wxreg.forge.config import GitHubConfig
from wxreg.forge.github import GitHubForge
from wxreg.forge.interface import Forge, ForgeError

ISSUE_CONFIG_PATH = ".github/ISSUE_TEMPLATE/config.yml"
LABELS = labels.ALL
"""Every label the workflows read or write, with the colour and description ``--fix`` gives them."""
SECRETS = {"GITEE_TOKEN": "Gitee 私人令牌（projects 权限，可推送镜像仓库；mirror.yml 使用）/ a Gitee personal access "
                          "token (projects scope) that can push to the mirror repository (used by mirror.yml)"}
VARIABLES = {"GITEE_USERNAME": "拥有该令牌的 Gitee 用户名 / the Gitee login that owns the token"}
SIGNING_ENVIRONMENT = "registry-signing"
SIGNING_SECRET = "TUF_ONLINE_KEY"  # noqa: S105 - the secret's name, not its value
"""sign.yml's job runs in the protected environment ``registry-signing``, which alone holds the online key
(SECURITY.md: the TUF keys)."""
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


def _labels(forge: Forge, fix: bool) -> Iterator[Check]:
    present = {name.casefold() for name in forge.label_names()}
    for name, (color, description) in LABELS.items():
        if name.casefold() in present:
            yield Check(True, f"标签 / label {name}")
            continue
        if fix:
            try:
                forge.create_label(name, color, description)
            except ForgeError as exc:
                yield Check(False, f"无法创建标签 / could not create label {name} ({exc})",
                            "令牌需要对仓库的写权限 / the token needs write access to the repository")
                continue
            yield Check(True, f"标签已创建 / label created: {name}")
            continue
        yield Check(False, f"缺少标签 / missing label: {name}" + (
            "；没有它审核永远不会运行 / without it the review never runs" if name == labels.SUBMISSION else ""),
            f"wxreg doctor --fix，或 Issues → Labels → New label「{name}」/ run `wxreg doctor --fix`, or "
            f"Issues → Labels → New label '{name}'")


def _cannot_read(what: tuple[str, str], exc: ForgeError) -> Check:
    return Check(False, f"无法读取{what[0]} / cannot read {what[1]} ({_short(exc)})",
                 "用仓库管理员的令牌运行 doctor / run doctor with a repository admin's token")


def _settings(forge: Forge) -> Iterator[Check]:
    for kind, wanted, where in (("secret", SECRETS, "Secrets"), ("variable", VARIABLES, "Variables")):
        try:
            names = (forge.secret_names() if kind == "secret" else frozenset(forge.variables())) or frozenset()
        except ForgeError as exc:
            yield _cannot_read((f" Actions {kind}", f"Actions {kind}s"), exc)
            continue
        for name, meaning in wanted.items():
            if name in names:
                yield Check(True, f"Actions {kind} {name}")
            else:
                yield Check(False, f"缺少 Actions {kind} / missing Actions {kind}: {name} ({meaning})",
                            f"Settings → Secrets and variables → Actions → {where} → New repository {kind} "
                            f"'{name}'")
    try:
        signing = forge.secret_names(SIGNING_ENVIRONMENT)
    except ForgeError as exc:
        yield _cannot_read((f"环境 {SIGNING_ENVIRONMENT}", f"environment {SIGNING_ENVIRONMENT}"), exc)
        return
    fix = (f"Settings → Environments → New environment '{SIGNING_ENVIRONMENT}'（部署分支仅限 main / deployment "
           f"branches: main only）→ Add environment secret '{SIGNING_SECRET}'（online.key 的内容，见 SECURITY.md / "
           "the contents of online.key, see SECURITY.md）")
    if signing is None:
        yield Check(False, f"缺少部署环境 / missing deployment environment: {SIGNING_ENVIRONMENT}"
                           "；sign.yml 无法签名注册表 / sign.yml cannot sign the registry", fix)
    elif SIGNING_SECRET not in signing:
        yield Check(False, f"环境 {SIGNING_ENVIRONMENT} 缺少 secret / environment {SIGNING_ENVIRONMENT} is missing "
                           f"the secret {SIGNING_SECRET}", fix)
    else:
        yield Check(True, f"环境 / environment {SIGNING_ENVIRONMENT}: {SIGNING_SECRET}")


def _pages(forge: Forge, config: RegistryConfig) -> Iterator[Check]:
    fix = ("Settings → Pages → Build and deployment → Source: GitHub Actions（pages.yml 部署站点 / pages.yml "
           "deploys the site）")
    try:
        site = forge.pages()
    except ForgeError as exc:
        yield _cannot_read((" Pages 设置", "the Pages settings"), exc)
        site = None
    else:
        if site is None:
            yield Check(False, "GitHub Pages 未启用：现有客户端只能读取 Pages 上的 registry.json / GitHub Pages is "
                               "not enabled: the shipped client can read registry.json only from Pages", fix)
        elif site.build_type != "workflow":
            yield Check(False, "GitHub Pages 的来源不是 GitHub Actions：pages.yml 无法部署 / GitHub Pages is not "
                               "set to Source: GitHub Actions, so pages.yml cannot deploy it", fix)
        else:
            yield Check(True, f"GitHub Pages, Source: GitHub Actions ({site.html_url})")
    if not config.pages_url:
        yield Check(False, "registry/config.json 没有 pages_url / registry/config.json has no pages_url",
                    f"设置 / set \"pages_url\": \"https://{config.github.owner.lower()}.github.io/"
                    f"{config.github.repo}/registry/registry.json\"")


def _protection(forge: Forge, branch: str, context: str) -> Iterator[Check]:
    fix = (f"Settings → Branches → {branch} → Require a pull request before merging; Require status checks to "
           f"pass → '{context}'; Require branches to be up to date before merging")
    try:
        rule = forge.branch_protection(branch)
    except ForgeError as exc:
        yield _cannot_read((f"分支保护 {branch}", f"branch protection of {branch}"), exc)
        return
    if rule is None:
        yield Check(False, f"分支未保护 / branch is not protected: {branch}", fix)
        return
    if context not in rule.contexts:
        yield Check(False, f"分支保护未要求 / branch protection on {branch} does not require {context}", fix)
    else:
        yield Check(True, f"分支保护要求 / branch protection on {branch} requires {context}")
    if not rule.strict:
        yield Check(False, f"分支保护未要求分支为最新 / branch protection on {branch} does not require branches to be "
                           "up to date（过期的注册表 PR 可能干净地合并却是错的 / a stale registry PR could merge "
                           "cleanly and be wrong）", fix)
    else:
        yield Check(True, f"分支保护要求分支为最新 / branch protection on {branch} requires up-to-date branches")


def _visibility(forge: Forge) -> Iterator[Check]:
    try:
        private = forge.is_private()
    except ForgeError as exc:
        yield _cannot_read((" 仓库可见性", "the repository's visibility"), exc)
        return
    if private:
        yield Check(False, "注册表仓库不是公开的：批准以匿名方式获取 main 与注册表分支，会失败 / the registry "
                           "repository is not public: the approval fetches main and the registry branches anonymously "
                           "and would fail",
                    "Settings → General → Danger Zone → Change visibility → Public；或给 approve.yml 的检出配置凭据 / "
                    "or give approve.yml's checkout credentials (CONTRIBUTING, private deployments)")
    else:
        yield Check(True, "注册表仓库是公开的 / the registry repository is public")


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


def _gitee_get(gitee_api: str, path: str, token: str) -> requests.Response:
    return requests.get(f"{gitee_api.rstrip('/')}{path}", params={"access_token": token}, timeout=TIMEOUT)


def _gitee(config: RegistryConfig, token: str | None, username: str | None) -> Iterator[Check]:
    """The mirror repository exists and Gitee accepts the token; the token is ``GITEE_USERNAME``'s (the
    mirror pushes as that login with the token as its password: anyone else's token is refused)."""
    gitee = config.gitee
    name = f"{gitee.owner}/{gitee.repo}"
    if not token:
        yield Check(False, "未提供 Gitee 令牌，无法检查镜像 / no Gitee token given: the mirror was not checked",
                    "GITEE_TOKEN=... wxreg doctor（或 --gitee-token）/ set GITEE_TOKEN or pass --gitee-token")
        return
    try:
        answer = _gitee_get(gitee.api_url, f"/repos/{name}", token)
        who = _gitee_get(gitee.api_url, "/user", token) if answer.status_code == 200 and username else None
    except requests.RequestException as exc:
        yield Check(False, f"无法连接 Gitee / could not reach Gitee at {gitee.api_url} ({type(exc).__name__})",
                    "检查 registry/config.json 的 gitee.api_url 与网络 / check gitee.api_url in registry/config.json "
                    "and the network")
        return
    status = answer.status_code
    if status == 401:
        yield Check(False, "Gitee 拒绝了令牌 / Gitee refused the token",
                    "在 Gitee 设置 → 私人令牌 重新生成（projects 权限）/ create a new personal access token "
                    "(projects scope) in Gitee settings")
    elif status == 404:
        yield Check(False, f"Gitee 上没有仓库 / no repository on Gitee: {name}",
                    f"先在 Gitee 创建空仓库 {name}（镜像不会自动创建）/ create the empty repository {name} on Gitee "
                    "first (the mirror never creates it)")
    elif status == 200:
        yield Check(True, f"Gitee 仓库 / Gitee repository {name}")
    else:
        yield Check(False, f"Gitee 回答 HTTP {status} / Gitee answered HTTP {status}", "稍后重试 / re-run later")
    if who is None or not username:
        return
    try:
        login = str(who.json().get("login") or "") if who.status_code == 200 else ""
    except (ValueError, AttributeError):
        login = ""
    if not login:
        yield Check(False, f"无法读取 Gitee 令牌的所有者（HTTP {who.status_code}）/ cannot read who owns the Gitee "
                           f"token (HTTP {who.status_code})", "稍后重试 / re-run later")
    elif login.casefold() != username.casefold():
        yield Check(False, f"Actions variable GITEE_USERNAME 是 {username}，但令牌属于 {login}：镜像推送会被拒绝 / "
                           f"GITEE_USERNAME is {username} but the token belongs to {login}: the mirror's push would "
                           "be refused",
                    f"把 GITEE_USERNAME 改为 {login}，或换成 {username} 的令牌 / set GITEE_USERNAME to {login}, or "
                    f"use {username}'s token")
    else:
        yield Check(True, f"Gitee 令牌属于 GITEE_USERNAME / the Gitee token is GITEE_USERNAME's ({login})")


def diagnose(config: RegistryConfig, root: Path, forge: Forge, *, gitee_token: str | None, required_check: str,
             fix: bool) -> list[Check]:
    """Every check, in the checklist's order; :class:`DoctorError` when the repository cannot be read at all."""
    try:
        checks = list(_labels(forge, fix))
    except ForgeError as exc:
        if exc.status in (401, 403):
            raise DoctorError(f"GitHub 拒绝了令牌（HTTP {exc.status}）/ GitHub refused the token "
                              f"(HTTP {exc.status})") from None
        if exc.status == 404:
            raise DoctorError(f"找不到仓库 / no repository {forge.repo}") from None
        raise DoctorError(f"无法连接 / could not reach the GitHub API ({_short(exc)})") from None
    checks += _settings(forge)
    try:
        username = forge.variables().get("GITEE_USERNAME")
    except ForgeError:
        username = None  # already reported by the settings check
    checks += _pages(forge, config)
    checks += _protection(forge, config.github.branch, required_check)
    checks += _visibility(forge)
    checks += _issue_config(root, config)
    checks += _gitee(config, gitee_token, username)
    return checks


def _short(exc: ForgeError) -> str:
    return f"HTTP {exc.status}" if exc.status else str(exc).split(":", 1)[0]


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
    forge = GitHubForge(GitHubConfig(token, repo, api_url=api_url, bot_login=None, throttle=not args.no_throttle))
    try:
        checks = diagnose(config, args.root, forge, gitee_token=args.gitee_token or os.environ.get("GITEE_TOKEN"),
                          required_check=args.required_check, fix=args.fix)
    except DoctorError as exc:
        print(f"无法检查 / could not check: {exc} at {api_url}", file=sys.stderr)
        return 2
    for check in checks:
        print(check.render())
    problems = sum(1 for check in checks if not check.ok)
    print(f"\n{problems} 个问题 / problem(s)" if problems else "\n一切就绪 / all set")
    return 1 if problems else 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "doctor", help="检查 fork 的设置并给出修复方法 / check a fork's set-up, with the exact fix for each problem",
        description="通过 API 检查标签、Secrets 与 Variables、签名环境 registry-signing、"
                    "Pages（来源：GitHub Actions）、分支保护（必需状态与分支为最新）、issue 模板配置和 Gitee 镜像。"
                    "需要仓库管理员的 GITHUB_TOKEN。"
                    "/ Checks labels, secrets and variables, the signing environment registry-signing, Pages (Source: "
                    "GitHub Actions), branch protection (the required status and up-to-date branches), the issue "
                    "template config and the Gitee mirror through the APIs. Needs a repository admin's GITHUB_TOKEN.")
    here = Path.cwd()
    default_root = here if (here / "registry" / "config.json").is_file() else REPO_ROOT
    parser.add_argument("--root", type=Path, default=default_root,
                        help="注册表检出目录（默认当前目录）/ the registry checkout (default: the current one)")
    parser.add_argument("--repo", help="OWNER/NAME（默认取自 registry/config.json）/ default from registry/config.json")
    parser.add_argument("--api-url", help="GitHub API（默认 $GITHUB_API_URL 或 config）/ default $GITHUB_API_URL")
    parser.add_argument("--gitee-token", help="Gitee 令牌（默认 $GITEE_TOKEN）/ default $GITEE_TOKEN")
    parser.add_argument("--required-check", default=STATUS_CONTEXT,
                        help=f"分支保护必须要求的状态 / the status branch protection must require "
                             f"(default {STATUS_CONTEXT})")
    parser.add_argument("--fix", action="store_true", help="创建缺少的标签 / create the missing labels")
    parser.add_argument("--write-issue-config", action="store_true",
                        help=f"从 config 生成 {ISSUE_CONFIG_PATH} / generate {ISSUE_CONFIG_PATH} from the config")
    parser.add_argument("--no-throttle", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(handler=run_doctor)
