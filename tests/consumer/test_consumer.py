"""The reference consumer against real HTTP servers on loopback: failover, cache, digests."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from wxreg.consumer import ConsumerError, Marketplace, RegistrySource, extract_zip_safely
from wxreg.digest import dirhash_git_commit
from wxsandbox.http import HttpServer, Request, Response


def registry_document(last_updated: str, plugins: list[dict[str, Any]]) -> dict[str, Any]:
    return {"version": "1.0.0", "last_updated": last_updated, "plugins": plugins, "categories": []}


def plugin_entry(plugin_id: str, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "plugin_id": plugin_id,
        "name": plugin_id.replace("_", " ").title(),
        "short_description": f"{plugin_id} short",
        "description": "",
        "category": "utility",
        "tags": ["demo"],
        "versions": {"latest": "1.0.0", "stable": "1.0.0", "minimum_supported": "1.0.0"},
        "status": "active",
        "verified": False,
        "stats": {"downloads": 10},
    }
    entry.update(extra)
    return entry


@dataclass
class FakeHost:
    """A registry host whose behaviour a test switches: serve, HTML error, hang, truncate."""

    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    mode: str = "serve"
    archives: dict[str, bytes] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    body_bytes_sent: int = 0
    release: threading.Event = field(default_factory=threading.Event)

    def set_registry(self, document: dict[str, Any]) -> None:
        self.body = json.dumps(document, ensure_ascii=False).encode("utf-8")

    def app(self, request: Request) -> Response:
        self.requests.append(request.path)
        if request.path in self.archives:
            return Response(200, self.archives[request.path], [("Content-Type", "application/zip")])
        if self.mode == "hang":
            self.release.wait(30)
            return Response.text("late", status=503)
        if self.mode == "html":
            return Response.text("<!DOCTYPE html><html>502 Bad Gateway</html>", 502, "text/html")
        if self.mode == "html200":
            return Response.text("<html><body>login</body></html>", 200, "text/html")
        etag = f'"{hash(self.body) & 0xFFFFFFFF:x}"'
        if request.header("if-none-match") == etag:
            return Response(304, b"", [("ETag", etag)])
        body = self.body[: len(self.body) // 2] if self.mode == "truncate" else self.body
        self.body_bytes_sent += len(body)
        return Response(200, body, [("Content-Type", self.content_type), ("ETag", etag)])


@pytest.fixture
def hosts() -> Iterator[tuple[FakeHost, HttpServer, FakeHost, HttpServer]]:
    github, gitee = FakeHost(content_type="text/plain; charset=utf-8"), FakeHost()
    github_server, gitee_server = HttpServer(github.app).start(), HttpServer(gitee.app).start()
    yield github, github_server, gitee, gitee_server
    github.release.set()
    gitee.release.set()
    github_server.stop()
    gitee_server.stop()


def marketplace(tmp_path: Path, github_url: str, gitee_url: str, **kwargs: Any) -> Marketplace:
    sources = [
        RegistrySource("GitHub", f"{github_url}/registry.json", priority=1),
        RegistrySource("Gitee", f"{gitee_url}/registry.json", priority=2),
    ]
    return Marketplace(sources, tmp_path / "cache", **kwargs)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_reads_text_plain_from_primary_and_revalidates_with_304(tmp_path: Path, hosts: Any) -> None:
    github, github_server, gitee, gitee_server = hosts
    github.set_registry(registry_document("2026-01-02T00:00:00Z", [plugin_entry("alpha")]))
    market = marketplace(tmp_path, github_server.url, gitee_server.url)

    first = market.refresh_registry()
    sent_after_first = github.body_bytes_sent
    second = market.refresh_registry()

    assert (first.source, first.not_modified, first.plugin_count) == ("GitHub", False, 1)
    assert (second.source, second.not_modified) == ("GitHub", True)
    assert github.body_bytes_sent == sent_after_first  # the unchanged refresh moved no body bytes
    assert gitee.requests == []


def test_fails_over_to_mirror_when_primary_refuses(tmp_path: Path, hosts: Any) -> None:
    _, _, gitee, gitee_server = hosts
    gitee.set_registry(registry_document("2026-01-02T00:00:00Z", [plugin_entry("alpha")]))
    market = marketplace(tmp_path, closed_port_url(), gitee_server.url)

    started = time.monotonic()
    result = market.refresh_registry()

    assert result.source == "Gitee"
    assert time.monotonic() - started < 2.0
    assert not result.attempts[0].ok and "Connection" in result.attempts[0].detail


def test_fails_over_within_timeout_when_primary_hangs(tmp_path: Path, hosts: Any) -> None:
    github, github_server, gitee, gitee_server = hosts
    github.mode = "hang"
    gitee.set_registry(registry_document("2026-01-02T00:00:00Z", [plugin_entry("alpha")]))
    market = marketplace(tmp_path, github_server.url, gitee_server.url, timeout=1.0)

    started = time.monotonic()
    result = market.refresh_registry()

    assert result.source == "Gitee"
    assert time.monotonic() - started < 1.0 + 1.0


@pytest.mark.parametrize(
    ("mode", "message"),
    [("html", "HTTP 502"), ("html200", "HTML"), ("truncate", "truncated or invalid")],
)
def test_refuses_bad_documents_and_says_why(tmp_path: Path, hosts: Any, mode: str, message: str) -> None:
    github, github_server, gitee, gitee_server = hosts
    github.set_registry(registry_document("2026-01-02T00:00:00Z", [plugin_entry("alpha")]))
    github.mode = mode
    gitee.set_registry(registry_document("2026-01-02T00:00:00Z", [plugin_entry("alpha")]))
    market = marketplace(tmp_path, github_server.url, gitee_server.url)

    result = market.refresh_registry()

    assert result.source == "Gitee"
    assert message in result.attempts[0].detail


def test_refuses_a_mirror_older_than_the_cache(tmp_path: Path, hosts: Any) -> None:
    github, github_server, gitee, gitee_server = hosts
    github.set_registry(registry_document("2026-03-01T00:00:00Z", [plugin_entry("alpha"), plugin_entry("beta")]))
    gitee.set_registry(registry_document("2026-01-01T00:00:00Z", [plugin_entry("alpha")]))
    market = marketplace(tmp_path, github_server.url, gitee_server.url)
    market.refresh_registry()
    market.switch_source("Gitee")
    github.mode = "html"

    result = market.refresh_registry()

    assert result.from_cache
    assert "older" in result.attempts[0].detail
    assert result.plugin_count == 2


def test_serves_the_cache_with_its_age_when_every_source_is_down(tmp_path: Path, hosts: Any) -> None:
    github, github_server, gitee, gitee_server = hosts
    github.set_registry(registry_document("2026-01-02T00:00:00Z", [plugin_entry("alpha")]))
    now = [1_000_000.0]
    market = marketplace(tmp_path, github_server.url, gitee_server.url, clock=lambda: now[0])
    market.refresh_registry()
    github.mode = gitee.mode = "html"
    now[0] += 3 * 3600

    result = market.refresh_registry()

    assert result.from_cache and result.source is None
    assert result.cache_age_seconds == pytest.approx(3 * 3600)
    assert "3 h" in result.describe()


def test_no_cache_and_no_source_is_a_clear_error(tmp_path: Path) -> None:
    market = marketplace(tmp_path, closed_port_url(), closed_port_url())
    with pytest.raises(ConsumerError, match="every source failed"):
        market.refresh_registry()


def test_search_updates_and_statistics(tmp_path: Path, hosts: Any) -> None:
    github, github_server, _, gitee_server = hosts
    plugins = [
        plugin_entry("alpha", tags=["ai", "chat"], verified=True, category="ai_platform"),
        plugin_entry(
            "beta",
            versions={"latest": "2.0.0", "stable": "2.0.0", "minimum_supported": "1.0.0"},
        ),
        plugin_entry("gamma", status="deprecated"),
    ]
    github.set_registry(registry_document("2026-01-02T00:00:00Z", plugins))
    market = marketplace(tmp_path, github_server.url, gitee_server.url)
    market.refresh_registry()

    assert [p["plugin_id"] for p in market.search_plugins("ALPHA")] == ["alpha"]
    assert [p["plugin_id"] for p in market.search_plugins(tags=["chat"])] == ["alpha"]
    assert [p["plugin_id"] for p in market.search_plugins(tags=["chat", "demo"])] == ["alpha", "beta"]
    assert [p["plugin_id"] for p in market.search_plugins(verified_only=True)] == ["alpha"]
    assert [p["plugin_id"] for p in market.search_plugins(category="utility")] == ["beta"]
    updates = market.check_plugin_updates({"beta": "1.5", "alpha": "1.0.0", "unknown": "1.0"})
    assert [(u.plugin_id, u.available) for u in updates] == [("beta", "2.0.0")]
    # Compared as the client compares: v1.9 is 1.9.0; 2.0 is 2.0.0 (no update); 2.0.0rc1 it cannot compare.
    assert [u.installed for u in market.check_plugin_updates({"beta": "v1.9"})] == ["v1.9"]
    assert market.check_plugin_updates({"beta": "2.0"}) == []
    assert market.check_plugin_updates({"beta": "2.0.0rc1"}) == []
    stats = market.get_plugin_statistics()
    assert stats["total_plugins"] == 3 and stats["active_plugins"] == 2 and stats["total_downloads"] == 30
    assert stats["category_stats"] == {"ai_platform": 1, "utility": 2}
    assert stats["current_source"] == "GitHub"


def make_plugin_commit(tmp_path: Path) -> tuple[Path, str]:
    repo = tmp_path / "plugin-src"
    (repo / "docs").mkdir(parents=True)
    (repo / "plugin.json").write_text('{"plugin_id": "alpha"}\n')
    (repo / "main.py").write_text("class Plugin:\n    pass\n")
    (repo / "docs" / "usage.md").write_text("# 用法\n")
    (repo / "link").symlink_to("main.py")
    git: Callable[..., str] = lambda *args: subprocess.run(  # noqa: E731 - a local shorthand
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()
    git("init", "-q", "-b", "main")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "v1")
    return repo, git("rev-parse", "HEAD")


def git_zip(repo: Path, commit: str, prefix: str) -> bytes:
    return subprocess.run(
        ["git", "-C", str(repo), "archive", "--format=zip", f"--prefix={prefix}/", commit],
        check=True,
        capture_output=True,
    ).stdout


def tamper(archive: bytes, name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, data if info.filename.endswith(name) else source.read(info))
    return out.getvalue()


def test_download_verifies_digest_and_falls_back_to_an_untampered_host(tmp_path: Path, hosts: Any) -> None:
    github, github_server, gitee, gitee_server = hosts
    repo, commit = make_plugin_commit(tmp_path)
    digest = dirhash_git_commit(repo, commit)
    good = git_zip(repo, commit, f"alice-alpha-{commit[:7]}")
    github.archives[f"/api/repos/alice/alpha/zipball/{commit}"] = tamper(good, "main.py", b"import os\n")
    gitee.archives[f"/alice/alpha/repository/archive/{commit}.zip"] = git_zip(repo, commit, f"alpha-{commit}")
    entry = plugin_entry(
        "alpha",
        repository={
            "primary": {"url": "x", "api_url": f"{github_server.url}/api/repos/alice/alpha", "releases_url": "x"},
            "mirror": {"url": f"{gitee_server.url}/alice/alpha", "api_url": "x", "releases_url": "x"},
        },
        release={"tag": "v1.0.0", "commit": commit, "digest": digest},
    )
    github.set_registry(registry_document("2026-01-02T00:00:00Z", [entry]))
    market = marketplace(tmp_path, github_server.url, gitee_server.url)
    market.refresh_registry()

    downloaded = market.download_plugin("alpha", "1.0.0", tmp_path / "plugins")

    assert downloaded.digest == digest and "repository/archive" in downloaded.archive_url
    assert (downloaded.path / "main.py").read_text() == "class Plugin:\n    pass\n"
    assert not (downloaded.path / "link").exists()

    del gitee.archives[f"/alice/alpha/repository/archive/{commit}.zip"]
    with pytest.raises(ConsumerError, match="digest mismatch"):
        market.download_plugin("alpha", None, tmp_path / "other")
    assert not (tmp_path / "other").exists() or not any((tmp_path / "other").iterdir())
    with pytest.raises(ConsumerError, match=r"only 1\.0\.0"):
        market.download_plugin("alpha", "0.9.0", tmp_path / "plugins")


@pytest.mark.parametrize("name", ["/etc/passwd", "top/../../escape.py", "top\\..\\x.py"])
def test_unsafe_archive_paths_are_refused(name: str) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, b"x")
    with pytest.raises(ConsumerError, match="unsafe path"):
        extract_zip_safely(out.getvalue())
