"""Keep every open registry PR mergeable: when main moves, rebuild each branch from main + its own change.

A registry PR touches only its plugin's file (or its tombstone) and the generated ``registry.json``.
Two such PRs would conflict on ``registry.json`` alone, so after every push to main each open branch
is re-made as one commit on the new main: the plugin's file from the branch, everything else from
main, the index regenerated and validated. Merging them in any order then never needs a person.

Only the bot's own PRs from the registry repository are considered (a fork's PR named like ours is
ignored), and a branch is rebuilt only when its entry file still hashes to what the bot recorded in the
PR (``entry_sha256``): a hand edit is refused with a comment and a label, never re-committed. Each PR
is reported on its own; one bad PR never fails the others or the job.

Branches are read with an anonymous ``git fetch`` (no API calls); per PR that is behind main the
publisher spends five calls (parent, tree, commit, ref read, ref move) and one sets the required
status on the new head, plus one call to list PRs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from wxreg.approval import texts
from wxreg.approval.changes import apply_removal, apply_upsert, plugin_file
from wxreg.approval.claims import Claim, claims, entry_sha256
from wxreg.approval.forge import ApprovalSettings
from wxreg.approval.publisher import BRANCH_PREFIX, RegistryChange, RegistryPublisher
from wxreg.approval.release import removal_digest
from wxreg.approval.workspace import fetch_branches, main_snapshot, newest_main, parent_of, read_file
from wxreg.forge import labels
from wxreg.forge.interface import Forge, Status
from wxreg.models import PluginEntry, Tombstone
from wxreg.validate import REMOVED_FILE


@dataclass(frozen=True)
class Refreshed:
    number: int
    branch: str
    action: str
    """``rebuilt``, ``current`` (already on main), ``superseded`` (the branch moved while it was rebuilt:
    a re-approval wrote it, and the next push's refresh sees that build), ``tampered`` (the branch no
    longer holds what the bot wrote: refused) or ``failed``."""
    detail: str = ""


class Tampered(Exception):
    pass


def _tombstone(data: bytes | None, plugin_id: str) -> Tombstone | None:
    if data is None:
        return None
    for item in json.loads(data):
        if isinstance(item, dict) and item.get("plugin_id") == plugin_id:
            return Tombstone.from_dict(item)
    return None


def what_the_bot_wrote(claim: Claim, entry_data: bytes | None, removed_data: bytes | None
                       ) -> PluginEntry | Tombstone:
    """The entry (or tombstone) on a registry branch, when it is exactly what the bot recorded in the PR
    (``entry_sha256``); :class:`Tampered` otherwise. ``entry_data``: the branch's plugin file (``None``
    when absent); ``removed_data``: its ``removed.json`` (read only for a removal)."""
    plugin_id = claim.plugin_id
    if entry_data is not None:
        if claim.entry_sha256 != entry_sha256(entry_data):
            raise Tampered(f"{plugin_file(plugin_id)} sha256 {entry_sha256(entry_data)[:12]}… ≠ "
                           f"{(claim.entry_sha256 or '—')[:12]}…")
        return PluginEntry.from_dict(json.loads(entry_data))
    stone = _tombstone(removed_data, plugin_id)
    if stone is None or claim.entry_sha256 != removal_digest(stone):
        raise Tampered(f"{REMOVED_FILE}: {plugin_id}")
    return stone


def _rebuild(settings: ApprovalSettings, publisher: RegistryPublisher, claim: Claim, main_sha: str,
             head: str) -> str:
    pull, plugin_id = claim.pull, claim.plugin_id
    with main_snapshot(settings.checkout, settings.base_branch, sha=main_sha) as snapshot:
        data = read_file(settings.checkout, head, plugin_file(plugin_id))
        written = what_the_bot_wrote(claim, data, None if data is not None else
                                     read_file(settings.checkout, head, REMOVED_FILE))
        if isinstance(written, PluginEntry):
            files = apply_upsert(snapshot.root, written)
            date = written.updated_at
        else:
            files = apply_removal(snapshot.root, written)
            date = written.date
        change = RegistryChange(plugin_id, main_sha, files, pull.title, pull.body,
                                f"{pull.title}\n\nRebuilt on {main_sha}", date)
        sha = publisher.refresh(pull, change, expected_head=head)
    if sha is None:
        return "superseded"
    # The new head holds exactly the entry the bot wrote (digest checked above) on the newest main, with
    # the index regenerated: it gets the required status, or branch protection would block its merge.
    publisher.forge.set_status(sha, Status(texts.STATUS_CONTEXT, "success",
                                           f"rebuilt on {main_sha[:12]}; entry = bot's record; registry valid"))
    return "rebuilt"


def refresh_open_pulls(settings: ApprovalSettings, forge: Forge) -> list[Refreshed]:
    publisher = RegistryPublisher(forge, base_branch=settings.base_branch)
    held = sorted(claims(forge.open_pulls(settings.base_branch), forge), key=lambda c: c.pull.number)
    if not held:
        return []
    main_sha = newest_main(settings.checkout, settings.base_branch, fetch=settings.fetch)
    heads = fetch_branches(settings.checkout, BRANCH_PREFIX)
    done: list[Refreshed] = []
    for claim in held:
        pull = claim.pull
        branch = pull.head_ref
        head = heads.get(branch, pull.head_sha)
        try:
            if parent_of(settings.checkout, head) == main_sha:
                done.append(Refreshed(pull.number, branch, "current"))
                continue
            done.append(Refreshed(pull.number, branch, _rebuild(settings, publisher, claim, main_sha, head)))
        except Tampered as exc:
            done.append(Refreshed(pull.number, branch, "tampered", str(exc)))
            try:
                if labels.TAMPERED not in forge.issue(pull.number).labels:
                    forge.add_label(pull.number, labels.TAMPERED)
                    forge.create_comment(pull.number, texts.tampered(branch, str(exc)))
            except Exception as note:  # the report below still says what happened
                done.append(Refreshed(pull.number, branch, "failed", f"{type(note).__name__}: {note}"[:500]))
        except Exception as exc:  # one bad PR never stops the others: reported per PR
            done.append(Refreshed(pull.number, branch, "failed", f"{type(exc).__name__}: {exc}"[:500]))
    return done
