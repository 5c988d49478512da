"""``wxreg tuf``: init, deterministic signing, what ``sign`` renews, rotation through the CLI."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from wxreg.cli import main
from wxreg.tuf_repo import ONLINE_KEY_ENV, TufRepoError, TufRepository, generate_key, key_from_text, key_to_text

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "registry-example"
NOW = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
METADATA = ("1.root.json", "root.json", "snapshot.json", "targets.json", "timestamp.json")


def example(tmp_path: Path, name: str = "repo") -> Path:
    root = tmp_path / name
    shutil.copytree(EXAMPLE, root)
    return root


def version(root: Path, role: str) -> int:
    return int(json.loads((root / "registry" / "metadata" / f"{role}.json").read_bytes())["signed"]["version"])


def test_same_inputs_give_byte_identical_metadata(tmp_path: Path) -> None:
    keys, online = [generate_key(), generate_key()], generate_key()
    first, second = example(tmp_path, "a"), example(tmp_path, "b")
    for root in (first, second):
        TufRepository(root).init(keys, 2, online, NOW)
    for name in METADATA:
        assert (first / "registry/metadata" / name).read_bytes() == (second / "registry/metadata" / name).read_bytes()


def test_sign_renews_only_what_is_due(tmp_path: Path) -> None:
    root = example(tmp_path)
    registry_bytes = (root / "registry" / "registry.json").read_bytes()
    online = generate_key()
    repo = TufRepository(root)
    repo.init([generate_key()], 1, online, NOW)
    # The shipped client's file is untouched: TUF files only sit beside it.
    assert (root / "registry" / "registry.json").read_bytes() == registry_bytes

    assert repo.sign(online, NOW + timedelta(hours=11)) == []
    assert repo.sign(online, NOW + timedelta(hours=13)) == ["timestamp"]
    (root / "registry" / "revoked.json").write_text('{\n  "revocations": []\n}\n ', encoding="utf-8")
    assert repo.sign(online, NOW + timedelta(hours=14)) == ["targets", "snapshot", "timestamp"]
    assert (version(root, "targets"), version(root, "snapshot"), version(root, "timestamp")) == (2, 2, 3)
    assert repo.sign(online, NOW + timedelta(days=21)) == ["snapshot", "timestamp"]


def test_sign_refuses_a_key_the_root_does_not_list(tmp_path: Path) -> None:
    repo = TufRepository(example(tmp_path))
    repo.init([generate_key()], 1, generate_key(), NOW)
    with pytest.raises(TufRepoError, match="not the one root lists"):
        repo.sign(generate_key(), NOW)


def test_keys_round_trip_as_one_line() -> None:
    key = generate_key()
    text = key_to_text(key)
    assert "\n" not in text and key_from_text(text).public_key == key.public_key
    with pytest.raises(TufRepoError):
        key_from_text("ed25519:zz")


def test_cli_init_sign_rotate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                              ) -> None:
    root, keys, new_keys = example(tmp_path), tmp_path / "keys", tmp_path / "new-keys"
    assert main(["tuf", "--root", str(root), "--date", "2026-11-01T08:00:00Z", "init", "--keys", str(keys)]) == 0
    assert sorted(p.name for p in keys.iterdir()) == ["online.key", "root-1.key", "root-2.key", "root-3.key"]
    assert oct(keys.joinpath("online.key").stat().st_mode & 0o777) == "0o600"
    assert main(["tuf", "--root", str(root), "init", "--keys", str(keys)]) == 1  # never overwrites
    root_json = json.loads((root / "registry/metadata/root.json").read_bytes())["signed"]
    assert root_json["roles"]["root"]["threshold"] == 2 and len(root_json["roles"]["root"]["keyids"]) == 3

    monkeypatch.setenv(ONLINE_KEY_ENV, keys.joinpath("online.key").read_text("ascii").strip())
    assert main(["tuf", "--root", str(root), "--date", "2026-11-01T21:00:00Z", "sign"]) == 0
    assert "timestamp" in capsys.readouterr().out

    # One maintainer's key is not enough for a threshold of two.
    lone = tmp_path / "lone"
    lone.mkdir()
    shutil.copyfile(keys / "root-1.key", lone / "root-1.key")
    assert main(["tuf", "--root", str(root), "rotate-root", "--keys", str(lone), "--new-keys", str(new_keys),
                 "--generate-new", "--root-keys", "2", "--threshold", "2"]) == 1
    assert "at least 2" in capsys.readouterr().err
    shutil.rmtree(new_keys)
    assert main(["tuf", "--root", str(root), "--date", "2026-11-02T08:00:00Z", "rotate-root", "--keys", str(keys),
                 "--new-keys", str(new_keys), "--generate-new", "--root-keys", "2", "--threshold", "2",
                 "--new-online-key"]) == 0
    assert version(root, "root") == 2 and (root / "registry/metadata/2.root.json").is_file()
    assert "update the secret" in capsys.readouterr().out
    monkeypatch.setenv(ONLINE_KEY_ENV, new_keys.joinpath("online.key").read_text("ascii").strip())
    assert main(["tuf", "--root", str(root), "--date", "2026-11-02T09:00:00Z", "resign-timestamp"]) == 0
    assert "timestamp" in capsys.readouterr().out
    assert main(["tuf", "--root", str(root), "status"]) == 0
    assert "root       v2" in capsys.readouterr().out



def test_publish_commits_through_the_api_and_yields_when_main_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    from wxsandbox.github import GitHubStandIn
    from wxsandbox.github.testing import pygithub

    root, online = example(tmp_path), generate_key()
    TufRepository(root).init([generate_key()], 1, online, datetime.now(UTC) - timedelta(hours=20))
    stale_checkout = tmp_path / "stale"
    shutil.copytree(root, stale_checkout)
    output = tmp_path / "github-output"
    with GitHubStandIn(tmp_path / "github") as github:
        token = github.add_user("maria")
        github.create_repo("maria", "registry")
        first = github.push_directory("maria/registry", root)
        for name, value in {"GITHUB_TOKEN": token, "GITHUB_REPOSITORY": "maria/registry", "GITHUB_SHA": first,
                            "GITHUB_API_URL": github.api_url, ONLINE_KEY_ENV: key_to_text(online)}.items():
            monkeypatch.setenv(name, value)

        assert main(["tuf", "--root", str(root), "--no-throttle", "publish", "--output", str(output)]) == 0
        assert output.read_text() == "committed=true\n"
        head = pygithub(github, token).get_repo("maria/registry").get_branch("main").commit
        assert head.commit.message.startswith("Sign registry metadata (timestamp)") and head.sha != first

        # A second run checked out before that commit, signing a minute later: main moved, so it commits
        # nothing and says why. (Signing at the same second would give the very same commit: a no-op.)
        later = (datetime.now(UTC) + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert main(["tuf", "--root", str(stale_checkout), "--date", later, "--no-throttle", "publish", "--output",
                     str(output)]) == 0
        assert "moved on" in capsys.readouterr().out
        assert output.read_text() == "committed=true\ncommitted=false\n"
        assert pygithub(github, token).get_repo("maria/registry").get_branch("main").commit.sha == head.sha
