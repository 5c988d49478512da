"""Config derivation, the client's version rules, and the CLI's contract (exit codes, stderr)."""

from __future__ import annotations

import argparse
import importlib
import json
from pathlib import Path

import pytest

from wxreg import versions
from wxreg.cli import SUBCOMMAND_MODULES, SUBCOMMANDS, main, make_parser
from wxreg.config import DEFAULT_CONFIG_PATH, RegistryConfig
from wxreg.errors import ModelError


def test_default_hosts_are_the_real_ones() -> None:
    config = RegistryConfig.from_dict({"github": {"owner": "o", "repo": "r", "branch": "main"},
                                       "gitee": {"owner": "go", "repo": "gr", "branch": "master"}})
    assert config.registry_url == "https://raw.githubusercontent.com/o/r/main/registry/registry.json"
    assert config.mirror_urls == ("https://gitee.com/go/gr/raw/master/registry/registry.json",)
    assert config.github.api_url == "https://api.github.com" and config.gitee.api_url == "https://gitee.com/api/v5"
    assert config.github.repository_url == "https://github.com/o/r"


def test_hosts_can_point_at_a_local_stand_in() -> None:
    local = "http://127.0.0.1:9000"
    config = RegistryConfig.from_dict({
        "github": {"owner": "o", "repo": "r", "branch": "main", "web_url": local + "/gh", "raw_url": local + "/raw/",
                   "api_url": local + "/api"},
        "gitee": {"owner": "o", "repo": "r", "branch": "main", "web_url": local + "/gitee",
                  "raw_url": local + "/gitee", "api_url": local + "/gitee/api/v5"},
        "pages_url": "https://o.github.io/r/registry.json",
    })
    assert config.registry_url == local + "/raw/o/r/main/registry/registry.json"
    assert config.mirror_urls == (local + "/gitee/o/r/raw/main/registry/registry.json",
                                  "https://o.github.io/r/registry.json")
    assert config.raw_file_url("gitee", "x.json") == local + "/gitee/o/r/raw/main/x.json"


@pytest.mark.parametrize(("data", "pointer"), [
    ({"github": {"owner": "o", "repo": "r"}, "gitee": {"owner": "o", "repo": "r", "branch": "b"}}, "/github/branch"),
    ({"github": {"owner": "o", "repo": "r", "branch": "b", "token": "x"},
      "gitee": {"owner": "o", "repo": "r", "branch": "b"}}, "/github/token"),
    ({"github": {"owner": "o", "repo": "r", "branch": "b", "raw_url": "ftp://x"},
      "gitee": {"owner": "o", "repo": "r", "branch": "b"}}, "/github/raw_url"),
    ({"github": {}, "gitee": {}, "extra": 1}, "/extra"),
])
def test_bad_config_names_the_key(data: object, pointer: str) -> None:
    with pytest.raises(ModelError) as caught:
        RegistryConfig.from_dict(data)
    assert caught.value.pointer == pointer


def test_the_committed_config_loads() -> None:
    config = RegistryConfig.load()
    assert config == RegistryConfig.load(DEFAULT_CONFIG_PATH)
    assert config.registry_url.endswith("/registry/registry.json")


@pytest.mark.parametrize(("version", "key"), [
    ("1.2.0", (1, 2, 0)), ("v1.2", (1, 2)), ("1.2.0-beta.1", None), ("1.2.0rc1", None), ("", None), ("1..2", None),
])
def test_client_version_key(version: str, key: tuple[int, ...] | None) -> None:
    assert versions.client_version_key(version) == key


def test_client_comparison_pads_with_zeros_like_the_client() -> None:
    assert versions.client_compare("1.2", "1.2.0") == 0
    assert versions.client_compare("1.10.0", "1.9.9") == 1
    assert versions.client_compare("1.2.0-beta", "1.0") is None
    assert versions.client_version_le("1.0", "1.0.0") and not versions.client_version_le("2.0", "1.9")


def test_manifest_and_registry_forms() -> None:
    assert versions.is_manifest_version("v1.2.3.4") and not versions.is_manifest_version("1")
    assert not versions.is_manifest_version("1.2.3.4.5")
    assert versions.is_client_version("1.2") and not versions.is_client_version("v1.2")


def test_pep440_helpers() -> None:
    assert versions.tag_version("v1.3.0-rc.1") == versions.parse_pep440("1.3.0rc1")
    assert versions.is_specifier(">=3.8,<3.13") and not versions.is_specifier("python3")
    assert versions.requirement_problem("requests>=2") is None
    assert versions.requirement_problem("x @ https://e.com/x.whl") is not None
    assert versions.requirement_problem("-e .") is not None


def test_cli_validate_exit_codes(example_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--root", str(example_root)]) == 0
    plugin = example_root / "registry" / "plugins" / "weather_query.json"
    document = json.loads(plugin.read_text(encoding="utf-8"))
    del document["author"]["email"]
    plugin.write_text(json.dumps(document), encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", "--root", str(example_root)]) == 1
    captured = capsys.readouterr()
    assert "registry/plugins/weather_query.json#/author/email:" in captured.err
    assert "修复 / fix:" in captured.err and captured.out == ""


def test_cli_is_a_table_of_subcommand_modules() -> None:
    assert "wxreg.cli" in SUBCOMMAND_MODULES
    parser = make_parser()
    for command in ("build", "validate", "demo"):
        assert parser.parse_args([command]).handler is not None
    # The table names exactly the subcommands each module registers, and `wxreg <command>` registers that module.
    for name, commands in SUBCOMMANDS.items():
        subparsers = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(name).register(subparsers)
        assert tuple(subparsers.choices) == commands, name
        for command in commands:
            assert "{" + ",".join(commands) + "}" in "".join(make_parser(command).format_usage().split()), command


def test_committed_registry_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0, capsys.readouterr().err


def test_demo_runs_and_shows_a_pointer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "rebuilt byte-identical: True" in out
    assert "registry/plugins/weather_query.json#/author/email" in out
