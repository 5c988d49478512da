"""``wxsandbox up``: start the whole sandbox, print its URLs and tokens, and wait for Ctrl-C.
``wxsandbox submit-form --as USER answers.yml``: fill the registry's issue form in a running sandbox."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import requests
import yaml

from wxsandbox.world import World

STATE_FILE = Path(os.environ.get("WXSANDBOX_STATE") or Path(tempfile.gettempdir()) / "wxsandbox-state.json")
"""Where ``up`` writes its URLs and tokens, for ``env``, ``submit-form`` and scripts (``$WXSANDBOX_STATE``)."""
TEMPLATE = "plugin-submission.yml"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wxsandbox",
        description="本地 GitHub + Gitee + OSV 沙箱，运行注册表的真实工作流 / A local GitHub + Gitee + OSV that runs "
                    "the registry's real workflows.")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="启动沙箱，打印地址与令牌，Ctrl-C 停止 / start, print URLs and tokens, "
                                        "wait for Ctrl-C")
    up.add_argument("--root", type=Path, help="仓库存放目录（默认临时目录）/ where repositories live (default: temp)")
    up.add_argument("--seed", type=Path, help="注册表仓库的初始内容（默认 git archive HEAD）/ seed for wxauto/registry")
    up.add_argument("--no-workflows", action="store_true", help="事件不运行工作流 / do not run workflows on events")
    up.add_argument("--json", action="store_true", help="以 JSON 打印摘要 / print the summary as JSON")
    up.add_argument("--state-file", type=Path, default=STATE_FILE,
                    help=f"写入地址与令牌的文件 / where to write URLs and tokens (default {STATE_FILE})")
    form = commands.add_parser("submit-form", help="在运行中的沙箱里填写插件提交表单 / fill the submission issue "
                                                   "form in a running sandbox")
    form.add_argument("answers", type=Path, help="YAML：字段 id -> 答案 / YAML mapping field id -> answer")
    form.add_argument("--as", dest="login", required=True, help="以哪个用户提交 / the user who submits (e.g. alice)")
    form.add_argument("--template", default=TEMPLATE, help=f"表单文件名 / form file name (default {TEMPLATE})")
    form.add_argument("--title", help="issue 标题（默认由表单生成）/ issue title (default: the form's)")
    form.add_argument("--state-file", type=Path, default=STATE_FILE,
                      help="wxsandbox up 写的文件 / the file wxsandbox up wrote")
    env = commands.add_parser("env", help="打印 shell 变量（eval \"$(wxsandbox env)\"）/ print shell variables for a "
                                          "running sandbox (eval \"$(wxsandbox env)\")")
    env.add_argument("--state-file", type=Path, default=STATE_FILE, help="wxsandbox up 写的文件 / the file up wrote")
    return parser


def _load_state(path: Path) -> dict[str, Any] | None:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        print(f"找不到运行中的沙箱 / no running sandbox: {path} is missing; start `wxsandbox up` first",
              file=sys.stderr)
        return None
    return state if isinstance(state, dict) else None


def _env(args: argparse.Namespace) -> int:
    """``export`` lines: the URLs, and one ``TOKEN_<LOGIN>`` / ``GITEE_TOKEN_<LOGIN>`` per user."""
    state = _load_state(args.state_file)
    if state is None:
        return 2
    values = {"GITHUB_URL": state["github"]["url"], "GITHUB_API_URL": state["github"]["api_url"],
              "GITHUB_RAW_URL": state["github"]["raw_url"], "GITEE_URL": state["gitee"]["url"],
              "GITEE_API_URL": state["gitee"]["api_url"], "WXREG_OSV_URL": state["osv"]["query_url"],
              "WXSANDBOX_STATE": str(args.state_file)}
    for login, user in state["users"].items():
        values[f"TOKEN_{login.upper()}"] = user["github_token"]
        values[f"GITEE_TOKEN_{login.upper()}"] = user["gitee_token"]
    for name, value in values.items():
        print(f"export {name}={shlex.quote(str(value))}")
    return 0


def _print_summary(world: World, as_json: bool) -> None:
    summary = world.summary()
    if as_json:
        print(json.dumps(summary, indent=2), flush=True)
        return
    github, gitee = summary["github"], summary["gitee"]
    lines = [
        "WXAUTO-MGT 沙箱已启动（Ctrl-C 停止）/ WXAUTO-MGT sandbox is up (Ctrl-C stops it).",
        f"GitHub 网页与 git / web+git : {github['url']}    clone: git clone {github['git']}",
        f"GitHub API               : {github['api_url']}    raw: {github['raw_url']}/{world.registry}/main/README.md",
        f"Gitee                    : {gitee['url']}    clone: git clone {gitee['git']}    API: {gitee['api_url']}",
        f"OSV                      : {summary['osv']['query_url']}    (WXREG_OSV_URL)",
        f"PyPI JSON API            : {summary['pypi']['url']}    (WXREG_PYPI_URL)",
        f"工作流 / workflows       : {summary['workflows']} (variables GITEE_URL, GITEE_USERNAME; secret GITEE_TOKEN)",
        f"机器人 / bot             : {github['bot']['login']}  token {github['bot']['token']}",
        "registry/config.json 已指向本沙箱 / registry/config.json points at this sandbox",
        "用户（在 wxauto/registry 的角色、GitHub 令牌、Gitee 令牌）/ users (role, GitHub token, Gitee token):",
    ]
    for login, user in summary["users"].items():
        lines.append(f"  {login:<8} {user['role']:<9} {user['github_token']}  {user['gitee_token']}")
    lines += [
        "试试 / try:",
        f"  curl -H 'Authorization: token {summary['users']['alice']['github_token']}' "
        f"{github['api_url']}/repos/{world.registry}",
        '  eval "$(wxsandbox env)"; wxsandbox submit-form --as alice answers.yml   (README: a worked session)',
        "每个工作流运行结束时打印一行 / one line per finished workflow run follows:",
    ]
    print("\n".join(lines), flush=True)


def _report_runs(world: World, logs: Path, stop: threading.Event) -> None:
    """One line per finished workflow run: workflow, event, conclusion, log file."""
    if world.actions is None:
        return
    logs.mkdir(parents=True, exist_ok=True)
    reported: set[int] = set()
    while not stop.wait(0.5):
        for run in list(world.actions.runs):
            if run.run_id in reported or run.status != "completed":
                continue
            reported.add(run.run_id)
            log = logs / f"run-{run.run_id}.log"
            log.write_text(run.log, encoding="utf-8")
            print(f"工作流 / run #{run.run_id} {Path(run.workflow).name} ({run.event.name}): {run.conclusion}  "
                  f"日志 / log: {log}", flush=True)


def _up(args: argparse.Namespace) -> int:
    # What `make demo` does: point the registry at the stand-ins, and let workflow steps (act runs
    # inherit this environment) use the sandbox's OSV and accept plugins from its Gitee.
    from wxsandbox.demo import point_registry_at

    with tempfile.TemporaryDirectory(prefix="wxsandbox-") as scratch:
        root = args.root or Path(scratch)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        world = World(root, seed=args.seed, run_workflows=not args.no_workflows, prepare_seed=point_registry_at)
        os.environ["WXREG_OSV_URL"] = world.osv.query_url
        # Workflow steps run by act inherit this environment: reviews ask the local index, not pypi.org.
        os.environ["WXREG_PYPI_URL"] = world.pypi.url
        with world:
            os.environ["WXREG_ALLOW_URL_PREFIXES"] = f"{world.gitee.url}/"
            world.github.enable_pages(world.registry, branch="main", folder="/")
            summary = world.summary()
            args.state_file.write_text(json.dumps(summary, indent=2), encoding="utf-8")
            _print_summary(world, args.json)
            watcher = threading.Thread(target=_report_runs, args=(world, root / "logs", stop), daemon=True)
            watcher.start()
            try:
                while not stop.wait(3600):  # woken by SIGTERM; Ctrl-C raises KeyboardInterrupt
                    pass
            except KeyboardInterrupt:
                print("\n停止 / stopping", file=sys.stderr)
            stop.set()
            watcher.join(timeout=5)
        args.state_file.unlink(missing_ok=True)
    return 0


def _submit_form(args: argparse.Namespace) -> int:
    state = _load_state(args.state_file)
    if state is None:
        return 2
    try:
        answers = yaml.safe_load(args.answers.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        print(f"无法读取答案文件 / cannot read {args.answers}: {type(exc).__name__}", file=sys.stderr)
        return 2
    user = state.get("users", {}).get(args.login)
    if not isinstance(answers, dict) or user is None:
        problem = (f"未知用户 / unknown user {args.login}" if user is None
                   else "答案文件应为「字段 id: 答案」映射 / the answers file must map field ids to answers")
        print(problem, file=sys.stderr)
        return 2
    url = f"{state['github']['registry']}/issues/new"
    try:
        answer = requests.post(url, params={"template": args.template}, json={"answers": answers, "title": args.title},
                               headers={"Authorization": f"token {user['github_token']}"}, timeout=30)
    except requests.RequestException as exc:
        print(f"沙箱无响应 / the sandbox does not answer at {url} ({type(exc).__name__})", file=sys.stderr)
        return 2
    body = answer.json() if answer.headers.get("Content-Type", "").startswith("application/json") else {}
    if answer.status_code != 201:
        print(f"表单被拒绝 / the form was refused: {body.get('message', answer.status_code)}", file=sys.stderr)
        return 1
    print(body["html_url"])
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "up":
        return _up(args)
    if args.command == "submit-form":
        return _submit_form(args)
    if args.command == "env":
        return _env(args)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
