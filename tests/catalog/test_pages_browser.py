"""pages.yml through act, then the deployed catalog in Debian's Chromium, over the Pages stand-in's socket.

One world for the module: its registry is the example registry plus a revocation and a queue; Pages is
set to deploy from GitHub Actions; Maria dispatches pages.yml, whose build job runs ``wxreg site`` and
whose deploy job hands the artifact to the stand-in, which then serves it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests
from bench.bench_registry import make_registry

from tests.catalog.conftest import REVOKED_ID, seed_catalog
from wxreg.catalog.site import build_site
from wxreg.store import RegistryStore
from wxsandbox import browser
from wxsandbox.github import GitHubStandIn
from wxsandbox.world import World

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.act
RUN_WAIT_SECONDS = 240.0


def _seed(seed: Path, world: World) -> None:
    seed_catalog(seed)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    with World(tmp_path_factory.mktemp("catalog-world"), prepare_seed=_seed, skip_workflows=("ci.yml",)) as world:
        base = world.github.enable_pages(world.registry, build_type="workflow")
        assert world.actions is not None
        answer = requests.post(
            f"{world.github.api_url}/repos/{world.registry}/actions/workflows/pages.yml/dispatches",
            json={"ref": "main"}, headers={"Authorization": f"token {world.token('maria')}"}, timeout=10)
        assert answer.status_code == 204, answer.text
        assert world.actions.wait_idle(RUN_WAIT_SECONDS)
        [run] = world.actions.runs_for(workflow="pages.yml")
        assert run.conclusion == "success", run.log
        yield world, base


def test_pages_workflow_deploys_the_site_with_least_privilege(site: tuple[World, str]) -> None:
    world, base = site
    [run] = world.actions.runs_for(workflow="pages.yml") if world.actions else []
    assert [run.jobs[job].conclusion for job in ("build", "deploy")] == ["success", "success"]
    index = requests.get(base, timeout=10)
    assert index.status_code == 200 and index.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<html lang="zh-Hans">' in index.text
    # The build job's token could not have deployed: deployments need pages: write and id-token: write.
    build_token = world.github.workflow_token(world.registry, {"contents": "read", "pages": "read"})
    refused = requests.post(f"{world.github.api_url}/repos/{world.registry}/pages/deployments",
                            json={"artifact_url": "file:///nonexistent/artifact.tar", "pages_build_version": "x"},
                            headers={"Authorization": f"token {build_token}"}, timeout=10)
    assert refused.status_code == 403


def test_old_client_url_answers_json_with_the_same_bytes(site: tuple[World, str]) -> None:
    world, base = site
    published = requests.get(f"{world.github.raw_url}/{world.registry}/main/registry/registry.json", timeout=10)
    assert published.status_code == 200
    answer = requests.get(f"{base}registry/registry.json", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].split(";")[0] == "application/json"
    assert answer.content == published.content
    revoked = requests.get(f"{base}registry/revoked.json", timeout=10)
    assert revoked.status_code == 200 and revoked.json()["revocations"][0]["plugin_id"] == REVOKED_ID


# -- in the browser ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    reason = browser.missing_reason()
    if reason is not None:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = browser.launch(playwright)
        yield launched
        launched.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(locale="zh-CN")
    opened = context.new_page()
    yield opened
    context.close()


def _visible_ids(page: Page) -> list[str]:
    ids: list[str] = page.eval_on_selector_all("#plugins > li:not([hidden])", "items => items.map(i => i.id)")
    return [item.removeprefix("p-") for item in ids]


def test_search_filters_and_sort(site: tuple[World, str], page: Page) -> None:
    _, base = site
    page.goto(base)
    assert not page.locator("#nojs").is_visible()
    assert _visible_ids(page) == ["smart_customer_service", "weather_query", "group_welcome"]  # recently updated
    page.get_by_label("搜索").fill("天气")
    assert _visible_ids(page) == ["weather_query"]
    assert page.locator("#count").inner_text() == "共 1 个插件"
    page.get_by_label("搜索").fill("欢迎 群")  # every word, anywhere in name, description or tags
    assert _visible_ids(page) == ["group_welcome"]
    page.get_by_label("搜索").fill("没有这个插件")
    assert _visible_ids(page) == [] and page.locator("#no-match").is_visible()
    page.get_by_label("搜索").fill("")
    page.get_by_label("分类").select_option("utility")
    assert _visible_ids(page) == ["weather_query"]
    page.get_by_label("分类").select_option("")
    page.get_by_label("需要的权限").select_option("config.read")
    assert _visible_ids(page) == ["smart_customer_service", "group_welcome"]
    page.get_by_label("需要的权限").select_option("")
    page.get_by_label("操作系统").select_option("Windows")
    assert _visible_ids(page) == ["smart_customer_service"]
    page.get_by_label("操作系统").select_option("")
    page.get_by_label("排序").select_option("downloads")
    assert _visible_ids(page)[0] == "smart_customer_service"
    page.get_by_label("排序").select_option("newest")
    assert _visible_ids(page) == ["weather_query", "smart_customer_service", "group_welcome"]
    assert "sort=newest" in page.url  # the state is in the address, so a link keeps it
    page.reload()
    assert page.get_by_label("排序").input_value() == "newest"


def test_plugin_page_and_language_switch(site: tuple[World, str], page: Page) -> None:
    _, base = site
    page.goto(base)
    page.get_by_role("link", name="智能客服助手").click()
    page.wait_for_url("**/plugins/smart_customer_service.html")  # the new page loaded, not only its address
    assert page.locator("h1").inner_text().startswith("智能客服助手")
    assert page.get_by_text("以你的身份发送微信消息").is_visible()
    assert page.locator("code.hash").first.inner_text() == "3f9a1c0b7d2e4f5a6b8c9d0e1f2a3b4c5d6e7f80"
    page.locator("#lang-switch").click()
    page.wait_for_url("**/en/plugins/smart_customer_service.html")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Permissions and capabilities").is_visible()
    assert page.get_by_text("Send WeChat messages as you").is_visible()
    page.get_by_role("link", name="Back to the list").click()
    page.wait_for_url("**/en/index.html")
    assert page.get_by_label("Search").is_visible()
    page.locator("#lang-switch").click()
    page.wait_for_url(lambda url: not url.endswith("/en/index.html"))
    assert page.locator("html").get_attribute("lang") == "zh-Hans"


def test_revoked_plugin_is_flagged(site: tuple[World, str], page: Page) -> None:
    _, base = site
    page.goto(base)
    assert page.locator(f"#p-{REVOKED_ID} .badge.bad").inner_text() == "已撤销"
    page.goto(f"{base}en/plugins/{REVOKED_ID}.html")
    alert = page.locator("section.alert")
    assert alert.is_visible()
    assert "uploads chat history to a third-party server" in alert.inner_text()
    assert alert.get_by_role("link").get_attribute("href", timeout=5000) == (
        "https://github.com/wxauto/registry/security/advisories/GHSA-0000-0000-0000")


def test_keyboard_alone_reaches_search_and_a_plugin(site: tuple[World, str], page: Page) -> None:
    _, base = site
    page.goto(base)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("天气")
    assert _visible_ids(page) == ["weather_query"]
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#plugins') !== null"):
            break
    assert page.evaluate("document.activeElement.textContent") == "天气查询"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/plugins/{REVOKED_ID}.html")


def test_reading_works_without_javascript(site: tuple[World, str], chromium: Browser) -> None:
    _, base = site
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base)
    assert not page.locator("#controls").is_visible()
    assert page.get_by_text("搜索、筛选和排序需要 JavaScript").is_visible()
    assert len(_visible_ids(page)) == 3
    page.get_by_role("link", name="入群欢迎").click()
    page.wait_for_url("**/plugins/group_welcome.html")
    assert page.locator("h1").inner_text().startswith("入群欢迎")
    context.close()


def test_a_long_list_shows_a_hundred_at_a_time(chromium: Browser, tmp_path: Path) -> None:
    make_registry(tmp_path / "repo", 250)
    RegistryStore(tmp_path / "repo").write()
    files = build_site(tmp_path / "repo", tmp_path / "site")
    with GitHubStandIn(tmp_path / "github") as github:
        github.add_user("wxauto", name="WXAUTO-MGT", email="wxauto@example.com")
        github.create_repo("wxauto", "registry")
        github.enable_pages("wxauto/registry", build_type="workflow")
        base = github.deploy_pages("wxauto/registry", {name: (tmp_path / "site" / name).read_bytes()
                                                       for name in files})
        page = chromium.new_page()
        page.goto(base)
        assert page.locator("#count").inner_text() == "共 250 个插件"
        assert len(_visible_ids(page)) == 100
        more = page.locator("#more")
        assert more.inner_text() == "显示更多（还有 150 个）"
        more.focus()
        page.keyboard.press("Enter")
        assert len(_visible_ids(page)) == 200
        more.click()
        assert len(_visible_ids(page)) == 250 and not more.is_visible()
        page.get_by_label("搜索").fill("plugin_00024")
        assert sorted(_visible_ids(page)) == [f"plugin_{i:06d}" for i in range(240, 250)]
        assert not more.is_visible()
        page.close()
