"""``wxreg popular-packages``: the kept popular list, its refresh from the source, and the pull request."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest

from wxreg.review.popular import BRANCH, REPO_PATH, RefreshError, open_pull, parse_top_list, run
from wxreg.review.supply import POPULAR_PATH, load_popular
from wxsandbox.http import HttpServer, Request, Response


def hugovk(names: list[str], date: str = "2026-11-01 07:12:44") -> dict[str, object]:
    rows = [{"download_count": 10_000_000 - i, "project": name} for i, name in enumerate(names)]
    return {"last_update": date, "query": {"bytes_billed": 0}, "rows": rows}


def test_the_kept_list_has_a_source_a_date_and_the_usual_names() -> None:
    kept = json.loads(POPULAR_PATH.read_text(encoding="utf-8"))
    assert kept["source_url"].startswith("https://") and kept["retrieved"] and kept["source"]
    popular = load_popular()
    assert {"requests", "pyyaml", "pillow", "beautifulsoup4", "aiohttp", "httpx", "openai"} <= popular.names
    assert "requests" in popular.targets


def test_parse_normalises_orders_and_refuses_a_broken_download() -> None:
    names = [f"pkg-{i}" for i in range(1200)]
    top = parse_top_list(hugovk(["Foo_Bar", *names]))
    assert top.names[0] == "foo-bar" and top.retrieved == "2026-11-01" and len(top.names) == 1201
    with pytest.raises(RefreshError):
        parse_top_list(hugovk(["requests"]))
    with pytest.raises(RefreshError):
        parse_top_list({"error": "rate limited"})


def test_refresh_writes_the_new_list_and_keeps_the_explanation(tmp_path: Path) -> None:
    names = ["requests", *(f"pkg-{i}" for i in range(1500))]
    served = {"/top.json": hugovk(names)}

    def app(request: Request) -> Response:
        return Response.json(served[request.path]) if request.path in served else Response.json({}, status=404)

    target = tmp_path / REPO_PATH
    target.parent.mkdir(parents=True)
    shutil.copyfile(POPULAR_PATH, target)
    with HttpServer(app) as server:
        args = argparse.Namespace(url=f"{server.url}/top.json", root=tmp_path, open_pr=False)
        assert run(args) == 0
        written = json.loads(target.read_text(encoding="utf-8"))
        assert written["packages"][:2] == ["requests", "pkg-0"] and written["retrieved"] == "2026-11-01"
        assert written["about"] == json.loads(POPULAR_PATH.read_text(encoding="utf-8"))["about"]
        before = target.read_bytes()
        assert run(args) == 0 and target.read_bytes() == before  # same source: byte-identical
        args = argparse.Namespace(url=f"{server.url}/missing.json", root=tmp_path, open_pr=False)
        assert run(args) == 1 and target.read_bytes() == before  # a failed download changes nothing


def test_open_pull_proposes_on_a_branch_once(tmp_path: Path) -> None:
    from wxsandbox.github import GitHubStandIn
    from wxsandbox.github.testing import forge, pygithub

    seed = tmp_path / "seed"
    (seed / REPO_PATH).parent.mkdir(parents=True)
    shutil.copyfile(POPULAR_PATH, seed / REPO_PATH)
    with GitHubStandIn(tmp_path / "github") as gh:
        gh.add_user("wxauto")
        gh.create_repo("wxauto", "registry")
        main_sha = gh.push_directory("wxauto/registry", seed, author_login="wxauto")
        repo = pygithub(gh, gh.token_for("wxauto")).get_repo("wxauto/registry")
        ours = forge(gh, gh.token_for("wxauto"), "wxauto/registry", bot_login="wxauto")
        first = open_pull(ours, '{"packages": ["a"]}\n', base="main", title="Refresh", body="one")
        second = open_pull(ours, '{"packages": ["b"]}\n', base="main", title="Refresh", body="two")
        assert first == second
        pulls = list(repo.get_pulls(state="open"))
        assert len(pulls) == 1 and pulls[0].head.ref == BRANCH and pulls[0].body == "two"
        assert repo.get_contents(REPO_PATH, ref=BRANCH).decoded_content == b'{"packages": ["b"]}\n'
        assert repo.get_branch("main").commit.sha == main_sha  # main itself is never written
