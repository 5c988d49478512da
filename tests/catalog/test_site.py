"""``wxreg site``: the published files, the catalog's content, determinism, hostile text and size budgets."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import pytest
from bench.bench_registry import make_registry

from tests.catalog.conftest import REVOKED_ID, seed_catalog, write_json
from wxreg.catalog import site
from wxreg.catalog.site import INDEX_BUDGET_GZIP, PAGE_BUDGET_BYTES, CatalogError, build_site
from wxreg.cli import main
from wxreg.store import RegistryStore


@pytest.fixture
def root(tmp_path: Path) -> Path:
    seed_catalog(tmp_path / "repo")
    return tmp_path / "repo"


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_site_publishes_registry_bytes_metadata_and_both_languages(root: Path, tmp_path: Path) -> None:
    write_json(root / "registry" / "metadata" / "root.json", {"signed": {"_type": "root"}})
    write_json(root / "registry" / "metadata" / "1.root.json", {"signed": {"_type": "root"}})
    out = tmp_path / "site"

    assert main(["site", "--root", str(root), "--out", str(out)]) == 0

    assert (out / "registry" / "registry.json").read_bytes() == (root / "registry" / "registry.json").read_bytes()
    assert (out / "registry" / "revoked.json").read_bytes() == (root / "registry" / "revoked.json").read_bytes()
    assert (out / "registry" / "metadata" / "1.root.json").is_file()
    assert not (out / "registry" / "plugins").exists()  # sources stay in the repository
    assert not (out / "registry" / "config.json").exists()
    for plugin in ("group_welcome", "smart_customer_service", "weather_query"):
        assert (out / "plugins" / f"{plugin}.html").is_file()
        assert (out / "en" / "plugins" / f"{plugin}.html").is_file()
    zh, en = _text(out / "index.html"), _text(out / "en" / "index.html")
    assert '<html lang="zh-Hans">' in zh and '<meta charset="utf-8">' in zh
    assert '<html lang="en">' in en and "WXAUTO-MGT plugin catalog" in en
    assert 'href="en/index.html"' in zh and 'href="../index.html"' in en


def test_the_same_inputs_give_the_same_bytes(root: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    files = build_site(root, first)
    assert build_site(root, second) == files
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_plugin_page_shows_what_a_user_decides_on(root: Path, tmp_path: Path) -> None:
    build_site(root, tmp_path / "site")
    page = _text(tmp_path / "site" / "plugins" / "smart_customer_service.html")
    english = _text(tmp_path / "site" / "en" / "plugins" / "smart_customer_service.html")
    entry = json.loads(_text(root / "registry" / "plugins" / "smart_customer_service.json"))
    for needle in (entry["release"]["commit"], entry["release"]["digest"], entry["versions"]["latest"],
                   "以你的身份发送微信消息", "安全分", "wxreg client download smart_customer_service", "版本历史"):
        assert needle in page, needle
    assert "Send WeChat messages as you" in english and "Security score" in english


def test_revoked_plugin_is_marked_on_the_index_and_its_page(root: Path, tmp_path: Path) -> None:
    build_site(root, tmp_path / "site")
    index = _text(tmp_path / "site" / "index.html")
    card = index.split(f'id="p-{REVOKED_ID}"')[1].split("</li>")[0]
    assert "已撤销" in card
    page = _text(tmp_path / "site" / "en" / "plugins" / f"{REVOKED_ID}.html")
    assert "uploads chat history to a third-party server" in page
    assert "GHSA-0000-0000-0000" in page and "install refused" in page


def test_absent_revocations_and_queue_are_tolerated(tmp_path: Path) -> None:
    seed_catalog(tmp_path / "repo", revoked=False, queue=False)
    files = build_site(tmp_path / "repo", tmp_path / "site")
    assert "queue.html" not in files and "registry/revoked.json" not in files
    assert "已撤销" not in _text(tmp_path / "site" / "index.html")


def test_queue_page_lists_the_oldest_first(root: Path, tmp_path: Path) -> None:
    build_site(root, tmp_path / "site")
    queue = _text(tmp_path / "site" / "queue.html")
    assert queue.index("early_plugin") < queue.index("late_plugin")
    assert 'href="queue.html"' in _text(tmp_path / "site" / "index.html")


def _doctor(root: Path, plugin_id: str, **changes: object) -> None:
    """Change one published entry in registry.json (what a future format or a hostile author could put there)."""
    path = root / "registry" / "registry.json"
    document = json.loads(path.read_bytes())
    for entry in document["plugins"]:
        if entry["plugin_id"] == plugin_id:
            entry.update(changes)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def test_hostile_text_is_escaped_and_only_http_urls_become_links(root: Path, tmp_path: Path) -> None:
    _doctor(root, "group_welcome", name='<img src=x onerror="alert(1)">', homepage="javascript:alert(1)",
            description="</div><script>alert(2)</script>", tags=['" onmouseover="alert(3)'])
    build_site(root, tmp_path / "site")
    for name in ("index.html", "plugins/group_welcome.html"):
        html = _text(tmp_path / "site" / name)
        assert "<img src=x" not in html and "<script>alert" not in html and '" onmouseover' not in html
        assert "Content-Security-Policy" in html
    assert 'href="javascript:' not in _text(tmp_path / "site" / "plugins" / "group_welcome.html")


def test_top_level_fields_of_later_features_are_shown(root: Path, tmp_path: Path) -> None:
    _doctor(root, "group_welcome",
            waivers=[{"finding": "WXR-DYN-001", "commit": "a" * 40, "reason": "维护者已核实 / checked by hand"}],
            endpoints=["https://api.example.com/v1"])
    build_site(root, tmp_path / "site")
    page = _text(tmp_path / "site" / "plugins" / "group_welcome.html")
    assert "维护者豁免" in page and "WXR-DYN-001" in page and "checked by hand" in page
    assert "网络端点" in page and 'href="https://api.example.com/v1"' in page


def test_version_history_comes_from_git(root: Path, tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                       check=True, capture_output=True)

    source = root / "registry" / "plugins" / "group_welcome.json"
    entry = json.loads(_text(source))
    old = {**entry, "versions": {**entry["versions"], "latest": "1.9.0", "stable": "1.9.0"},
           "release": {**entry["release"], "tag": "1.9.0", "commit": "b" * 40}, "updated_at": "2026-01-01T00:00:00Z"}
    write_json(source, old)
    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "1.9.0")
    write_json(source, entry)
    RegistryStore(root).write()
    git("add", "-A")
    git("commit", "-qm", "2.0.1")

    build_site(root, tmp_path / "site")

    page = _text(tmp_path / "site" / "plugins" / "group_welcome.html")
    history = page.split('id="h-history"')[1]
    assert history.index(entry["versions"]["latest"]) < history.index("1.9.0") and "bbbbbbbbbbbb" in history


def test_index_of_1000_plugins_and_a_maximal_plugin_page_fit_their_budgets(tmp_path: Path) -> None:
    make_registry(tmp_path, 1000)
    RegistryStore(tmp_path).write()
    _doctor(tmp_path, "plugin_000007", description="描" * 10_000, features=["功" * 200] * 50,
            dependencies=[f"package-{i}>=1.0" for i in range(100)], tags=["标" * 32] * 20)
    files = build_site(tmp_path, tmp_path / "site")
    index = (tmp_path / "site" / "index.html").read_bytes()
    assert len(gzip.compress(index, mtime=0)) <= INDEX_BUDGET_GZIP
    for name in files:
        if name.endswith(".html") and not name.endswith("index.html"):
            assert (tmp_path / "site" / name).stat().st_size <= PAGE_BUDGET_BYTES, name


def test_a_page_over_its_budget_fails_the_build(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(site, "PAGE_BUDGET_BYTES", 1000)
    with pytest.raises(CatalogError, match="budget"):
        build_site(root, tmp_path / "site")
    assert main(["site", "--root", str(root), "--out", str(tmp_path / "site")]) == 1
