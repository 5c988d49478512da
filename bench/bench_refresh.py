"""What a verified refresh costs on the wire: requests and body bytes per refresh, per source.

A signed copy of the example registry is served by the GitHub raw and Gitee stand-ins; the reference
consumer (TUF through ``wxreg.trust``) refreshes: first contact, unchanged (the common case, every client
start), after a registry change, and unchanged again from Gitee alone (GitHub down). Target (issue 13): an
unchanged refresh costs at most one small conditional request per source answered 304 (no body bytes).
Body bytes are counted by the client; headers are not. Usage: ``.venv/bin/python bench/bench_refresh.py``.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from wxreg.store import RegistryStore  # noqa: E402
from wxreg.trust import TrustedRegistry, TrustedSource, VerifiedRefresh  # noqa: E402
from wxreg.tuf_repo import TufRepository, generate_key  # noqa: E402
from wxsandbox.gitee import GiteeStandIn  # noqa: E402
from wxsandbox.github import GitHubStandIn  # noqa: E402

REPO = "wxauto/registry"
EXAMPLE = ROOT / "tests" / "fixtures" / "registry-example"
MAX_UNCHANGED_REQUESTS_PER_SOURCE = 1


def row(label: str, result: VerifiedRefresh) -> str:
    return (f"  {label:<40} {result.stats.requests:>3} requests  {result.stats.not_modified:>2}x 304  "
            f"{result.stats.bytes:>7} body bytes  from {result.source}  downloaded {list(result.downloaded)}")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-refresh-") as temp:
        work = Path(temp)
        tree = work / "tree"
        shutil.copytree(EXAMPLE, tree)
        online = generate_key()
        repo = TufRepository(tree)
        repo.init([generate_key()], 1, online, datetime.now(UTC))
        with GitHubStandIn(work / "github") as github, GiteeStandIn(work / "gitee") as gitee:
            github.add_user("wxauto")
            github.create_repo("wxauto", "registry")
            gitee.create_repo("wxauto", "registry", default_branch="main")
            github.push_directory(REPO, tree)
            gitee.push_directory(REPO, tree)
            sources = [TrustedSource("GitHub", f"{github.raw_url}/{REPO}/main/registry"),
                       TrustedSource("Gitee", gitee.raw_file_url(REPO, "main", "registry"))]
            client = TrustedRegistry((tree / "registry/metadata/root.json").read_bytes(), work / "client")
            registry_size = (tree / "registry/registry.json").stat().st_size
            print(f"registry.json {registry_size} bytes, timestamp.json "
                  f"{(tree / 'registry/metadata/timestamp.json').stat().st_size} bytes")
            first = client.refresh(sources)
            unchanged = client.refresh(sources)
            entry = tree / "registry" / "plugins" / "weather_query.json"
            data = json.loads(entry.read_text("utf-8"))
            data["short_description"] += " (edited)"
            entry.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            RegistryStore(tree).write()
            repo.sign(online, datetime.now(UTC))
            github.push_directory(REPO, tree)
            gitee.push_directory(REPO, tree)
            changed = client.refresh(sources)
            again = client.refresh(sources)
            gitee_only = client.refresh(sources[1:])
            gitee_again = client.refresh(sources[1:])
        for label, result in (("first contact", first), ("unchanged", unchanged), ("after a change", changed),
                              ("unchanged after the change", again), ("Gitee only, first time", gitee_only),
                              ("Gitee only, unchanged", gitee_again)):
            print(row(label, result))
        worst = max(unchanged.stats.requests, again.stats.requests, gitee_again.stats.requests)
        ok = worst <= MAX_UNCHANGED_REQUESTS_PER_SOURCE and 0 == unchanged.stats.bytes == gitee_again.stats.bytes
        print(f"unchanged refresh: {worst} request(s) per source, 0 body bytes "
              f"(target <= {MAX_UNCHANGED_REQUESTS_PER_SOURCE}): {'OK' if ok else 'MISSED'}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
