"""The real sign.yml under act: the hourly schedule re-signs a timestamp that is about to expire, commits it
to main through the API (a bot commit, which starts nothing) and dispatches mirror.yml, so Gitee serves the
fresh signed bytes and a verifying client reading only Gitee accepts them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from wxreg.config import RegistryConfig
from wxreg.consumer import Marketplace, RegistrySource
from wxreg.tuf_repo import ONLINE_KEY_ENV, TufRepository, generate_key, key_to_text
from wxsandbox.demo import point_registry_at
from wxsandbox.world import REGISTRY, World

pytestmark = pytest.mark.act
TIMESTAMP = "registry/metadata/timestamp.json"


def test_the_schedule_resigns_the_timestamp_and_the_mirror_gets_it(tmp_path: Path) -> None:
    root_key, online = generate_key(), generate_key()

    def prepare(seed: Path, world: World) -> None:
        point_registry_at(seed, world)
        # Signed 20 hours ago: the one-day timestamp is inside its 12-hour renewal window now.
        TufRepository(seed).init([root_key], 1, online, datetime.now(UTC) - timedelta(hours=20))

    # Every schedule comes due; only sign.yml's (and the mirror.yml it dispatches) is this test's business.
    others = ("ci.yml", "stats.yml", "watch.yml", "reaudit.yml", "popular-packages.yml")
    with World(tmp_path / "world", prepare_seed=prepare, skip_workflows=others) as world:
        assert world.actions is not None
        world.actions.set_secrets(REGISTRY, {ONLINE_KEY_ENV: key_to_text(online)})
        config = RegistryConfig.from_dict(json.loads(
            world.client("maria").get_repo(REGISTRY).get_contents("registry/config.json").decoded_content))
        before = requests.get(config.raw_file_url("gitee", TIMESTAMP), timeout=10).content
        trusted_root = requests.get(config.raw_file_url("github", "registry/metadata/root.json"), timeout=10).content

        world.actions.fire_schedule(REGISTRY)
        assert world.actions.wait_idle(240)

        sign = world.actions.runs_for(workflow=".github/workflows/sign.yml")
        assert [run.conclusion for run in sign] == ["success"], sign[-1].log[-3000:]
        mirror = world.actions.runs_for(workflow=".github/workflows/mirror.yml")
        assert [(run.event.name, run.conclusion) for run in mirror] == [("workflow_dispatch", "success")], (
            mirror[-1].log[-3000:] if mirror else sign[-1].log[-3000:])
        github_bytes = requests.get(config.raw_file_url("github", TIMESTAMP), timeout=10).content
        gitee_bytes = requests.get(config.raw_file_url("gitee", TIMESTAMP), timeout=10).content
        assert github_bytes == gitee_bytes != before
        signed = json.loads(gitee_bytes)["signed"]
        assert signed["version"] == 2
        assert datetime.fromisoformat(signed["expires"].replace("Z", "+00:00")) > datetime.now(UTC) + timedelta(
            hours=23)

        client = Marketplace([RegistrySource("Gitee", config.gitee_registry_url)], tmp_path / "client",
                             trusted_root=trusted_root)
        result = client.refresh_registry()
        assert result.verified and result.source == "Gitee"

        # The next hourly run finds nothing due: no commit, no mirror run.
        world.actions.fire_schedule(REGISTRY)
        assert world.actions.wait_idle(240)
        assert [run.conclusion for run in world.actions.runs_for(workflow=".github/workflows/sign.yml")] == [
            "success", "success"]
        assert len(world.actions.runs_for(workflow=".github/workflows/mirror.yml")) == 1
