"""The attack table, each through the sandbox's hosts: a hostile or stale Gitee mirror serves the bytes.

The client prefers Gitee (as a user in China would), so every attack is met first; it must be refused with
a bilingual message naming the attack and the source, and the client must fail over to GitHub (or keep its
last verified copy) without trusting anything the mirror sent.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.consumer.conftest import SignedHosts, signed_tree

from wxreg.consumer import ConsumerError, Marketplace, RefreshResult
from wxreg.revocations import Revocation, revoke_local
from wxreg.trust import TrustedSource
from wxreg.tuf_repo import TufRepository, generate_key


def refused(result: RefreshResult, source: str = "Gitee") -> str:
    failed = [attempt.detail for attempt in result.attempts if attempt.source == source and not attempt.ok]
    assert failed, result.attempts
    return failed[0]


def from_hostile_gitee(signed: SignedHosts, tree: Path) -> tuple[Marketplace, RefreshResult]:
    """Gitee serves ``tree``; a fresh client that prefers Gitee refreshes. (client, result)"""
    signed.serve_on_gitee(tree)
    market = signed.market()
    market.switch_source("Gitee")
    return market, market.refresh_registry()


def description(market_registry: dict[str, object]) -> str:
    plugins = market_registry["plugins"]
    assert isinstance(plugins, list)
    return str(next(p for p in plugins if p["plugin_id"] == "weather_query")["short_description"])


def test_verified_refresh_and_a_hostile_mirror_never_reaches_the_user(signed: SignedHosts) -> None:
    market = signed.market()
    result = market.refresh_registry()
    assert result.verified and result.source == "GitHub" and "signature verified" in result.describe()
    assert {p["plugin_id"] for p in market.plugins()} == {"weather_query", "group_welcome",
                                                        "smart_customer_service"}


def test_rollback_to_an_older_signed_registry_is_refused(signed: SignedHosts) -> None:
    old = signed.copy()
    signed.edit_plugin("第二版 / second")
    signed.publish()
    market = signed.market()
    assert market.refresh_registry().source == "GitHub"

    signed.serve_on_gitee(old)  # a stale mirror replays the first signed state
    market.switch_source("Gitee")
    result = market.refresh_registry()

    detail = refused(result)
    assert "回滚攻击" in detail and "rollback attack" in detail and "Gitee" in detail
    assert result.source == "GitHub" and description(market.registry) == "第二版 / second"


def test_rollback_protection_holds_when_every_other_source_is_down(signed: SignedHosts) -> None:
    old = signed.copy()
    signed.edit_plugin("第二版 / second")
    signed.publish()
    market = signed.market()
    market.refresh_registry()
    signed.serve_on_gitee(old)
    signed.github.stop()

    result = market.refresh_registry()

    assert result.from_cache and result.verified
    assert "rollback attack" in refused(result)
    assert description(market.registry) == "第二版 / second"


def test_freeze_an_expired_timestamp_is_refused(signed: SignedHosts, tmp_path: Path) -> None:
    # The mirror stopped updating three days ago: everything it serves was signed then, validly.
    frozen = tmp_path / "frozen"
    shutil.copytree(signed.tree, frozen)
    TufRepository(frozen).sign(signed.online, datetime.now(UTC) - timedelta(days=3), force_timestamp=True)

    _, result = from_hostile_gitee(signed, frozen)

    detail = refused(result)
    assert "冻结攻击" in detail and "freeze attack" in detail and "timestamp.json is expired" in detail
    assert result.source == "GitHub"


def test_mix_and_match_of_metadata_from_two_states_is_refused(signed: SignedHosts, tmp_path: Path) -> None:
    old = signed.copy()
    signed.edit_plugin("第二版 / second")
    signed.publish(gitee=False)
    mixed = tmp_path / "mixed"
    shutil.copytree(signed.tree, mixed)  # today's timestamp and snapshot ...
    for name in ("registry/metadata/targets.json", "registry/registry.json"):  # ... with yesterday's targets
        shutil.copyfile(old / name, mixed / name)

    market, result = from_hostile_gitee(signed, mixed)

    detail = refused(result)
    assert "混合匹配攻击" in detail and "mix-and-match" in detail
    assert result.source == "GitHub" and description(market.registry) == "第二版 / second"


def test_an_arbitrary_registry_json_is_refused(signed: SignedHosts, tmp_path: Path) -> None:
    forged = tmp_path / "forged"
    shutil.copytree(signed.tree, forged)
    registry = forged / "registry" / "registry.json"
    document = json.loads(registry.read_text("utf-8"))
    document["plugins"][0]["release"]["digest"] = "h1:" + "A" * 43 + "="  # the attacker's archive
    registry.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    market, result = from_hostile_gitee(signed, forged)

    detail = refused(result)
    assert "任意注册表" in detail and "arbitrary registry" in detail
    assert result.source == "GitHub"
    assert market.registry["plugins"][0]["release"]["digest"] != document["plugins"][0]["release"]["digest"]


def test_endless_data_an_oversized_timestamp_is_cut_off(signed: SignedHosts, tmp_path: Path) -> None:
    endless = tmp_path / "endless"
    shutil.copytree(signed.tree, endless)
    (endless / "registry" / "metadata" / "timestamp.json").write_bytes(b"{" + b" " * (4 * 1024 * 1024))

    _, result = from_hostile_gitee(signed, endless)

    detail = refused(result)
    assert "无尽数据攻击" in detail and "endless data" in detail
    assert result.source == "GitHub"


def test_metadata_signed_by_keys_not_in_the_trusted_root_is_refused(signed: SignedHosts, tmp_path: Path) -> None:
    # The attacker builds a complete repository of its own, even a "rotated" root signed by its own keys.
    attacker_keys, attacker_online = [generate_key()], generate_key()
    evil = signed_tree(tmp_path / "evil", attacker_keys, attacker_online, datetime.now(UTC))
    TufRepository(evil).rotate_root(attacker_keys, attacker_keys, 1, attacker_online, datetime.now(UTC))

    market, result = from_hostile_gitee(signed, evil)

    detail = refused(result)
    assert "不受信任的签名" in detail and "signature by a key not in the trusted root" in detail
    assert result.source == "GitHub"
    # Only timestamp.json signed by an unknown key, with the genuine root: refused too.
    (evil / "registry" / "metadata" / "2.root.json").unlink()
    signed.serve_on_gitee(evil)
    assert "signature by a key not in the trusted root" in refused(market.refresh_registry())


def test_key_rotation_is_accepted_and_the_old_online_key_is_then_refused(signed: SignedHosts) -> None:
    market = signed.market()
    assert market.refresh_registry().source == "GitHub"
    before_rotation = signed.copy()
    new_root, new_online = [generate_key(), generate_key()], generate_key()

    version = signed.repo.rotate_root(signed.root_keys, new_root, 2, new_online, datetime.now(UTC))
    signed.publish()
    result = market.refresh_registry()

    assert version == 2 and result.verified and result.source == "GitHub" and not result.from_cache
    trust = market.trust
    assert trust is not None
    assert json.loads((trust.metadata_dir / "root.json").read_bytes())["signed"]["version"] == 2
    # Whoever kept the old online key signs a newer timestamp: the rotated root no longer lists that key.
    TufRepository(before_rotation).sign(signed.online, datetime.now(UTC) + timedelta(minutes=1),
                                        force_timestamp=True)
    (before_rotation / "registry" / "metadata" / "2.root.json").write_bytes(
        (signed.tree / "registry" / "metadata" / "2.root.json").read_bytes())
    signed.serve_on_gitee(before_rotation)
    market.switch_source("Gitee")
    assert "signature by a key not in the trusted root" in refused(market.refresh_registry())


def test_a_block_revoked_version_is_not_downloaded_and_installed_copies_are_reported(
    signed: SignedHosts, tmp_path: Path,
) -> None:
    entry = json.loads((signed.tree / "registry" / "plugins" / "weather_query.json").read_text("utf-8"))
    version = entry["versions"]["latest"]
    revoke_local(signed.tree, Revocation("weather_query", (version,), "block", "窃取聊天记录", "steals chat logs",
                                         "https://example.org/advisories/1", "2026-11-01T00:00:00Z"))
    signed.repo.sign(signed.online, datetime.now(UTC))
    signed.publish()
    market = signed.market()
    market.refresh_registry()

    with pytest.raises(ConsumerError) as refused_download:
        market.download_plugin("weather_query", None, tmp_path / "plugins")
    assert "已撤销" in str(refused_download.value) and "revoked (block)" in str(refused_download.value)
    assert not (tmp_path / "plugins").exists()
    assert signed.github.raw_url  # no archive was requested: the refusal comes before any download

    installed = tmp_path / "installed"
    for plugin_id, plugin_version in (("weather_query", version), ("gone_plugin", "1.0.0"),
                                      ("group_welcome", "1.0.0")):
        (installed / plugin_id).mkdir(parents=True)
        (installed / plugin_id / "plugin.json").write_text(
            json.dumps({"plugin_id": plugin_id, "version": plugin_version}), encoding="utf-8")
    findings = {(f.plugin_id, f.status) for f in market.audit_installed(installed)}
    assert findings == {("weather_query", "block"), ("gone_plugin", "unlisted")}


def test_revocations_are_only_read_from_a_verified_registry(signed: SignedHosts) -> None:
    market = signed.market("plain", verified=False)
    result = market.refresh_registry()
    assert not result.verified and "unverified" in result.describe()
    assert market.revocations == []


def test_an_unchanged_refresh_is_one_conditional_request_per_source(signed: SignedHosts) -> None:
    market = signed.market()
    trust = market.trust
    assert trust is not None
    sources = [TrustedSource(s.name, s.registry_url.rsplit("/", 1)[0]) for s in signed.sources()]
    first = trust.refresh(sources)
    second = trust.refresh(sources)
    assert first.downloaded == ("registry.json", "revoked.json") and first.stats.requests >= 5
    assert second.downloaded == () and second.stats.requests == 1 and second.stats.not_modified == 1
    assert second.stats.bytes == 0


def test_cli_audit_verifies_with_the_given_root_and_fails_on_a_blocked_install(
    signed: SignedHosts, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    from wxreg.cli import main

    revoke_local(signed.tree, Revocation("group_welcome", ("*",), "block", "恶意", "malicious",
                                         "https://example.org/advisories/2", "2026-11-01T00:00:00Z"))
    signed.repo.sign(signed.online, datetime.now(UTC))
    signed.publish()
    root = tmp_path / "root.json"
    root.write_bytes(signed.trusted_root)
    (tmp_path / "installed" / "group_welcome").mkdir(parents=True)
    (tmp_path / "installed" / "group_welcome" / "plugin.json").write_text(
        '{"plugin_id": "group_welcome", "version": "0.1.0"}', encoding="utf-8")
    args = ["client", "--cache-dir", str(tmp_path / "cli-cache"), "--trusted-root", str(root),
            *(arg for s in signed.sources() for arg in ("--source", f"{s.name}={s.registry_url}")),
            "audit", "--installed", str(tmp_path / "installed")]

    assert main(args) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)[0]["status"] == "block" and "signature verified" in captured.err
