"""``make demo``: the whole lifecycle of one plugin on the local GitHub + Gitee, through the real workflows.

An author publishes a plugin and opens a submission with the issue form; ``review.yml`` posts the score
comment; a maintainer applies ``approved`` and ``approve.yml`` opens the registry PR; the maintainer merges
it, which closes the issue, and ``publish.yml``, ``mirror.yml`` and ``pages.yml`` run (screenshots of the
deployed catalog, taken in Chromium, land beside the other artefacts); the reference consumer then reads the
registry from GitHub, and with GitHub down from Gitee, searches, checks updates and downloads the plugin with
its content digest verified. Every step is printed with its time; artefacts land in ``build/demo/``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from wxreg.config import REGISTRY_JSON_PATH, RegistryConfig
from wxreg.consumer import ConsumerError, Marketplace, RegistrySource
from wxreg.review.form import load_form
from wxreg.review.report import MARKER, parse_record
from wxreg.revocations import Revocation, revoke_pull
from wxreg.store import RegistryStore
from wxreg.tuf_repo import ONLINE_KEY_ENV, TufRepository, generate_key, write_key
from wxsandbox.world import CHECKOUT, REGISTRY, World

GOOD_PLUGIN = CHECKOUT / "tests" / "fixtures" / "plugins" / "good-plugin"
PLUGIN_REPO = "alice/daily-quote-reply"
TEMPLATE = "plugin-submission.yml"
WAIT_SECONDS = 240.0


class DemoError(Exception):
    """A step did not produce what the lifecycle promises; the transcript says which."""


class Transcript:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.started = time.monotonic()

    def say(self, text: str = "") -> None:
        self.lines.append(text)
        print(text, flush=True)

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        began = time.monotonic()
        self.say(f"▶ {title}")
        yield
        self.say(f"  ✓ {time.monotonic() - began:5.1f} s  (total {time.monotonic() - self.started:5.1f} s)")


def point_registry_at(seed: Path, world: World) -> None:
    """What a fork does: edit ``registry/config.json`` (here: to the stand-ins) and rebuild."""
    owner, name = world.registry.split("/")
    config = {
        "github": {"owner": owner, "repo": name, "branch": "main", "web_url": world.github.url,
                   "raw_url": world.github.raw_url, "api_url": world.github.api_url},
        "gitee": {"owner": owner, "repo": name, "branch": "main", "web_url": world.gitee.url,
                  "raw_url": world.gitee.url, "api_url": world.gitee.api_url},
        # Pages serves application/json, the only type today's WXAUTO-MGT client decodes (SECURITY.md §3.1).
        "pages_url": f"{world.github.pages_url}/{world.registry}/{REGISTRY_JSON_PATH}",
    }
    path = seed / "registry" / "config.json"
    path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    RegistryStore(seed).write()


def submission_answers(world: World) -> dict[str, Any]:
    """What Alice types into the issue form for the example plugin."""
    manifest = json.loads((GOOD_PLUGIN / "plugin.json").read_text(encoding="utf-8"))
    fields = {field.id: field for field in load_form().fields}
    return {
        "plugin_name": manifest["name"],
        "plugin_id": manifest["plugin_id"],
        "version": manifest["version"],
        "release_tag": f"v{manifest['version']}",
        "description": "收到「每日一句」时回复一句名言。\n\nReplies with a quote when asked.",
        "category": manifest["category"],
        "github_repo": f"{world.github.url}/{PLUGIN_REPO}",
        "gitee_repo": f"{world.gitee.url}/{PLUGIN_REPO}",
        "author_name": "Alice",
        "author_github": "alice",
        "author_email": "alice@example.com",
        "license": manifest["license"],
        "min_wxauto_version": manifest["min_wxauto_version"],
        "max_wxauto_version": manifest["max_wxauto_version"],
        "python_version": manifest["python_version"],
        "supported_os": manifest["supported_os"],
        "dependencies": "\n".join(manifest["dependencies"]),
        "permissions": [option.label for option in fields["permissions"].options
                        if option.value in manifest["permissions"]],
        "features": "- 名言回复 / quote replies\n- 离线兜底 / offline fallback",
        "screenshots": "docs/screenshot.png",
        "checklist": [option.label for option in fields["checklist"].options],
    }


def _wait(world: World, what: str) -> None:
    assert world.actions is not None
    if not world.actions.wait_idle(WAIT_SECONDS):
        raise DemoError(f"工作流超时 / workflows did not finish: {what}")
    failed = [f"{run.workflow} ({run.event.name}): {run.conclusion}" for run in world.actions.runs
              if run.conclusion not in ("success", "skipped", "cancelled", None)]
    if failed:
        last = world.actions.runs[-1]
        raise DemoError(f"工作流失败 / workflow failed: {failed}\n{last.log[-3000:]}")


def _runs_line(world: World, since: int) -> str:
    assert world.actions is not None
    runs = world.actions.runs[since:]
    return ", ".join(f"{Path(run.workflow).name}:{run.conclusion}" for run in runs) or "—"


RUN_ENVIRONMENT = ("WXREG_OSV_URL", "WXREG_PYPI_URL", "WXREG_ALLOW_URL_PREFIXES")
"""Set for the act runs of the demo (their steps inherit this process's environment) and put back afterwards,
so an in-process caller (the test suite) does not go on asking stand-ins that have stopped."""


def run(out_dir: Path, work_dir: Path) -> int:
    saved = {name: os.environ.get(name) for name in RUN_ENVIRONMENT}
    try:
        return _run(out_dir, work_dir)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _run(out_dir: Path, work_dir: Path) -> int:
    transcript = Transcript()
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    transcript.say("WXAUTO-MGT 插件注册表：完整生命周期演示 / plugin registry: the whole lifecycle, on local stand-ins")
    transcript.say()
    # Every workflow but CI (which runs this test suite): pages.yml deploys the catalog after the merge.
    world = World(work_dir / "world", prepare_seed=signed_seed(work_dir / "keys"), skip_workflows=("ci.yml",))
    # Steps of act runs inherit this process's environment, as on a self-hosted runner.
    os.environ["WXREG_OSV_URL"] = world.osv.query_url
    os.environ["WXREG_PYPI_URL"] = world.pypi.url
    with transcript.step("启动本地 GitHub、Gitee、OSV、PyPI / start local GitHub, Gitee, OSV and PyPI"):
        world.start()
        world.github.enable_pages(world.registry, build_type="workflow")  # Source: GitHub Actions
        transcript.say(f"  GitHub {world.github.url}  Gitee {world.gitee.url}  OSV {world.osv.query_url}"
                       f"  PyPI {world.pypi.url}")
        os.environ["WXREG_ALLOW_URL_PREFIXES"] = f"{world.gitee.url}/"
        online_key = (work_dir / "keys" / "online.key").read_text("ascii").strip()
        world.actions.set_secrets(REGISTRY, {ONLINE_KEY_ENV: online_key})  # type: ignore[union-attr]
        transcript.say(f"  TUF root v1 + 在线密钥（secret {ONLINE_KEY_ENV}）/ TUF root v1 + online key "
                       f"(secret {ONLINE_KEY_ENV}), keys generated now in {work_dir / 'keys'}")
    try:
        return _lifecycle(world, transcript, out_dir)
    except DemoError as exc:
        transcript.say(f"✗ {exc}")
        return 1
    finally:
        (out_dir / "transcript.txt").write_text("\n".join(transcript.lines) + "\n", encoding="utf-8")
        world.stop()


def _lifecycle(world: World, transcript: Transcript, out_dir: Path) -> int:
    assert world.actions is not None
    registry = world.registry
    maria = world.client("maria").get_repo(registry)
    config = RegistryConfig.from_dict(json.loads(maria.get_contents("registry/config.json").decoded_content))

    with transcript.step("作者发布插件 v1.0.0（GitHub + Gitee 镜像）/ the author publishes v1.0.0"):
        commit = world.make_plugin_repo("alice", "daily-quote-reply", GOOD_PLUGIN, tag="v1.0.0", mirror=True)
        transcript.say(f"  {world.github.url}/{PLUGIN_REPO} @ v1.0.0 = {commit[:12]}")

    mark = len(world.actions.runs)
    with transcript.step("作者用 issue 表单提交 / the author opens a submission with the issue form"):
        number = world.github.submit_issue_form(registry, TEMPLATE, submission_answers(world), login="alice")
        transcript.say(f"  {world.github.url}/{registry}/issues/{number}")
    with transcript.step("review.yml 审核并发表评分评论 / review.yml reviews and posts the score comment"):
        _wait(world, "review")
        transcript.say(f"  runs: {_runs_line(world, mark)}")
        issue = maria.get_issue(number)
        comments = [c for c in issue.get_comments() if c.user.login == world.github.bot_login and MARKER in c.body]
        if len(comments) != 1:
            raise DemoError(f"应有一条审核评论 / expected one review comment, found {len(comments)}")
        record = parse_record(comments[0].body) or {}
        (out_dir / "review-comment.md").write_text(comments[0].body, encoding="utf-8")
        transcript.say(f"  passed={record.get('passed')} security={record.get('security_score')} "
                       f"quality={record.get('quality_score')} commit={str(record.get('commit'))[:12]} "
                       f"digest={record.get('digest')}")
        if not record.get("passed"):
            raise DemoError("示例插件未通过审核 / the example plugin did not pass review")

    mark = len(world.actions.runs)
    with transcript.step("维护者添加 approved 标签 / a maintainer applies `approved`"):
        maria.get_issue(number).add_to_labels("approved")
        _wait(world, "approval")
        transcript.say(f"  runs: {_runs_line(world, mark)}")
        pulls = list(maria.get_pulls(state="open"))
        if len(pulls) != 1:
            raise DemoError(f"应有一个注册表 PR / expected one registry PR, found {len(pulls)}")
        pull = pulls[0]
        diff = requests.get(pull.url, headers={"Accept": "application/vnd.github.diff",
                                               "Authorization": f"token {world.token('maria')}"}, timeout=30)
        (out_dir / "pr.diff").write_text(diff.text, encoding="utf-8")
        transcript.say(f"  PR #{pull.number}: {pull.title}  {pull.html_url}")

    mark = len(world.actions.runs)
    with transcript.step("维护者合并 PR，issue 关闭，发布并镜像 / merge: the issue closes, publish + mirror run"):
        pull.merge(merge_method="squash")
        _wait(world, "publication and mirror")
        transcript.say(f"  runs: {_runs_line(world, mark)}")
        state = maria.get_issue(number).state
        if state != "closed":
            raise DemoError(f"合并后 issue 应关闭 / the issue should be closed after the merge, is {state}")
        transcript.say(f"  issue #{number}: {state}")

    with transcript.step("两个主机上的 registry.json 一致 / registry.json is the same on both hosts"):
        github_bytes = requests.get(config.raw_file_url("github", REGISTRY_JSON_PATH), timeout=10).content
        gitee_bytes = requests.get(config.raw_file_url("gitee", REGISTRY_JSON_PATH), timeout=10).content
        (out_dir / "registry.json").write_bytes(github_bytes)
        if github_bytes != gitee_bytes:
            raise DemoError("GitHub 与 Gitee 的 registry.json 不同 / registry.json differs between GitHub and Gitee")
        listed = [entry["plugin_id"] for entry in json.loads(github_bytes)["plugins"]]
        transcript.say(f"  {len(github_bytes)} bytes, plugins: {listed}")
        transcript.say(f"  {config.registry_url}")
        transcript.say(f"  {config.gitee_registry_url}")

    with transcript.step("现有客户端只解码 application/json / the shipped client decodes application/json only"):
        for label, url in (("GitHub raw", config.registry_url), ("Gitee raw", config.gitee_registry_url),
                           ("GitHub Pages", config.pages_url or "")):
            kind = requests.get(url, timeout=10).headers.get("Content-Type", "")
            verdict = "✓ 可读 / readable" if kind.split(";")[0].strip() == "application/json" else "✗ 拒绝 / refused"
            transcript.say(f"  {label:<12} {kind:<32} {verdict}")
        transcript.say("  (Gitee 的类型为沙箱设定，未核实 / Gitee's type is a sandbox setting, unverified)")

    with transcript.step("pages.yml 部署的插件目录（Chromium 截图）/ the catalog pages.yml deployed, in Chromium"):
        for line in catalog_screenshots(f"{world.github.pages_url}/{registry}/", "daily_quote_reply", out_dir):
            transcript.say(f"  {line}")

    cache = Path(tempfile.mkdtemp(prefix="wxreg-demo-client-"))
    sources = [RegistrySource("GitHub", config.registry_url, 1), RegistrySource("Gitee", config.gitee_registry_url, 2)]
    # The root the client ships: the maintainers' root.json as committed (here: as seeded).
    trusted_root = (world.root / "seed" / "registry" / "metadata" / "root.json").read_bytes()
    market = Marketplace(sources, cache, timeout=3.0, trusted_root=trusted_root)
    with transcript.step("客户端从 GitHub 读取注册表 / the consumer reads the registry from GitHub"):
        result = market.refresh_registry()
        transcript.say(f"  {result.describe()}")
        again = market.refresh_registry()
        transcript.say(f"  再次刷新 / refresh again: {again.describe()}")

    _revocation_steps(world, transcript, market, cache)

    with transcript.step("GitHub 宕机：客户端改读 Gitee / GitHub goes down: the consumer fails over to Gitee"):
        world.github.stop()
        began = time.monotonic()
        result = market.refresh_registry()
        transcript.say(f"  {result.describe()}  ({time.monotonic() - began:.2f} s)")
        if result.source != "Gitee":
            raise DemoError("未能切换到 Gitee / did not fail over to Gitee")
        found = market.search_plugins("名言")
        transcript.say(f"  search '名言': {[entry['plugin_id'] for entry in found]}")
        updates = market.check_plugin_updates({"daily_quote_reply": "0.9.0"})
        transcript.say(f"  updates for 0.9.0: {[(u.plugin_id, u.available) for u in updates]}")
        downloaded = market.download_plugin("daily_quote_reply", "1.0.0", cache / "plugins")
        transcript.say(f"  downloaded {downloaded.version} from {downloaded.archive_url}")
        transcript.say(f"  digest verified: {downloaded.digest}")
    _tampered_mirror_step(world, transcript, market)
    shutil.rmtree(cache, ignore_errors=True)

    transcript.say()
    transcript.say(f"完成 / done in {time.monotonic() - transcript.started:.1f} s. "
                   f"Artefacts: {', '.join(sorted(p.name for p in out_dir.iterdir()))} + transcript.txt in {out_dir}")
    return 0


def signed_seed(keys: Path) -> Callable[[Path, World], None]:
    """``point_registry_at``, then what the maintainers do once (``wxreg tuf init``): keys generated now."""

    def prepare(seed: Path, world: World) -> None:
        point_registry_at(seed, world)
        root_key, online = generate_key(), generate_key()
        TufRepository(seed).init([root_key], 1, online, datetime.now(UTC))
        write_key(keys / "root-1.key", root_key)
        write_key(keys / "online.key", online)

    return prepare


def _signed_publish_line(world: World, config: RegistryConfig) -> str:
    timestamps = [requests.get(config.raw_file_url(host, "registry/metadata/timestamp.json"), timeout=10).content
                  for host in ("github", "gitee")]
    version = json.loads(timestamps[0])["signed"]["version"]
    same = "相同 / same bytes" if timestamps[0] == timestamps[1] else "不同 / DIFFERENT"
    return f"  signed publish: timestamp v{version} on GitHub and Gitee: {same}"


def _revocation_steps(world: World, transcript: Transcript, market: Marketplace, cache: Path) -> None:
    """A maintainer revokes a version (``wxreg revoke``: a PR), merges; sign.yml signs, the mirror copies."""
    assert world.actions is not None
    maria = world.client("maria").get_repo(world.registry)
    config = RegistryConfig.from_dict(json.loads(maria.get_contents("registry/config.json").decoded_content))
    transcript.say(_signed_publish_line(world, config))
    mark = len(world.actions.runs)
    with transcript.step("维护者撤销 0.9.0（wxreg revoke → PR → 合并）/ a maintainer revokes 0.9.0 "
                         "(wxreg revoke -> PR -> merge)"):
        revocation = Revocation("daily_quote_reply", ("0.9.0",), "block", "早期构建会把聊天记录发送给第三方",
                                "an early build sent chat logs to a third party",
                                "https://example.org/advisories/WXA-2026-1", "2026-11-30T00:00:00Z")
        url = revoke_pull(world.forge("maria"), "main", revocation)
        number = int(url.rstrip("/").rsplit("/", 1)[-1])
        _wait(world, "revocation PR: check-pr.yml sets the required status")
        maria.get_pull(number).merge(merge_method="squash")
        _wait(world, "revocation: sign and mirror")
        transcript.say(f"  {url}  runs: {_runs_line(world, mark)}")
        transcript.say(_signed_publish_line(world, config))
    with transcript.step("客户端拒绝被撤销的版本并报告已安装的副本 / the consumer refuses the revoked version and "
                         "reports the installed copy"):
        result = market.refresh_registry()
        transcript.say(f"  {result.describe()}")
        try:
            market.download_plugin("daily_quote_reply", "0.9.0", cache / "plugins")
            raise DemoError("被撤销的版本被下载了 / the revoked version was downloaded")
        except ConsumerError as exc:
            transcript.say(f"  download 0.9.0: {exc}")
        installed = cache / "installed" / "daily_quote_reply"
        installed.mkdir(parents=True)
        (installed / "plugin.json").write_text('{"plugin_id": "daily_quote_reply", "version": "0.9.0"}',
                                               encoding="utf-8")
        findings = market.audit_installed(cache / "installed")
        if [finding.status for finding in findings] != ["block"]:
            raise DemoError(f"审计结果不对 / unexpected audit: {findings}")
        transcript.say(f"  wxreg client audit: {findings[0].path.name} 0.9.0 installed, revoked ({findings[0].status})")


def _tampered_mirror_step(world: World, transcript: Transcript, market: Marketplace) -> None:
    """The Gitee copy is altered (a compromised mirror): the signed metadata no longer matches it."""
    with transcript.step("被篡改的镜像被拒绝 / a tampered mirror is refused"):
        tree = Path(tempfile.mkdtemp(prefix="wxreg-demo-tampered-"))
        archive = subprocess.run(["git", "-C", str(world.gitee.bare_repo_path(REGISTRY)), "archive", "main"],
                                 check=True, capture_output=True, timeout=60).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tree, filter="data")
        registry_path = tree / "registry" / "registry.json"
        document = json.loads(registry_path.read_text("utf-8"))
        document["plugins"][0]["release"]["digest"] = "h1:" + "A" * 43 + "="
        registry_path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        world.gitee.push_directory(REGISTRY, tree, message="attacker")
        shutil.rmtree(tree, ignore_errors=True)
        # A user installing today (no verified copy yet) meets the altered file; the existing client's
        # verified copy still matches the signed hash, so it never even downloads the forgery.
        assert market.trust is not None
        newcomer = Marketplace(market.sources, Path(tempfile.mkdtemp(prefix="wxreg-demo-newcomer-")), timeout=3.0,
                               trusted_root=market.trust.trusted_root)
        try:
            newcomer.refresh_registry()
            raise DemoError("篡改未被发现 / the tampering went unnoticed")
        except ConsumerError as exc:
            refusal = next((part for part in str(exc).split("; ") if "Gitee" in part), str(exc))
            if "arbitrary registry" not in refusal:
                raise DemoError(f"篡改未被识别 / the tampering was not recognised: {exc}") from exc
            transcript.say(f"  new client: {refusal}")
        finally:
            shutil.rmtree(newcomer.cache_dir, ignore_errors=True)
        transcript.say(f"  existing client: {market.refresh_registry().describe()}")
def catalog_screenshots(base: str, plugin_id: str, out_dir: Path) -> list[str]:
    """Screenshots of the catalog's index and one plugin page (both languages) into ``out_dir``."""
    from wxsandbox import browser

    reason = browser.missing_reason()
    if reason is not None:
        return [f"跳过截图 / screenshots skipped: {reason}"]
    from playwright.sync_api import sync_playwright

    shots = (("catalog-index.png", ""), ("catalog-plugin.png", f"plugins/{plugin_id}.html"),
             ("catalog-plugin-en.png", f"en/plugins/{plugin_id}.html"))
    lines = []
    with sync_playwright() as playwright:
        chromium = browser.launch(playwright)
        page = chromium.new_page(viewport={"width": 1100, "height": 900}, locale="zh-CN")
        for name, path in shots:
            answer = page.goto(base + path)
            if answer is None or answer.status != 200:
                chromium.close()
                raise DemoError(f"插件目录页面不可用 / catalog page missing: {base + path}")
            page.screenshot(path=str(out_dir / name), full_page=True)
            lines.append(f"{name}: {base + path}")
        chromium.close()
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wxsandbox.demo", description=__doc__)
    parser.add_argument("--out", type=Path, default=CHECKOUT / "build" / "demo")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wxsandbox-demo-") as work:
        return run(args.out, Path(work))


if __name__ == "__main__":
    sys.exit(main())
