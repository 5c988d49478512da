"""Keep every open registry PR mergeable: when main moves, rebuild each branch from main + its own change.

A registry PR touches only its plugin's file (or its tombstone) and the generated ``registry.json``.
Two such PRs would conflict on ``registry.json`` alone, so after every push to main each open branch
is re-made as one commit on the new main: the plugin's file from the branch, everything else from
main, the index regenerated and validated. Merging them in any order then never needs a person.

Branches are read with an anonymous ``git fetch`` (no API calls); per PR that is behind main the
publisher spends five calls (parent, tree, commit, ref read, ref move), plus one call to list PRs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from github import Github

from wxreg.approval.changes import apply_removal, apply_upsert, plugin_file
from wxreg.approval.forge import ApprovalSettings, make_client
from wxreg.approval.publisher import BRANCH_PREFIX, RegistryChange, RegistryPublisher
from wxreg.approval.workspace import fetch_branches, main_snapshot, newest_main, parent_of, read_file
from wxreg.errors import ModelError, RegistryError
from wxreg.models import PluginEntry, Tombstone
from wxreg.validate import REMOVED_FILE


@dataclass(frozen=True)
class Refreshed:
    number: int
    branch: str
    action: str
    """``rebuilt``, ``current`` (already on main), ``superseded`` (the branch moved while it was rebuilt:
    a re-approval wrote it, and the next push's refresh sees that build) or ``failed``."""
    detail: str = ""


def _tombstone(data: bytes | None, plugin_id: str) -> Tombstone | None:
    if data is None:
        return None
    for item in json.loads(data):
        if isinstance(item, dict) and item.get("plugin_id") == plugin_id:
            return Tombstone.from_dict(item)
    return None


def refresh_open_pulls(settings: ApprovalSettings, client: Github | None = None) -> list[Refreshed]:
    client = client or make_client(settings.github)
    repo = client.withLazy(True).get_repo(settings.github.repo)
    publisher = RegistryPublisher(repo, owner=settings.owner, base_branch=settings.base_branch)
    pulls = [pull for pull in repo.get_pulls(state="open", base=settings.base_branch)
             if pull.head.ref.startswith(BRANCH_PREFIX)]
    if not pulls:
        return []
    main_sha = newest_main(settings.checkout, settings.base_branch, fetch=settings.fetch)
    heads = fetch_branches(settings.checkout, BRANCH_PREFIX)
    done: list[Refreshed] = []
    for pull in sorted(pulls, key=lambda p: p.number):
        branch = pull.head.ref
        head = heads.get(branch, pull.head.sha)
        if parent_of(settings.checkout, head) == main_sha:
            done.append(Refreshed(pull.number, branch, "current"))
            continue
        plugin_id = branch.removeprefix(BRANCH_PREFIX)
        try:
            with main_snapshot(settings.checkout, settings.base_branch, sha=main_sha) as snapshot:
                data = read_file(settings.checkout, head, plugin_file(plugin_id))
                if data is not None:
                    entry = PluginEntry.from_dict(json.loads(data))
                    files = apply_upsert(snapshot.root, entry)
                    date = entry.updated_at
                else:
                    stone = _tombstone(read_file(settings.checkout, head, REMOVED_FILE), plugin_id)
                    if stone is None:
                        raise RegistryError([])
                    files = apply_removal(snapshot.root, stone)
                    date = stone.date
                change = RegistryChange(plugin_id, main_sha, files, pull.title, pull.body or "",
                                        f"{pull.title}\n\nRebuilt on {main_sha}", date)
                moved = publisher.refresh(pull, change, expected_head=head) is None
        except (RegistryError, ModelError, ValueError) as exc:
            done.append(Refreshed(pull.number, branch, "failed", str(exc)[:500]))
            continue
        done.append(Refreshed(pull.number, branch, "superseded" if moved else "rebuilt"))
    return done
