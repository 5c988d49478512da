"""The world in one call: cast and roles, the registry on both hosts, plugin repositories, the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from wxsandbox.world import CAST, World, WorldUser


def test_cast_has_its_roles_on_the_registry(world: World) -> None:
    registry = world.client("alice").get_repo(world.registry)
    expected = {member.login: member.role for member in CAST}
    for login, role in expected.items():
        if role == "none":
            continue
        assert registry.get_collaborator_role_name(login) == role
    # The workflow token is the bot's, and it may write to the registry only.
    bot = world.client(world.github.bot_login).get_repo(world.registry)
    assert bot.full_name == world.registry


def test_registry_is_seeded_on_both_hosts_from_the_committed_tree(world: World) -> None:
    github_raw = requests.get(f"{world.github.raw_url}/{world.registry}/main/README.md", timeout=5)
    gitee_raw = requests.get(world.gitee.raw_file_url(world.registry, "main", "README.md"), timeout=5)
    committed = subprocess.run(["git", "show", "HEAD:README.md"], capture_output=True, check=True,
                               cwd=Path(__file__).parents[2], timeout=30).stdout
    assert github_raw.content == gitee_raw.content == committed


def test_make_plugin_repo_tags_a_directory(world: World, users: dict[str, WorldUser], tmp_path: Path) -> None:
    plugin = tmp_path / "plugin"
    plugin.mkdir()
    (plugin / "plugin.json").write_text('{"plugin_id": "weather"}\n', encoding="utf-8")
    name = f"weather-{tmp_path.name}"
    sha = world.make_plugin_repo("alice", name, plugin, tag="v1.0.0", mirror=True)
    repo = world.client("bob").get_repo(f"alice/{name}")
    assert repo.get_git_ref("tags/v1.0.0").object.sha == sha
    assert json.loads(repo.get_contents("plugin.json", ref="v1.0.0").decoded_content) == {"plugin_id": "weather"}
    mirrored = requests.get(world.gitee.raw_file_url(f"alice/{name}", "v1.0.0", "plugin.json"), timeout=5)
    assert mirrored.json() == {"plugin_id": "weather"}
    assert users["alice"].github_token == world.token("alice")


def test_cli_up_prints_urls_and_tokens_and_stops_on_sigterm(tmp_path: Path) -> None:
    command = [str(Path(sys.executable).parent / "wxsandbox"), "up", "--json", "--no-workflows",
               "--root", str(tmp_path / "world")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert process.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.rstrip() == "}":
                break
        summary = json.loads("".join(lines))
        token = summary["users"]["maria"]["github_token"]
        answer = requests.get(f"{summary['github']['api_url']}/repos/wxauto/registry",
                              headers={"Authorization": f"token {token}"}, timeout=5)
        assert answer.json()["full_name"] == "wxauto/registry"
        assert summary["users"]["tom"]["role"] == "triage"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


def test_prepare_seed_sees_the_worlds_urls_before_the_push(tmp_path: Path) -> None:
    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / "README.md").write_text("seed\n", encoding="utf-8")

    def point_at_gitee(directory: Path, world: World) -> None:
        (directory / "hosts.txt").write_text(f"{world.gitee.url}\n", encoding="utf-8")

    with World(tmp_path / "world", seed=seed, run_workflows=False, prepare_seed=point_at_gitee) as world:
        hosts = requests.get(f"{world.github.raw_url}/{world.registry}/main/hosts.txt", timeout=5)
        assert hosts.text == f"{world.gitee.url}\n"
        assert world.summary()["registry_settings"]["variables"]["GITEE_USERNAME"] == "maria"
        assert world.actions is None
