"""The Gitee stand-in: git over smart HTTP with user:token, raw files, archives, API v5, refuse/hang switches."""

from __future__ import annotations

import io
import os
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from wxsandbox.gitee import GiteeStandIn, git_credentials_env
from wxsandbox.world import World, WorldUser


def _git(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1", **(env or {})}
    return subprocess.run(["git", *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=60,
                          check=False)


@pytest.fixture
def lone_gitee(tmp_path: Path) -> Iterator[GiteeStandIn]:
    """A Gitee of its own, for switches that would disturb the shared world."""
    with GiteeStandIn(tmp_path / "gitee") as gitee:
        gitee.add_user("maria")
        gitee.create_repo("wxauto", "registry", default_branch="main")
        source = tmp_path / "src"
        source.mkdir()
        (source / "registry.json").write_text('{"plugins": []}\n', encoding="utf-8")
        gitee.push_directory("wxauto/registry", source, tag="v1")
        yield gitee


def test_clone_and_authenticated_push(world: World, users: dict[str, WorldUser], tmp_path: Path) -> None:
    gitee = world.gitee
    work = tmp_path / "mirror"
    assert _git("clone", "--quiet", gitee.git_url(world.registry), str(work)).returncode == 0
    assert (work / "README.md").is_file()  # seeded with the registry's committed tree
    _git("config", "user.name", "Maria", cwd=work)
    _git("config", "user.email", "maria@example.com", cwd=work)
    (work / "mirror-note.txt").write_text("pushed by maria\n", encoding="utf-8")
    _git("add", ".", cwd=work)
    _git("commit", "--quiet", "-m", "Mirror", cwd=work)
    branch = f"mirror-{tmp_path.name}"
    pushed = _git("push", "--quiet", gitee.git_url(world.registry), f"HEAD:refs/heads/{branch}", cwd=work,
                  env=git_credentials_env("maria", users["maria"].gitee_token))
    assert pushed.returncode == 0, pushed.stderr
    heads = _git("ls-remote", gitee.git_url(world.registry), f"refs/heads/{branch}").stdout
    assert heads.split()[0] == _git("rev-parse", "HEAD", cwd=work).stdout.strip()


def test_wrong_token_and_read_only_user_fail_like_gitee(world: World, users: dict[str, WorldUser],
                                                       tmp_path: Path) -> None:
    gitee = world.gitee
    work = tmp_path / "mirror"
    _git("clone", "--quiet", gitee.git_url(world.registry), str(work))
    _git("-c", "user.name=E", "-c", "user.email=e@example.com", "commit", "--quiet", "--allow-empty", "-m", "x",
         cwd=work)
    wrong = _git("push", gitee.git_url(world.registry), "HEAD:refs/heads/nope", cwd=work,
                 env=git_credentials_env("maria", "0" * 32))
    assert wrong.returncode != 0
    assert "Authentication failed" in wrong.stderr
    assert "Incorrect username or password (access token)" in wrong.stderr
    # eve's token is valid but she has no write access: 403, as Gitee answers.
    read_only = _git("push", gitee.git_url(world.registry), "HEAD:refs/heads/nope", cwd=work,
                     env=git_credentials_env("eve", users["eve"].gitee_token))
    assert read_only.returncode != 0
    assert "403" in read_only.stderr
    anonymous = _git("push", gitee.git_url(world.registry), "HEAD:refs/heads/nope", cwd=work)
    assert anonymous.returncode != 0
    assert _git("ls-remote", gitee.git_url(world.registry), "refs/heads/nope").stdout == ""


def test_raw_files_etag_and_archive(lone_gitee: GiteeStandIn) -> None:
    url = lone_gitee.raw_file_url("wxauto/registry", "main", "registry.json")
    first = requests.get(url, timeout=5)
    assert first.status_code == 200
    assert first.headers["Content-Type"].startswith("text/plain")
    assert first.json() == {"plugins": []}
    again = requests.get(url, headers={"If-None-Match": first.headers["ETag"]}, timeout=5)
    assert again.status_code == 304
    assert requests.get(url.replace("registry.json", "missing.json"), timeout=5).status_code == 404
    archive = requests.get(f"{lone_gitee.url}/wxauto/registry/repository/archive/v1.zip", timeout=5)
    assert archive.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert "registry/registry.json" in names


def test_api_v5_repository_and_releases(lone_gitee: GiteeStandIn) -> None:
    token = lone_gitee.add_user("releaser")
    lone_gitee.set_role("wxauto/registry", "releaser", "write")
    repo = requests.get(f"{lone_gitee.api_url}/repos/wxauto/registry", timeout=5).json()
    assert repo["full_name"] == "wxauto/registry"
    assert repo["default_branch"] == "main"
    releases = lone_gitee.releases_url("wxauto/registry")
    assert requests.get(releases, timeout=5).json() == []
    created = requests.post(releases, json={"access_token": token, "tag_name": "v1", "name": "One"}, timeout=5)
    assert created.status_code == 201
    listed = requests.get(releases, timeout=5).json()
    assert [r["tag_name"] for r in listed] == ["v1"]
    assert listed[0]["assets"][0]["browser_download_url"].endswith("/repository/archive/v1.zip")
    assert requests.get(f"{releases}/tags/v1", timeout=5).json()["name"] == "One"
    refused = requests.post(releases, json={"access_token": "bad", "tag_name": "v1"}, timeout=5)
    assert refused.status_code == 401


def test_refuse_closes_the_port_and_restore_reopens_it(lone_gitee: GiteeStandIn) -> None:
    url = lone_gitee.raw_file_url("wxauto/registry", "main", "registry.json")
    lone_gitee.refuse()
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=2)
    lone_gitee.restore()
    assert requests.get(url, timeout=5).status_code == 200


def test_hang_accepts_but_never_answers_until_restored(lone_gitee: GiteeStandIn, tmp_path: Path) -> None:
    url = lone_gitee.raw_file_url("wxauto/registry", "main", "registry.json")
    lone_gitee.hang()
    with pytest.raises(requests.ReadTimeout):
        requests.get(url, timeout=0.3)
    timed_out = _git("ls-remote", lone_gitee.git_url("wxauto/registry"),
                     env={"GIT_HTTP_LOW_SPEED_LIMIT": "1", "GIT_HTTP_LOW_SPEED_TIME": "1"})
    assert timed_out.returncode != 0
    lone_gitee.restore()
    assert requests.get(url, timeout=5).status_code == 200
