"""add_plugin / update_plugin / remove_plugin: review, then the same PR path as an approval (or ``--local``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.approval import World

from wxreg.approval.maintenance import MaintenanceError, add_plugin, newest_tag, remove_plugin, update_plugin
from wxreg.store import RegistryStore
from wxreg.validate import validate_registry

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_add_without_an_issue_opens_a_pr_and_update_moves_versions(world: World) -> None:
    url = world.plugin()
    done = add_plugin(world.settings, "daily_quote_reply", url, None, local=False, now="2026-03-01T00:00:00Z")
    pull = world.pulls()[0]
    assert done.detail == pull.html_url and "Closes" not in (pull.body or "")
    world.merge(pull.number)
    entry = RegistryStore(world.checkout).get("daily_quote_reply")
    assert entry is not None and entry.submission is None and entry.release.tag == "v1.0.0"

    world.plugin(version="1.0.1")
    update_plugin(world.settings, "daily_quote_reply", "1.0.1", local=False, now="2026-03-02T00:00:00Z")
    world.merge(world.pulls()[0].number)
    updated = RegistryStore(world.checkout).get("daily_quote_reply")
    assert updated is not None
    assert (updated.versions.latest, updated.versions.minimum_supported) == ("1.0.1", "1.0.0")
    assert updated.author == entry.author and updated.created_at == entry.created_at

    with pytest.raises(MaintenanceError, match="is listed"):
        add_plugin(world.settings, "daily_quote_reply", url, None, local=True, now="2026-03-03T00:00:00Z")
    with pytest.raises(MaintenanceError, match="has no tag"):
        update_plugin(world.settings, "daily_quote_reply", "9.0.0", local=True, now="2026-03-03T00:00:00Z")


def test_local_mode_changes_only_the_files(world: World) -> None:
    url = world.plugin()
    before = len(world.gh.request_log)
    add_plugin(world.settings, "daily_quote_reply", url, "v1.0.0", local=True, now="2026-03-01T00:00:00Z")
    assert validate_registry(world.checkout) == []
    assert RegistryStore(world.checkout).get("daily_quote_reply") is not None
    remove_plugin(world.settings, "daily_quote_reply", "作者要求 / author's request", "deprecated", local=True,
                  now="2026-03-02T00:00:00Z")
    assert validate_registry(world.checkout) == []
    assert RegistryStore(world.checkout).get("daily_quote_reply") is None
    assert world.api_calls(before) == [] and world.pulls() == []


@pytest.mark.parametrize("script", ["add_plugin.py", "update_plugin.py", "remove_plugin.py"])
def test_scripts_are_thin_entry_points(script: str) -> None:
    done = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / script), "--help"], capture_output=True,
                          text=True, check=False, timeout=60)
    assert done.returncode == 0 and "--plugin-id" in done.stdout and "--local" in done.stdout


def test_newest_tag_is_the_highest_version_the_client_can_install(tmp_path: Path) -> None:
    repo = tmp_path / "plugin"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=A", "-c", "user.email=a@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "one"], check=True)
    for tag in ("v1.2.0", "1.10.0", "v1.11.0rc1", "v2.0.0-beta.1", "v3", "latest"):
        subprocess.run([*git, "tag", tag], check=True)
    assert newest_tag(str(repo)) == "1.10.0"  # pre-releases and one-part tags are never picked
    subprocess.run([*git, "tag", "-d", "v1.2.0", "1.10.0"], check=True, capture_output=True)
    with pytest.raises(MaintenanceError, match="2 to 4 all-digit parts"):
        newest_tag(str(repo))
