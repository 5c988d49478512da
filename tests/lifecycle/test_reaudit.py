"""Re-audit: a new advisory for a listed plugin's dependency opens one advisory issue and one revocation PR;
a second run writes nothing; an audit that cannot run is never an advisory."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from tests.lifecycle.conftest import list_plugin
from wxreg.lifecycle.reaudit import ADVISORY_LABEL, parse_advisory_record, report, revoke_through, scan
from wxreg.store import RegistryStore
from wxsandbox.osv import Advisory, OsvStandIn

NOW = "2026-05-01T00:00:00Z"


def _writes(world: Any, since: int) -> list[Any]:
    return [e for e in world.gh.request_log[since:] if e[0] in ("POST", "PATCH", "PUT", "DELETE")
            and e[1].startswith("/api/") and e[3] == world.gh.bot_login]


def _run(world: Any) -> list[Any]:
    audits = scan(RegistryStore(world.checkout).load_entries(), replace(world.options, checks=None))  # all checks
    return report(audits, world.forge, revoke_through(world.forge, "main"), NOW)


def test_new_advisory_opens_one_issue_and_one_revocation_pr_then_nothing(life: Any, osv: OsvStandIn) -> None:
    list_plugin(life)
    life.sync_checkout()
    assert _run(life) == []  # clean today
    osv.add(Advisory("GHSA-test-0001", "requests", "2.0.0", "2.32.4", "requests leaks credentials"))
    first = _run(life)
    assert [(r.plugin_id, r.action) for r in first] == [("daily_quote_reply", "opened")]
    issue = life.repo().get_issue(first[0].issue)
    assert ADVISORY_LABEL in {label.name for label in issue.labels}
    record = parse_advisory_record(issue.body)
    assert record is not None and record["problems"] and "WXR-D004" in record["problems"][0]
    pulls = [p for p in life.pulls() if p.head.ref == "revoke/daily_quote_reply"]
    assert len(pulls) == 1 and pulls[0].html_url == first[0].revocation
    revoked = json.loads(life.repo().get_contents("registry/revoked.json", ref=pulls[0].head.sha).decoded_content)
    assert revoked["revocations"][0]["versions"] == ["1.0.0"]
    assert revoked["revocations"][0]["severity"] == "block"
    assert "GHSA-test-0001" in revoked["revocations"][0]["advisory"]
    # Never revoked by itself: main still lists the version and has no revocation.
    main = json.loads(life.repo().get_contents("registry/revoked.json", ref="main").decoded_content)
    assert main["revocations"] == []

    since = len(life.gh.request_log)
    second = _run(life)
    assert [(r.action, r.issue) for r in second] == [("unchanged", first[0].issue)]
    assert _writes(life, since) == []
    assert len([p for p in life.pulls() if p.head.ref.startswith("revoke/")]) == 1


def test_an_audit_that_cannot_run_is_not_an_advisory(life: Any) -> None:
    list_plugin(life)
    life.sync_checkout()
    down = replace(life.options, checks=None, tools=replace(life.options.tools, osv_url="http://127.0.0.1:9/v1/query",
                                                             network_timeout_seconds=2))
    audits = scan(RegistryStore(life.checkout).load_entries(), down)
    assert audits[0].problems == () and audits[0].unknown
    assert report(audits, life.forge, revoke_through(life.forge, "main"), NOW) == []
