"""Registry PRs as claims: which open PR holds which plugin id for which issue, and what the bot wrote.

The bot's PR body carries a hidden marker with the plugin id, the issue that created the PR and the
sha256 of the entry file the bot wrote (``entry_sha256``). Only PRs the bot opened, from a branch of the
registry repository itself, named ``registry/<id>``, count: a fork's PR whose branch is named like ours
is somebody else's and is ignored.

* One claim per id: an approval refuses a plugin id (or a look-alike) that another issue's open PR
  holds, naming that issue. A maintainer releases a claim by closing that PR (``wxreg release-claim``).
* The refresh rebuilds a branch only when its entry file still hashes to ``entry_sha256``: a hand edit
  is refused (comment and label), never re-committed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from wxreg.approval.publisher import BRANCH_PREFIX
from wxreg.forge.interface import Forge, Pull
from wxreg.review.checks.identity import look_alike

PR_MARKER = "<!-- wxreg-registry-pr:v1 -->"
_PR_DATA = re.compile(r"^<!-- wxreg-registry-pr (\{[^\n]*\}) -->$", re.MULTILINE)


def pr_marker(data: Mapping[str, Any]) -> str:
    text = json.dumps(dict(data), sort_keys=True, ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e")
    return f"{PR_MARKER}\n<!-- wxreg-registry-pr {text} -->"


def entry_sha256(data: bytes | None) -> str:
    return hashlib.sha256(data or b"").hexdigest()


@dataclass(frozen=True)
class Claim:
    plugin_id: str
    issue: int | None
    entry_sha256: str | None
    pull: Pull


def claim_of(pull: Pull, forge: Forge) -> Claim | None:
    """The claim an open PR holds, when it is one of ours (bot-opened, our repository, our branch name)."""
    if pull.user != forge.bot_login or pull.head_repo.casefold() != forge.repo.casefold():
        return None
    if not pull.head_ref.startswith(BRANCH_PREFIX) or PR_MARKER not in pull.body:
        return None
    found = _PR_DATA.findall(pull.body)
    if len(found) != 1:
        return None
    try:
        data = json.loads(found[0])
    except ValueError:
        return None
    plugin_id = data.get("plugin_id") if isinstance(data, dict) else None
    if not isinstance(plugin_id, str) or pull.head_ref != BRANCH_PREFIX + plugin_id:
        return None
    issue = data.get("issue")
    digest = data.get("entry_sha256")
    return Claim(plugin_id, issue if isinstance(issue, int) else None,
                 digest if isinstance(digest, str) else None, pull)


def claims(pulls: Iterable[Pull], forge: Forge) -> list[Claim]:
    return [claim for pull in pulls if (claim := claim_of(pull, forge)) is not None]


def conflicting(plugin_id: str, issue: int | None, held: Iterable[Claim],
                max_distance: int) -> tuple[Claim, str] | None:
    """Another issue's open claim on ``plugin_id`` or a look-alike of it, and how they collide."""
    for claim in held:
        if issue is not None and claim.issue == issue:
            continue
        if claim.plugin_id == plugin_id:
            if claim.issue is None and issue is None:
                continue  # a maintainer's own command updates its own PR
            return claim, "同一 id / the same id"
        how = look_alike(plugin_id, claim.plugin_id, max_distance)
        if how:
            return claim, how
    return None
