"""Life after listing through the real workflows, run by act in the sandbox's World (GitHub, Gitee, OSV
stand-ins; the registry signed as in the demo):

(a) a new release of a listed plugin becomes a published update with no human step: watch.yml (its
    schedule) files the update, review.yml reviews it and its auto-update job merges it once the required
    status is green, dispatching publish, sign and mirror; the tag-to-``registry.json``-on-both-hosts time
    is asserted against 60 s;
(b) an update that adds a permission stops for a maintainer, with the reason in the bot's comment;
(c) a new advisory for a listed plugin's dependency, added to the OSV stand-in now, makes reaudit.yml open
    one advisory issue and one revocation PR; a second run changes nothing.

The listing itself (submission, review, ``approved``, merge) runs through the workflows too, before the clock.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.plugins import GOOD_PLUGIN, edit_manifest
from wxreg.config import REGISTRY_JSON_PATH, RegistryConfig
from wxreg.lifecycle.autoupdate import AUTO_MERGED_LABEL, NEEDS_MAINTAINER_LABEL, STATUS_MARKER
from wxreg.lifecycle.reaudit import ADVISORY_LABEL
from wxreg.lifecycle.watch import WATCH_LABEL
from wxreg.review.submission import parse_issue_body
from wxsandbox import demo, events
from wxsandbox import osv as osv_module
from wxsandbox import world as world_module

pytestmark = pytest.mark.act  # one worker runs all three, in order (tests/conftest.py)
REGISTRY = world_module.REGISTRY
PLUGIN = "alice/daily-quote-reply"
WAIT = 300.0
TAG_TO_BOTH_HOSTS_SECONDS = 60.0
WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"


@dataclass
class Listed:
    world: Any
    tmp: Path
    config: RegistryConfig

    @property
    def maria(self) -> Any:
        return self.world.client("maria").get_repo(REGISTRY)

    def failed(self) -> list[str]:
        return [f"{run.workflow} ({run.event.name}): {run.conclusion}\n{run.log[-2500:]}"
                for run in self.world.actions.runs if run.conclusion not in ("success", "skipped", "cancelled", None)]

    def wait(self) -> None:
        assert self.world.actions.wait_idle(WAIT), "workflows did not finish"

    def release(self, version: str, **manifest: Any) -> None:
        """What the author does: a commit, tag ``v<version>`` (on GitHub and the Gitee mirror), a GitHub release."""
        work = self.tmp / "releases" / version
        shutil.copytree(GOOD_PLUGIN, work)
        (work / "plugin.json").write_text(edit_manifest(version=version, **manifest), encoding="utf-8")
        self.world.make_plugin_repo("alice", "daily-quote-reply", work, tag=f"v{version}", mirror=True)
        self.world.client("alice").get_repo(PLUGIN).create_git_release(f"v{version}", version, "release notes")

    def fire(self, workflow: str) -> None:
        """The schedule of one workflow comes due (GitHub runs it on the default branch)."""
        cron = re.search(r'cron:\s*"([^"]+)"', (WORKFLOWS / workflow).read_text(encoding="utf-8"))
        assert cron is not None
        bare = self.world.github.bare_repo_path(REGISTRY)
        sha = subprocess.run(["git", "-C", str(bare), "rev-parse", "refs/heads/main"], check=True,
                             capture_output=True, text=True).stdout.strip()
        self.world.actions.deliver(events.Event(name="schedule", payload={"schedule": cron.group(1)},
                                                repo_full_name=REGISTRY, ref="refs/heads/main", sha=sha,
                                                delivery_id=int(time.monotonic() * 1000)))

    def latest(self, host: str) -> str | None:
        answer = requests.get(self.config.raw_file_url(host, REGISTRY_JSON_PATH), timeout=5)
        if answer.status_code != 200:
            return None
        plugins = {p["plugin_id"]: p for p in answer.json()["plugins"]}
        entry = plugins.get("daily_quote_reply")
        return str(entry["versions"]["latest"]) if entry else None

    def update_issue(self, version: str) -> Any:
        found = [i for i in self.maria.get_issues(state="all", labels=[WATCH_LABEL])
                 if parse_issue_body(i.body).submission.version == version]
        assert len(found) == 1, [i.title for i in found]
        return found[0]

    def bot_comment(self, number: int, marker: str) -> str:
        bodies = [c.body for c in self.maria.get_issue(number).get_comments()
                  if marker in c.body and c.user.login == self.world.github.bot_login]
        assert len(bodies) == 1, bodies
        return str(bodies[0])


@pytest.fixture(scope="module")
def listed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Listed]:
    tmp = tmp_path_factory.mktemp("lifecycle-act")
    world = world_module.World(tmp / "world", prepare_seed=demo.signed_seed(tmp / "keys"),
                               skip_workflows=("ci.yml", "pages.yml"))
    saved = {name: os.environ.get(name) for name in ("WXREG_OSV_URL", "WXREG_ALLOW_URL_PREFIXES")}
    with world:
        # Steps of act runs inherit this process's environment (a self-hosted runner).
        os.environ["WXREG_OSV_URL"] = world.osv.query_url
        os.environ["WXREG_ALLOW_URL_PREFIXES"] = f"{world.gitee.url}/"
        world.actions.set_secrets(REGISTRY, {demo.ONLINE_KEY_ENV: (tmp / "keys" / "online.key").read_text().strip()})
        try:
            maria = world.client("maria").get_repo(REGISTRY)
            config = RegistryConfig.from_dict(json.loads(maria.get_contents("registry/config.json").decoded_content))
            built = Listed(world, tmp, config)
            world.make_plugin_repo("alice", "daily-quote-reply", GOOD_PLUGIN, tag="v1.0.0", mirror=True)
            number = world.github.submit_issue_form(REGISTRY, demo.TEMPLATE, demo.submission_answers(world),
                                                    login="alice")
            built.wait()
            maria.get_issue(number).add_to_labels("approved")
            built.wait()
            [pull] = list(maria.get_pulls(state="open"))
            pull.merge(merge_method="merge")
            built.wait()
            assert built.failed() == []
            assert built.latest("github") == built.latest("gitee") == "1.0.0"
            yield built
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def test_a_new_release_is_published_on_both_hosts_with_no_human_step(listed: Listed) -> None:
    began = time.monotonic()
    listed.release("1.1.0")
    listed.fire("watch.yml")
    both: float | None = None
    while time.monotonic() - began < WAIT:
        if listed.latest("github") == "1.1.0" and listed.latest("gitee") == "1.1.0":
            both = time.monotonic() - began
            break
        time.sleep(0.5)
    listed.wait()
    assert listed.failed() == []
    print(f"tag -> registry.json 1.1.0 on GitHub and Gitee: {both} s")
    assert both is not None, "the update was never published on both hosts"
    issue = listed.update_issue("1.1.0")
    assert issue.user.login == listed.world.github.bot_login and issue.state == "closed"
    assert AUTO_MERGED_LABEL in {label.name for label in issue.labels}
    assert "Merged automatically" in listed.bot_comment(issue.number, STATUS_MARKER)
    merged = [p for p in listed.maria.get_pulls(state="closed") if p.merged and f"#{issue.number}" in (p.body or "")]
    assert len(merged) == 1 and merged[0].merged_by.login == listed.world.github.bot_login
    assert both <= TAG_TO_BOTH_HOSTS_SECONDS, f"{both:.1f} s from tag to both hosts"


def test_an_update_adding_a_permission_waits_for_a_maintainer(listed: Listed) -> None:
    permissions = ["network.https", "config.read", "message.process", "message.send", "file.write"]
    listed.release("1.2.0", permissions=permissions)
    listed.fire("watch.yml")
    listed.wait()
    assert listed.failed() == []
    issue = listed.update_issue("1.2.0")
    assert issue.state == "open" and NEEDS_MAINTAINER_LABEL in {label.name for label in issue.labels}
    comment = listed.bot_comment(issue.number, STATUS_MARKER)
    assert "Needs a maintainer" in comment and "file.write" in comment and "new permissions" in comment
    assert [p for p in listed.maria.get_pulls(state="open") if p.head.ref.startswith("registry/")] == []
    assert listed.latest("github") == "1.1.0"


def test_a_new_advisory_opens_one_advisory_and_one_revocation_pr_then_nothing(listed: Listed) -> None:
    listed.world.osv.add(osv_module.Advisory("GHSA-life-0001", "requests", "2.0.0", "2.32.4",
                                             "requests leaks credentials on redirect"))
    advisory, revocation = _reaudit(listed)
    assert "GHSA-life-0001" in advisory.body and revocation.html_url in advisory.body
    assert revocation.state == "open" and not revocation.merged  # proposed, never revoked by itself
    before = (advisory.body, advisory.updated_at, revocation.head.sha, revocation.updated_at)

    advisory, revocation = _reaudit(listed)
    assert (advisory.body, advisory.updated_at, revocation.head.sha, revocation.updated_at) == before


def _reaudit(listed: Listed) -> tuple[Any, Any]:
    """reaudit.yml's schedule comes due; the one advisory issue and the one revocation PR there are."""
    listed.fire("reaudit.yml")
    listed.wait()
    assert listed.failed() == []
    advisories = list(listed.maria.get_issues(state="all", labels=[ADVISORY_LABEL]))
    revocations = [p for p in listed.maria.get_pulls(state="all") if p.head.ref.startswith("revoke/")]
    assert len(advisories) == 1 and len(revocations) == 1
    return advisories[0], revocations[0]
