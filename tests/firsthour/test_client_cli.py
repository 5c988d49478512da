"""``wxreg client`` as a user types it: lines for people by default, ``--json`` on request, ``file:`` URLs and
plain paths as sources, and one short line per failed source."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.firsthour import ROOT, WXREG, assert_no_traceback, run

EXAMPLE_REGISTRY = ROOT / "tests" / "fixtures" / "registry-example" / "registry"


def client(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    done = run([WXREG, "client", "--cache-dir", str(tmp_path / "cache"), *args], cwd=tmp_path)
    assert_no_traceback(done)
    return done.returncode, done.stdout, done.stderr


def test_a_path_a_directory_and_a_file_url_are_sources_and_output_is_for_people(tmp_path: Path) -> None:
    status, out, err = client(tmp_path, "--source", str(EXAMPLE_REGISTRY), "search")
    assert status == 0 and "weather_query" in out and "天气查询" in out and not out.lstrip().startswith("[")
    assert "3 个插件" in err
    status, out, _ = client(tmp_path, "--source", (EXAMPLE_REGISTRY / "registry.json").as_uri(), "--json", "search",
                            "天气")
    assert status == 0 and [row["plugin_id"] for row in json.loads(out)] == ["weather_query"]
    status, out, _ = client(tmp_path, "--source", f"local={EXAMPLE_REGISTRY / 'registry.json'}", "updates",
                            "weather_query=0.1.0")
    assert status == 0 and out.strip() == "weather_query: 0.1.0 -> 0.3.0"
    status, out, _ = client(tmp_path, "--source", str(EXAMPLE_REGISTRY), "stats")
    assert status == 0 and "total_plugins: 3" in out


def test_a_failed_source_is_one_short_line_and_the_next_source_serves(tmp_path: Path) -> None:
    status, out, err = client(tmp_path, "--timeout", "2", "--source", "down=http://127.0.0.1:9/registry.json",
                              "--source", str(EXAMPLE_REGISTRY), "refresh")
    assert status == 0 and "3 个插件" in out
    failed = [line for line in err.splitlines() if line.strip().startswith("down:")]
    assert failed == ["  down: ConnectionError"], err
