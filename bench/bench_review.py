"""Wall time of one ``--repo`` review of the example plugin, bandit and pip-audit included, and the
GitHub API calls one issue review makes through the sandbox's GitHub stand-in.

pip-audit talks to the sandbox's OSV stand-in on a real socket, so nothing leaves this machine.
Targets: under 5 s; at most 8 API calls. Usage: ``.venv/bin/python bench/bench_review.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))  # the test support package, ``tests.support``

from tests.support.plugins import make_repo  # noqa: E402

from wxsandbox.osv import OsvStandIn  # noqa: E402

TARGET_SECONDS = 5.0
TARGET_API_CALLS = 8


def api_calls_per_review(osv_url: str, tmp: Path) -> int | None:
    """REST calls of one ``--issue`` review against the stand-in (``None`` when the sandbox is missing)."""
    try:
        from wxsandbox.github.server import GitHubStandIn
        from wxsandbox.github.testing import pygithub
    except ImportError:
        return None
    from dataclasses import replace

    from tests.support.plugins import GOOD_PLUGIN
    from tests.support.submission import good_body

    from wxreg.review.context import ToolConfig
    from wxreg.review.engine import ReviewOptions
    from wxreg.review.github import SUBMISSION_LABEL, GitHubConfig, GitHubReviewer
    from wxreg.review.policy import load_policy

    registry = "wxauto-mgt/plugin-registry"
    with GitHubStandIn(tmp / "github") as gh:
        for login in ("wxauto-mgt", "maintainer", "author"):
            gh.add_user(login)
        gh.create_repo("wxauto-mgt", "plugin-registry")
        gh.set_role(registry, "maintainer", "maintain")
        gh.create_repo("author", "daily-quote-reply")
        gh.push_directory("author/daily-quote-reply", GOOD_PLUGIN, tag="v1.0.0")
        body = good_body(github_repo=f"{gh.url}/author/daily-quote-reply")
        issue = pygithub(gh, gh.token_for("author")).get_repo(registry).create_issue(title="Plugin", body=body)
        pygithub(gh, gh.token_for("maintainer")).get_repo(registry).get_issue(issue.number).add_to_labels(
            SUBMISSION_LABEL
        )
        (tmp / "empty" / "plugins").mkdir(parents=True)
        options = ReviewOptions(
            policy=load_policy().with_extra_url_prefixes((gh.url + "/",)),
            tools=ToolConfig(osv_url=osv_url),
            registry_dir=tmp / "empty",
        )
        config = GitHubConfig(gh.bot_token, registry, gh.api_url, gh.url, bot_login=gh.bot_login, throttle=False)
        reviewer = GitHubReviewer(config, replace(options))
        before = len(gh.request_log)
        outcome = reviewer.review_issue(issue.number)
        if outcome.result is None or not outcome.result.passed:
            raise SystemExit(f"sandbox review did not pass: {outcome}")
        return sum(1 for entry in gh.request_log[before:] if entry[1].startswith("/api/"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    osv = OsvStandIn().start()
    timings: list[float] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
            repo = make_repo(Path(tmp) / "good-plugin")
            registry = Path(tmp) / "registry"
            (registry / "plugins").mkdir(parents=True)
            command = [
                sys.executable, str(ROOT / "scripts" / "plugin_reviewer.py"),
                "--repo", str(repo), "--tag", "v1.0.0", "--json",
                "--osv-url", osv.query_url, "--registry-dir", str(registry),
            ]  # fmt: skip
            for _ in range(args.runs):
                started = time.perf_counter()
                done = subprocess.run(command, capture_output=True, text=True, check=False)
                timings.append(time.perf_counter() - started)
                if done.returncode != 0:
                    print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
                    print(f"review did not pass (exit {done.returncode})", file=sys.stderr)
                    return 1
            calls = api_calls_per_review(osv.query_url, Path(tmp))
    finally:
        osv.stop()
    best, median = min(timings), statistics.median(timings)
    print(
        f"review --repo (good plugin, bandit + pip-audit vs local OSV): best {best:.2f} s, median {median:.2f} s "
        f"over {len(timings)} runs (target < {TARGET_SECONDS:.0f} s; OSV queries: {len(osv.queries)})"
    )
    if calls is None:
        print("GitHub API calls per issue review: sandbox not available")
    else:
        print(f"GitHub API calls per issue review (sandbox stand-in): {calls} (target <= {TARGET_API_CALLS})")
    return 0 if median < TARGET_SECONDS and (calls is None or calls <= TARGET_API_CALLS) else 1


if __name__ == "__main__":
    sys.exit(main())
