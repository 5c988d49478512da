"""A registry on the sandbox's GitHub stand-in, plugin repositories, and the reviewer that posts records.

Users: maria (maintain), tom (triage), alice and bob (authors), eve (no role). Handlers are called
directly with the event payload GitHub would deliver; ``tests/approval/test_workflows_e2e.py`` runs the
real workflows through act. Used by ``tests/approval/`` and ``bench/bench_approval.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.corpus import fast_checks
from tests.support.plugins import GIT_ENV, GOOD_PLUGIN, REPO_ROOT, edit_manifest
from tests.support.submission import good_body
from wxreg.approval.forge import ApprovalSettings
from wxreg.approval.handlers import Outcome, handle_label_event
from wxreg.approval.refresh import refresh_open_pulls
from wxreg.config import RegistryConfig
from wxreg.forge.github import GitHubForge
from wxreg.review.context import ToolConfig
from wxreg.review.engine import ReviewOptions
from wxreg.review.github import GitHubConfig, GitHubReviewer
from wxreg.review.policy import load_policy
from wxreg.validate import validate_registry
from wxsandbox.github import testing
from wxsandbox.github.server import GitHubStandIn
from wxsandbox.osv import OsvStandIn

REGISTRY = "wxauto/registry"
EVENT_TIME = "2026-03-01T08:00:00Z"


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV})
    return done.stdout.strip()


def registry_seed(tmp: Path, gh: Any) -> Path:
    """This repository's ``registry/`` with config.json pointing at the stand-in."""
    seed = tmp / "seed"
    shutil.copytree(REPO_ROOT / "registry", seed / "registry")
    (seed / "registry" / "config.json").write_text(json.dumps({
        "github": {"owner": "wxauto", "repo": "registry", "branch": "main", "web_url": gh.url,
                   "raw_url": gh.raw_url, "api_url": gh.api_url},
        "gitee": {"owner": "wxauto", "repo": "registry", "branch": "main",
                  "web_url": "http://127.0.0.1:9", "raw_url": "http://127.0.0.1:9", "api_url": "http://127.0.0.1:9/api/v5"},
        "pages_url": None,
    }, indent=2) + "\n", encoding="utf-8")
    return seed


