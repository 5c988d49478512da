"""A local GitHub for tests and the demo: REST (PyGithub-compatible), git smart HTTP, raw files, events, faults.

    from wxsandbox.github import GitHubStandIn

    with GitHubStandIn(tmp_path / "github", event_sink=sink) as gh:
        token = gh.add_user("alice", name="Alice", email="alice@example.com")
        gh.create_repo("alice", "weather-plugin")                 # bare repo at root/alice/weather-plugin.git
        sha = gh.push_directory("alice/weather-plugin", src, tag="v1.0.0")   # fires push events
        gh.set_role("alice/weather-plugin", "bob", "triage")
        client = github.Github(auth=github.Auth.Token(token), base_url=gh.api_url,
                               retry=None, seconds_between_requests=None, seconds_between_writes=None)

Addresses: ``gh.url`` (web: html_url base, ``git clone gh.url/owner/repo.git``, archives), ``gh.api_url``
(``gh.url + "/api/v3"``, GitHub Enterprise layout, for ``GITHUB_API_URL`` and PyGithub's ``base_url``) and
``gh.raw_url`` (a second port laid out like raw.githubusercontent.com). The workflow token ``gh.bot_token``
belongs to ``github-actions[bot]``: what it does delivers no events (dispatches excepted), as on GitHub.

Layout: ``state`` (users, issues, pulls ... under one lock), ``gitrepo`` (git plumbing), ``payloads``
(REST bodies), ``webhooks`` (event payloads), ``routes/*`` (one module per route group), ``pullops``
(merges, PR refs, closing keywords), ``githost`` (git smart HTTP with GitHub's auth answers, archives, raw),
``faults``, ``hub`` (the core the front ends share), ``server`` (``GitHubStandIn``), ``testing`` (helpers).
"""

from __future__ import annotations

from wxsandbox.github.clock import StepClock, system_clock
from wxsandbox.github.faults import Faults
from wxsandbox.github.server import GitHubStandIn
from wxsandbox.github.state import ROLES

__all__ = ["ROLES", "Faults", "GitHubStandIn", "StepClock", "system_clock"]
