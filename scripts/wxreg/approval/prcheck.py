"""The required status of registry PRs: validate a PR head and set ``wxreg/registry-pr`` on it.

PRs the bot opens with the workflow token start no workflow, so the approval job sets the status on
the head it wrote (from the review record, validated). Any push by a person starts ``check-pr.yml``,
which runs this on the new head: branch protection requires the status (CONTRIBUTING, the fork
checklist), so a hand-edited or invalid registry cannot be merged.

A head passes when the registry below it validates (schema, client key sets, ``registry.json``
byte-equal to its regeneration) and, for the bot's registry PRs, the entry file still hashes to what the
bot wrote and its release is the one the bot's review record on the issue pinned.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from wxreg.approval import texts
from wxreg.approval.changes import plugin_file
from wxreg.approval.claims import claim_of, entry_sha256
from wxreg.approval.forge import ApprovalSettings
from wxreg.approval.workspace import GIT_TIMEOUT_SECONDS, export_registry, read_file
from wxreg.errors import ModelError
from wxreg.forge.interface import Forge, Pull, Status
from wxreg.models import PluginEntry
from wxreg.review.github import bot_record
from wxreg.review.source import git_env
from wxreg.validate import validate_registry


def fetch_head(checkout: Path, number: int) -> str:
    """Fetch ``refs/pull/<number>/head`` (a fork's head too) anonymously; its sha."""
    ref = f"refs/remotes/pull/{number}"
    subprocess.run(["git", "-C", str(checkout), "fetch", "-q", "--no-tags", "origin",
                    f"+refs/pull/{number}/head:{ref}"],
                   capture_output=True, timeout=GIT_TIMEOUT_SECONDS, env=git_env(), check=True)
    done = subprocess.run(["git", "-C", str(checkout), "rev-parse", "--verify", f"{ref}^{{commit}}"],
                          capture_output=True, timeout=GIT_TIMEOUT_SECONDS, env=git_env(), check=True)
    return done.stdout.decode().strip()


def head_problems(settings: ApprovalSettings, forge: Forge, pull: Pull, head: str) -> list[str]:
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="wxreg-prcheck-") as temp:
        root = Path(temp)
        export_registry(settings.checkout, head, root)
        problems += [str(p).splitlines()[0] for p in validate_registry(root)]
    claim = claim_of(pull, forge)
    if claim is None:
        return problems
    data = read_file(settings.checkout, head, plugin_file(claim.plugin_id))
    if data is None:
        return problems  # a removal: the registry's own checks cover removed.json
    if claim.entry_sha256 != entry_sha256(data):
        problems.append(f"{plugin_file(claim.plugin_id)} 不是机器人写入的内容 / is not what the bot wrote")
        return problems
    if claim.issue is None:
        return problems
    _, record = bot_record(forge.comments(claim.issue), forge.bot_login)
    try:
        entry = PluginEntry.from_dict(json.loads(data))
    except (ModelError, ValueError) as exc:
        return [*problems, f"{plugin_file(claim.plugin_id)}: {exc}"]
    pinned = entry.release
    if record is None or record.get("passed") is not True or pinned is None or record.get("plugin_id") != \
            entry.plugin_id or (record.get("tag"), record.get("commit"), record.get("digest")) != \
            (pinned.tag, pinned.commit, pinned.digest):
        problems.append(f"条目与 #{claim.issue} 的审核记录不一致 / the entry differs from the review record of "
                        f"#{claim.issue}")
    return problems


def check_pull(settings: ApprovalSettings, forge: Forge, number: int) -> list[str]:
    """Validate PR ``number``'s head and set the required status on it; the problems (empty: success)."""
    pull = forge.pull(number)
    head = fetch_head(settings.checkout, number)
    if head != pull.head_sha:
        return [f"head moved to {pull.head_sha}: its own run checks it"]
    problems = head_problems(settings, forge, pull, head)
    state = "failure" if problems else "success"
    description = problems[0] if problems else "registry valid; entry = review record"
    forge.set_status(head, Status(texts.STATUS_CONTEXT, state, description[:140]))
    return problems
