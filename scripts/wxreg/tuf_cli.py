"""``wxreg tuf ...``: create, sign and rotate the registry's TUF metadata (``registry/metadata/``).

    wxreg tuf init --keys DIR [--root-keys 3 --threshold 2]   # once per registry (or fork), offline
    wxreg tuf sign                                           # re-sign what is due (TUF_ONLINE_KEY)
    wxreg tuf publish                                        # CI: validate, sign, commit to main via the API
    wxreg tuf rotate-root --keys OLD --new-keys NEW [--threshold T] [--new-online-key]
    wxreg tuf status
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from wxreg.config import RegistryConfig, working_root
from wxreg.forge.interface import Forge, ForgeError
from wxreg.tuf_repo import (
    ONLINE_KEY_ENV,
    RENEW_BEFORE,
    TufRepoError,
    TufRepository,
    generate_key,
    load_keys,
    online_key_from_env,
    write_key,
)


def _now(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run_init(args: argparse.Namespace) -> int:
    keys: Path = args.keys
    if keys.exists() and any(keys.glob("*.key")):
        raise TufRepoError(f"{keys} 已有密钥，拒绝覆盖 / {keys} already holds keys: refusing to overwrite")
    root_signers = [generate_key() for _ in range(args.root_keys)]
    online = generate_key()
    TufRepository(args.root).init(root_signers, args.threshold, online, _now(args.date))
    for number, signer in enumerate(root_signers, 1):
        write_key(keys / f"root-{number}.key", signer)
    write_key(keys / "online.key", online)
    print(f"已创建 registry/metadata（root 阈值 {args.threshold}/{args.root_keys}）/ created registry/metadata "
          f"(root threshold {args.threshold} of {args.root_keys})")
    print(f"root 密钥离线保存，分给各维护者 / keep the root keys offline, one per maintainer: {keys}/root-*.key")
    print(f"把 {keys}/online.key 的内容存为 signing 环境的 secret {ONLINE_KEY_ENV}，然后删除该文件 / store the "
          f"contents of {keys}/online.key as the secret {ONLINE_KEY_ENV} of the `signing` environment, then "
          "delete the file")
    return 0


def run_sign(args: argparse.Namespace) -> int:
    repo = TufRepository(args.root)
    force = args.force_timestamp or args.tuf_action == "resign-timestamp"
    written = repo.sign(online_key_from_env(), _now(args.date), force_timestamp=force)
    print(f"已签名 / signed: {', '.join(written) or '无需签名 / nothing due'}")
    return 0


def run_publish(args: argparse.Namespace) -> int:
    """Validate the checkout, sign what is due and commit the metadata onto the branch it was checked out
    from, through the API (a fast-forward: when main moved meanwhile, the newer run signs instead)."""
    from wxreg.approval.publisher import RegistryChange, RegistryPublisher
    from wxreg.validate import validate_registry

    repo = TufRepository(args.root)
    if not repo.initialised:
        print("::notice::registry/metadata 不存在，未签名（见 SECURITY.md）/ registry/metadata does not exist: "
              "nothing signed (see SECURITY.md)")
        return 0
    problems = validate_registry(args.root)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print("::error::注册表无效，拒绝签名 / the registry is invalid: refusing to sign", file=sys.stderr)
        return 1
    now = _now(args.date)
    root = repo.load("root").signed
    if root.expires - RENEW_BEFORE["root"] <= now:
        print(f"::warning::root 将于 {root.expires:%Y-%m-%d} 过期：维护者须用 wxreg tuf rotate-root 续签 / "
              f"root expires {root.expires:%Y-%m-%d}: maintainers must renew it with `wxreg tuf rotate-root`")
    written = repo.sign(online_key_from_env(), now)
    if not written:
        print("无需签名 / nothing due")
        _output(args, committed=False)
        return 0
    forge, config = _forge(args)
    base = os.environ.get("GITHUB_SHA") or subprocess.run(
        ["git", "-C", str(args.root), "rev-parse", "HEAD"], check=True, capture_output=True, text=True,
        timeout=30).stdout.strip()
    files = {path: (args.root / path).read_bytes() for path in repo.written_paths(written)}
    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    message = f"Sign registry metadata ({', '.join(written)}) at {stamp}"
    change = RegistryChange("tuf-metadata", base, files, message, "", message, stamp)
    publisher = RegistryPublisher(forge, base_branch=config.github.branch)
    try:
        sha = publisher.commit_to_base(change)
    except ForgeError as exc:
        if exc.status != 422:
            raise
        print(f"::notice::{config.github.branch} 已前进，交给更新的运行签名 / {config.github.branch} moved on: "
              "the newer run signs it")
        _output(args, committed=False)
        return 0
    print(f"已提交签名 / committed the signed metadata: {sha} ({', '.join(written)})")
    _output(args, committed=True)
    return 0


def _output(args: argparse.Namespace, *, committed: bool) -> None:
    """``committed=true|false`` for the workflow (a value this program computed, never input text)."""
    if args.output is not None:
        with args.output.open("a", encoding="utf-8") as handle:
            handle.write(f"committed={'true' if committed else 'false'}\n")


def _forge(args: argparse.Namespace) -> tuple[Forge, RegistryConfig]:
    from wxreg.forge.config import GitHubConfig
    from wxreg.forge.github import GitHubForge

    config = RegistryConfig.load(args.root / "registry" / "config.json")
    name = os.environ.get("GITHUB_REPOSITORY") or f"{config.github.owner}/{config.github.repo}"
    forge = GitHubForge(GitHubConfig(token=os.environ.get("GITHUB_TOKEN", ""), repo=name,
                                     api_url=os.environ.get("GITHUB_API_URL", "https://api.github.com"),
                                     throttle=not args.no_throttle))
    return forge, config


def run_dispatch(args: argparse.Namespace) -> int:
    """Start ``workflow`` on the registry branch: how the signing commit (a bot push, which starts nothing)
    reaches the mirror. ``POST /repos/{repo}/actions/workflows/{file}/dispatches`` answers 204."""
    forge, config = _forge(args)
    try:
        forge.dispatch_workflow(args.workflow, config.github.branch)
    except ForgeError as exc:
        print(f"::error::无法启动 {args.workflow}（{exc}）/ could not dispatch {args.workflow} ({exc})",
              file=sys.stderr)
        return 1
    print(f"已启动 / dispatched {args.workflow} on {config.github.branch}")
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    repo = TufRepository(args.root)
    old = load_keys(args.keys)
    new_dir: Path = args.new_keys
    if args.generate_new:
        if new_dir.exists() and any(new_dir.glob("*.key")):
            raise TufRepoError(f"{new_dir} 已有密钥 / {new_dir} already holds keys")
        for number in range(1, args.root_keys + 1):
            write_key(new_dir / f"root-{number}.key", generate_key())
    new_roots = load_keys([new_dir], "root-*.key")
    if args.new_online_key:
        online = generate_key()
        write_key(new_dir / "online.key", online)
    else:
        online = online_key_from_env()
    version = repo.rotate_root(old, new_roots, args.threshold, online, _now(args.date))
    print(f"已写入 root v{version}，并用在线密钥重新签名 / wrote root v{version} and re-signed the online roles")
    if args.new_online_key:
        print(f"新的在线密钥在 {new_dir}/online.key：更新 secret {ONLINE_KEY_ENV} / the new online key is in "
              f"{new_dir}/online.key: update the secret {ONLINE_KEY_ENV}")
    return 0


def run_status(args: argparse.Namespace) -> int:
    for status in TufRepository(args.root).status():
        print(f"{status.role:<10} v{status.version:<5} expires {status.expires:%Y-%m-%dT%H:%M:%SZ}")
    return 0


def _guard(handler: object) -> object:
    def run(args: argparse.Namespace) -> int:
        try:
            return int(handler(args))  # type: ignore[operator]
        except TufRepoError as exc:
            print(f"错误 / error: {exc}", file=sys.stderr)
            return 1
    return run


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tuf = subparsers.add_parser("tuf", help="TUF 元数据：创建、签名、轮换 / TUF metadata: init, sign, rotate")
    tuf.add_argument("--root", type=Path, default=working_root(), help="repository root that holds registry/")
    tuf.add_argument("--no-throttle", action="store_true", help=argparse.SUPPRESS)
    tuf.add_argument("--date", help="当前时间 / the time to sign at (default now), YYYY-MM-DDTHH:MM:SSZ")
    actions = tuf.add_subparsers(dest="tuf_action", required=True)
    init = actions.add_parser("init", help="生成密钥并创建元数据 / generate keys and create the metadata")
    init.add_argument("--keys", type=Path, required=True, help="私钥目录（离线）/ directory for the private keys")
    init.add_argument("--root-keys", type=int, default=3, help="root 密钥数 / number of root keys")
    init.add_argument("--threshold", type=int, default=2, help="root 签名阈值 / root signature threshold")
    init.set_defaults(handler=_guard(run_init))
    sign = actions.add_parser("sign", help=f"重新签名到期的角色（{ONLINE_KEY_ENV}）/ re-sign what is due")
    sign.add_argument("--force-timestamp", action="store_true", help="总是重签 timestamp / always re-sign it")
    sign.set_defaults(handler=_guard(run_sign))
    resign = actions.add_parser("resign-timestamp", help="总是重签 timestamp（即 sign --force-timestamp）/ "
                                "always re-sign the timestamp (sign --force-timestamp)")
    resign.set_defaults(handler=_guard(run_sign), force_timestamp=True)
    publish = actions.add_parser("publish", help="CI：校验、签名并提交 / CI: validate, sign, commit to main")
    publish.add_argument("--output", type=Path, help="追加 committed=true|false / append committed=true|false")
    publish.set_defaults(handler=_guard(run_publish))
    dispatch = actions.add_parser("dispatch", help="启动工作流（镜像）/ dispatch a workflow (the mirror)")
    dispatch.add_argument("--workflow", default="mirror.yml")
    dispatch.set_defaults(handler=_guard(run_dispatch))
    rotate = actions.add_parser("rotate-root", help="轮换 root 密钥 / rotate the root keys")
    rotate.add_argument("--keys", type=Path, action="append", required=True,
                        help="当前 root 私钥目录（可重复）/ directory with current root keys (repeatable)")
    rotate.add_argument("--new-keys", type=Path, required=True, help="新 root 私钥目录 / new root keys directory")
    rotate.add_argument("--generate-new", action="store_true", help="在 --new-keys 生成新密钥 / generate them")
    rotate.add_argument("--root-keys", type=int, default=3, help="with --generate-new: how many")
    rotate.add_argument("--threshold", type=int, default=2)
    rotate.add_argument("--new-online-key", action="store_true", help="同时更换在线密钥 / also replace the online key")
    rotate.set_defaults(handler=_guard(run_rotate))
    status = actions.add_parser("status", help="各角色版本与过期时间 / versions and expiry of each role")
    status.set_defaults(handler=_guard(run_status))