@dataclass
class World:
    gh: Any
    tmp: Path
    checkout: Path
    options: ReviewOptions
    settings: ApprovalSettings
    reviewer: GitHubReviewer
    forge: GitHubForge
    plugins: dict[str, str] = field(default_factory=dict)

    def client(self, login: str) -> Any:
        return testing.pygithub(self.gh, self.gh.token_for(login))

    def repo(self, login: str = "maria") -> Any:
        return self.client(login).get_repo(REGISTRY)

    def plugin(self, plugin_id: str = "daily_quote_reply", *, owner: str = "alice", repo: str | None = None,
               version: str = "1.0.0", name: str | None = None, **manifest: Any) -> str:
        """A plugin repository on the stand-in with ``plugin_id`` at tag ``v<version>``; its URL."""
        repo = repo or plugin_id.replace("_", "-")
        full = f"{owner}/{repo}"
        work = self.tmp / "plugins" / full / version
        shutil.copytree(GOOD_PLUGIN, work)
        (work / "plugin.json").write_text(edit_manifest(plugin_id=plugin_id, version=version,
                                                        name=name or f"Quote {plugin_id}", **manifest),
                                          encoding="utf-8")
        if full not in self.plugins:
            self.gh.create_repo(owner, repo)
            self.plugins[full] = f"{self.gh.url}/{full}"
        self.gh.push_directory(full, work, tag=f"v{version}")
        return self.plugins[full]

    def submit(self, author: str, url: str, plugin_id: str = "daily_quote_reply", version: str = "1.0.0",
               **changes: Any) -> int:
        body = good_body(github_repo=url, plugin_id=plugin_id, version=version, release_tag=f"v{version}",
                         plugin_name=f"Quote {plugin_id}", author_github=author, **changes)
        return int(self.gh.submit_rendered_form(REGISTRY, f"[插件提交 / Plugin] {plugin_id}", body, login=author))

    def review(self, number: int) -> Any:
        outcome = self.reviewer.review_issue(number)
        return outcome

    def label(self, number: int, label: str, sender: str = "maria", at: str = EVENT_TIME) -> Outcome:
        """What GitHub does when ``sender`` adds ``label``: the label lands, then the workflow runs."""
        issue = self.repo(sender).get_issue(number)
        issue.add_to_labels(label)
        return self.deliver(number, label, sender, at)

    def deliver(self, number: int, label: str, sender: str, at: str = EVENT_TIME) -> Outcome:
        issue = self.repo("maria").get_issue(number)
        payload = {
            "action": "labeled",
            "label": {"name": label},
            "sender": {"login": sender},
            "issue": {"number": number, "updated_at": at,
                      "labels": [{"name": item.name} for item in issue.labels]},
        }
        return handle_label_event(payload, self.settings, self.forge)

    def pulls(self, state: str = "open") -> list[Any]:
        return list(self.repo().get_pulls(state=state))

    def comments(self, number: int) -> list[Any]:
        return list(self.repo().get_issue(number).get_comments())

    def labels(self, number: int) -> set[str]:
        return {label.name for label in self.repo().get_issue(number).labels}

    def sync_checkout(self) -> None:
        git(self.checkout, "fetch", "-q", "origin", "+refs/heads/main:refs/remotes/origin/main")
        git(self.checkout, "checkout", "-q", "-f", "--detach", "refs/remotes/origin/main")

    def merge(self, number: int) -> None:
        """Merge a PR as maria would, then what the push workflow does: validate main, refresh open PRs."""
        self.repo().get_pull(number).merge(merge_method="merge")
        self.sync_checkout()
        problems = validate_registry(self.checkout)
        assert problems == [], problems
        refresh_open_pulls(self.settings, self.forge)

    def api_calls(self, since: int) -> list[Any]:
        """The bot's REST calls since ``since`` (git traffic and the users' own calls excluded)."""
        return [entry for entry in self.gh.request_log[since:]
                if entry[1].startswith("/api/") and entry[3] == self.gh.bot_login]


def make_world(tmp: Path, osv: OsvStandIn, *, fast_review: bool = False, scanners: bool = True) -> tuple[World, Any]:
    """``fast_review``: the review runs no checks (scores and record only); ``scanners=False``: every check but
    the scanners (bandit, GuardDog, pip-audit; ``tests.support.corpus.fast_checks``), in milliseconds."""
    gh = GitHubStandIn(tmp / "github").start()
    for login in ("wxauto", "maria", "tom", "alice", "bob", "eve"):
        gh.add_user(login)
    gh.create_repo("wxauto", "registry")
    gh.set_role(REGISTRY, "maria", "maintain")
    gh.set_role(REGISTRY, "tom", "triage")
    seed = registry_seed(tmp, gh)
    gh.push_directory(REGISTRY, seed, message="Seed registry")
    checkout = tmp / "checkout"
    subprocess.run(["git", "clone", "-q", gh.git_url(REGISTRY), str(checkout)], check=True, capture_output=True)
    policy = load_policy().with_extra_url_prefixes((gh.url + "/",))
    options = ReviewOptions(policy=policy, tools=ToolConfig(osv_url=osv.query_url), registry_dir=checkout / "registry",
                            checks=() if fast_review else None if scanners else fast_checks())
    config = GitHubConfig(token=gh.bot_token, repo=REGISTRY, api_url=gh.api_url, web_url=gh.url,
                          bot_login=gh.bot_login, throttle=False)
    settings = ApprovalSettings(github=config, checkout=checkout, review=options,
                                registry=RegistryConfig.load(checkout / "registry" / "config.json"))
    forge = GitHubForge(config)
    reviewer = GitHubReviewer(config, options, forge=forge)
    return World(gh, tmp, checkout, options, settings, reviewer, forge), gh
