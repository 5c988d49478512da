"""The release watcher on an unchanged day: 500 listed plugins, counted in the GitHub stand-in's request log.

First run: one plain GET per plugin (the ETags are learnt and written once to the state branch). Second
run, nothing released meanwhile — target: at most one conditional request per plugin, every one a 304,
and no write at all (no commit, no issue). Besides those, one read of the state file.
Usage: ``.venv/bin/python bench/bench_watch.py``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

PLUGINS = 500
REGISTRY = "wxauto/registry"
TEMPLATE = ROOT / "tests" / "fixtures" / "registry-example" / "registry" / "plugins" / "weather_query.json"
WRITES = ("POST", "PATCH", "PUT", "DELETE")


def main() -> int:
    try:
        from wxsandbox.github.server import GitHubStandIn
        from wxsandbox.github.testing import forge as standin_forge
    except ImportError as exc:  # the sandbox is not installed
        print(f"skipped: {exc}")
        return 0
    from wxreg.approval.stats import ConditionalClient
    from wxreg.lifecycle.watch import watch
    from wxreg.models import PluginEntry, RepositoryLocation

    template = PluginEntry.from_dict(json.loads(TEMPLATE.read_text(encoding="utf-8")))
    with tempfile.TemporaryDirectory(prefix="bench-watch-") as temp:
        gh = GitHubStandIn(Path(temp) / "github").start()
        try:
            gh.add_user("wxauto")
            gh.add_user("bob")
            gh.create_repo("wxauto", "registry")
            seed = Path(temp) / "seed"
            seed.mkdir()
            (seed / "README.md").write_text("registry\n", encoding="utf-8")
            gh.push_directory(REGISTRY, seed)
            entries = []
            for index in range(PLUGINS):
                name = f"watched-{index:03d}"
                gh.create_repo("bob", name)
                api = f"{gh.api_url}/repos/bob/{name}"
                location = RepositoryLocation(f"{gh.url}/bob/{name}", api, f"{api}/releases")
                entries.append(replace(template, plugin_id=f"watched_{index:03d}",
                                       repository=replace(template.repository, primary=location, mirror=None)))
            forge = standin_forge(gh, gh.bot_token, REGISTRY, bot_login=gh.bot_login)

            def run(label: str) -> tuple[int, int, int, int]:
                start = len(gh.request_log)
                began = time.perf_counter()
                result = watch(entries, forge, ConditionalClient(forge, gh.api_url), dispatch=lambda number: None)
                elapsed = time.perf_counter() - began
                log = gh.request_log[start:]
                releases = [e for e in log if e[1].endswith("/releases")]
                writes = [e for e in log if e[0] in WRITES]
                print(f"{label}: {len(log)} requests ({len(releases)} release polls, "
                      f"{sum(1 for e in releases if e[2] == 304)} × 304, {len(log) - len(releases)} other), "
                      f"{len(writes)} writes, state written: {result.state_written}, {elapsed:.2f} s")
                return len(releases), sum(1 for e in releases if e[2] == 304), len(writes), len(result.filed)

            run("first run (learns ETags)")
            polls, not_modified, writes, filed = run(f"unchanged day, {PLUGINS} plugins")
        finally:
            gh.stop()
    ok = polls <= PLUGINS and not_modified == polls and writes == 0 and filed == 0
    print(f"target: <= {PLUGINS} conditional requests, all 304, no write -> {'ok' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
