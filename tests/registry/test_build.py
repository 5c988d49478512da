"""``wxreg build`` is byte-deterministic: same sources, same bytes, whatever the file order or formatting."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

from wxreg.cli import main
from wxreg.store import RegistryStore


def _shuffled(value: Any, rng: random.Random) -> Any:
    """The same JSON with every object's keys in a random order."""
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {key: _shuffled(item, rng) for key, item in items}
    if isinstance(value, list):
        return [_shuffled(item, rng) for item in value]
    return value


def test_build_twice_gives_identical_bytes(example_root: Path) -> None:
    registry = example_root / "registry" / "registry.json"
    assert main(["build", "--root", str(example_root)]) == 0
    first = registry.read_bytes()
    assert main(["build", "--root", str(example_root)]) == 0
    assert registry.read_bytes() == first


def test_committed_example_equals_a_fresh_build(example_root: Path) -> None:
    committed = (example_root / "registry" / "registry.json").read_bytes()
    assert RegistryStore(example_root).build() == committed


def test_shuffled_copy_of_the_sources_gives_identical_bytes(example_root: Path, tmp_path: Path) -> None:
    expected = RegistryStore(example_root).build()
    rng = random.Random(20261125)
    copy = tmp_path / "shuffled"
    (copy / "registry" / "plugins").mkdir(parents=True)
    for name in ("config.json", "categories.json", "removed.json"):
        shutil.copyfile(example_root / "registry" / name, copy / "registry" / name)
    plugin_files = sorted((example_root / "registry" / "plugins").glob("*.json"))
    rng.shuffle(plugin_files)  # creation order differs from name order
    for path in plugin_files:
        document = _shuffled(json.loads(path.read_text(encoding="utf-8")), rng)
        # Other formatting too: no indentation, \u escapes.
        (copy / "registry" / "plugins" / path.name).write_text(json.dumps(document), encoding="utf-8")
    assert RegistryStore(copy).build() == expected


def test_output_format(example_root: Path) -> None:
    data = RegistryStore(example_root).build()
    text = data.decode("utf-8")
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert "\\u" not in text and "智能客服助手" in text
    assert text.startswith('{\n  "version": "1.0.0",\n  "last_updated": ')
    document = json.loads(text)
    assert list(document) == ["version", "last_updated", "registry_url", "mirror_urls", "plugins", "categories",
                              "removed", "metadata"]
    ids = [entry["plugin_id"] for entry in document["plugins"]]
    assert ids == sorted(ids) and len(ids) == 3


def test_last_updated_is_the_newest_date_in_the_data_not_the_clock(example_root: Path) -> None:
    document = json.loads(RegistryStore(example_root).build())
    dates = [entry["updated_at"] for entry in document["plugins"]] + [stone["date"] for stone in document["removed"]]
    assert document["last_updated"] == max(dates) == "2026-03-10T00:00:00Z"


def test_removing_the_newest_plugin_never_moves_last_updated_backwards(example_root: Path) -> None:
    store = RegistryStore(example_root)
    before = json.loads(store.build())["last_updated"]
    store.remove("smart_customer_service", "作者请求下架 / author request", "deprecated", "2026-03-11T00:00:00Z")
    after = json.loads(store.registry_path.read_bytes())["last_updated"]
    assert after >= before


def test_metadata_totals(example_root: Path) -> None:
    document = json.loads(RegistryStore(example_root).build())
    meta = document["metadata"]
    assert meta["total_plugins"] == 3 and meta["verified_plugins"] == 2 and meta["featured_plugins"] == 1
    assert meta["total_downloads"] == 1250
    assert sum(meta["category_counts"].values()) == 3
    assert list(meta["category_counts"]) == [category["id"] for category in document["categories"]]


def test_registry_urls_come_from_the_config(example_root: Path) -> None:
    config = example_root / "registry" / "config.json"
    data = json.loads(config.read_text(encoding="utf-8"))
    data["github"].update(owner="forker", raw_url="http://127.0.0.1:8080/raw")
    data["gitee"]["owner"] = "forker"
    config.write_text(json.dumps(data), encoding="utf-8")
    document = json.loads(RegistryStore(example_root).build())
    assert document["registry_url"] == "http://127.0.0.1:8080/raw/forker/plugin-registry/main/registry/registry.json"
    assert document["mirror_urls"] == ["https://gitee.com/forker/plugin-registry/raw/main/registry/registry.json"]


def test_fast_path_equals_the_typed_models_path(example_root: Path, tmp_path: Path) -> None:
    """check_sources renders from canonical dicts; the models' to_dict must give the very same bytes."""
    from wxreg.build import render_registry
    from wxreg.validate import check_sources

    checked = check_sources(example_root)
    assert checked.problems == []
    assert checked.config is not None
    typed = render_registry(checked.config, checked.entries, checked.categories, checked.tombstones)
    assert typed == checked.render()


def test_canonical_entry_orders_keys_like_the_models() -> None:
    from wxreg.models import PluginEntry, canonical_entry

    rng = random.Random(3)
    for path in sorted((Path(__file__).resolve().parents[1] / "fixtures" / "registry-example" / "registry"
                        / "plugins").glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        expected = json.dumps(PluginEntry.from_dict(document).to_dict(), ensure_ascii=False)
        for _ in range(5):
            shuffled = _shuffled(document, rng)
            assert json.dumps(canonical_entry(shuffled), ensure_ascii=False) == expected


def test_rendered_registry_parses_back_to_the_document(example_root: Path) -> None:
    from wxreg.build import registry_document
    from wxreg.validate import check_sources

    checked = check_sources(example_root)
    assert checked.config is not None
    document = registry_document(checked.config, checked.entries, checked.categories, checked.tombstones)
    text = checked.render().decode("utf-8")
    assert json.loads(text) == document
    lines = text.splitlines()
    plugin_lines = [line for line in lines if line.startswith('    {"plugin_id": ') and '"release": ' in line]
    assert len(plugin_lines) == 3  # one line per plugin: a changed plugin is a one-line diff


def test_validate_notices_a_single_extra_or_missing_byte(example_root: Path) -> None:
    from wxreg.validate import validate_registry

    registry = example_root / "registry" / "registry.json"
    original = registry.read_bytes()
    for changed in (original + b"\n", original[:-1], original.replace(b"\n", b"\r\n")):
        registry.write_bytes(changed)
        assert [problem.file for problem in validate_registry(example_root)] == ["registry/registry.json"]
    registry.write_bytes(original)
    assert validate_registry(example_root) == []
