"""GitHub API calls of the maintainer workflow, counted in the sandbox's GitHub stand-in request log.

* one approval (``approved`` on a passing submission: role, record, re-check, PR, comment) — target <= 12;
* re-applying ``approved`` (the same PR updated in place);
* a stats refresh of 100 listed plugins: the first run (200s), then a run where nothing changed —
  target: conditional requests only (every answer a 304).

Only the bot's REST calls count (git traffic and the users' own calls are not the workflow's).
Usage: ``.venv/bin/python bench/bench_approval.py``.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))  # the test support package, ``tests.support``

TARGET_APPROVAL_CALLS = 12
STATS_PLUGINS = 100


def main() -> int:
    import os

    from tests.support.approval import World, make_world

    from wxreg.approval.stats import ConditionalClient, refresh_stats
    from wxreg.models import RepositoryLocation
    from wxreg.store import RegistryStore
    from wxsandbox.osv import OsvStandIn
    from wxsandbox.pypi import PyPIStandIn

    osv = OsvStandIn().start()
    pypi = PyPIStandIn().start()
    os.environ["WXREG_PYPI_URL"] = pypi.url  # the review's index check asks the local stand-in, never pypi.org
    failed = False
    try:
        with tempfile.TemporaryDirectory(prefix="bench-approval-") as temp:
            world: World
            world, gh = make_world(Path(temp), osv)
            try:
                number = world.submit("alice", world.plugin(), "daily_quote_reply")
                assert world.review(number).result.passed
                start = len(gh.request_log)
                first = world.label(number, "approved")
                approval = world.api_calls(start)
                world.repo().get_issue(number).remove_from_labels("approved")
                start = len(gh.request_log)
                again = world.label(number, "approved")
                reapproval = world.api_calls(start)
                print(f"approval ({first.action}): {len(approval)} API calls (target <= {TARGET_APPROVAL_CALLS})")
                for method, path, status, _login in approval:
                    print(f"    {method:6} {status} {path}")
                print(f"re-approval ({again.action}, same PR): {len(reapproval)} API calls")
                failed |= len(approval) > TARGET_APPROVAL_CALLS

                # 100 listed plugins, each with a repository on the stand-in.
                assert first.pull is not None
                world.merge(first.pull.number)
                store = RegistryStore(world.checkout)
                template = store.get("daily_quote_reply")
                assert template is not None
                for index in range(STATS_PLUGINS):
                    name = f"stats-plugin-{index:03d}"
                    gh.create_repo("bob", name)
                    api = f"{gh.api_url}/repos/bob/{name}"
                    location = RepositoryLocation(f"{gh.url}/bob/{name}", api, f"{api}/releases")
                    store.upsert(replace(template, plugin_id=f"stats_plugin_{index:03d}", submission=None,
                                         repository=replace(template.repository, primary=location)), rebuild=False)
                store.write()
                client = ConditionalClient(world.forge, gh.api_url)
                run = refresh_stats(world.checkout, client)
                print(f"stats, first run over {STATS_PLUGINS + 1} plugins: {run.requests} requests, "
                      f"{run.not_modified} × 304, {len(run.changed)} moved")
                client = ConditionalClient(world.forge, gh.api_url)
                run = refresh_stats(world.checkout, client)
                print(f"stats, nothing changed: {run.requests} requests, {run.not_modified} × 304, "
                      f"{len(run.changed)} moved, {len(run.files)} files to commit")
                failed |= run.requests != run.not_modified or bool(run.files)
            finally:
                gh.stop()
    finally:
        osv.stop()
        pypi.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
