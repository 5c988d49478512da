"""The real mirror.yml under act: a wrong Gitee token fails the job loudly without printing the token;
the right one mirrors heads and tags."""

from __future__ import annotations

from pathlib import Path

import pytest

from wxreg.mirror import list_refs
from wxsandbox.demo import point_registry_at
from wxsandbox.world import MIRROR_USER, REGISTRY, World

pytestmark = pytest.mark.act
WRONG_TOKEN = "0badc0de0badc0de0badc0de0badc0de"


def test_mirror_workflow_fails_loudly_on_a_wrong_token_then_mirrors(tmp_path: Path) -> None:
    with World(tmp_path / "world", prepare_seed=point_registry_at) as world:
        assert world.actions is not None
        maria = world.client("maria").get_repo(REGISTRY)
        world.actions.set_secrets(REGISTRY, {"GITEE_TOKEN": WRONG_TOKEN})

        maria.create_git_ref("refs/tags/snapshot-1", world.registry_sha)
        assert world.actions.wait_idle(180)

        failed = world.actions.runs_for(workflow=".github/workflows/mirror.yml")[-1]
        assert failed.conclusion == "failure", failed.log[-2000:]
        assert "认证失败" in failed.log and "authentication failed" in failed.log and "Mirror FAILED" in failed.log
        assert WRONG_TOKEN not in failed.log
        assert "refs/tags/snapshot-1" not in list_refs(world.gitee.git_url(REGISTRY))

        world.actions.set_secrets(REGISTRY, {"GITEE_TOKEN": world.users[MIRROR_USER].gitee_token})
        maria.create_git_ref("refs/tags/snapshot-2", world.registry_sha)
        assert world.actions.wait_idle(180)

        mirrored = world.actions.runs_for(workflow=".github/workflows/mirror.yml")[-1]
        assert mirrored.conclusion == "success", mirrored.log[-2000:]
        gitee_refs = list_refs(world.gitee.git_url(REGISTRY))
        assert {"refs/tags/snapshot-1", "refs/tags/snapshot-2", "refs/heads/main"} <= set(gitee_refs)
        assert gitee_refs == list_refs(world.github.git_url(REGISTRY))


def test_mirror_workflow_refuses_to_push_an_invalid_main(tmp_path: Path) -> None:
    with World(tmp_path / "world", prepare_seed=point_registry_at) as world:
        assert world.actions is not None
        maria = world.client("maria").get_repo(REGISTRY)
        before = list_refs(world.gitee.git_url(REGISTRY))
        index = maria.get_contents("registry/registry.json", ref="main")
        maria.update_file("registry/registry.json", "hand-edited index",
                          index.decoded_content.replace(b'"plugins"', b'"plugins_x"', 1), index.sha, branch="main")
        assert world.actions.wait_idle(180)

        refused = world.actions.runs_for(workflow=".github/workflows/mirror.yml")[-1]
        assert refused.conclusion == "failure", refused.log[-2000:]
        assert list_refs(world.gitee.git_url(REGISTRY)) == before  # nothing pushed to Gitee
        assert list_refs(world.github.git_url(REGISTRY)) != before
