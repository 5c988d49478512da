"""Ownership of a plugin id, decided the same way in the review and again at approval.

Who may submit a plugin (a new one, or an update of a listed one), checked without the collaborator
API (the registry's token cannot read roles on other people's repositories):

* the repository's owner (the account in ``<forge>/<owner>/<repo>``);
* for a listed plugin, the owner on record (the entry's ``author.github``);
* a login listed in the plugin's own ``plugin.json`` ``maintainers`` at the reviewed commit: only
  someone with write access to the repository could put it there;
* a public member of the organisation that owns the repository.

An update must also come from the repository on record. The forge's answers arrive as
:class:`OwnershipFacts` (``wxreg.review.github``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from wxreg.review import rules
from wxreg.review.context import ReviewContext, load_registry_index
from wxreg.review.findings import Finding

MAX_MAINTAINERS = 50


def same_repo(a: str, b: str) -> bool:
    def norm(url: str) -> str:
        url = url.strip().rstrip("/")
        return (url[:-4] if url.endswith(".git") else url).casefold()

    return norm(a) == norm(b)


def repo_owner(url: str) -> str:
    """``owner`` of ``<forge>/<owner>/<repo>`` ("" when the URL has no such part)."""
    parts = url.strip().rstrip("/").split("/")
    return parts[-2] if len(parts) >= 2 else ""


def manifest_maintainers(manifest: Mapping[str, Any] | None) -> frozenset[str]:
    """The GitHub logins ``plugin.json`` names in ``maintainers`` (strings only, case-folded)."""
    value = (manifest or {}).get("maintainers")
    if not isinstance(value, list):
        return frozenset()
    return frozenset(item.strip().lstrip("@").casefold() for item in value[:MAX_MAINTAINERS]
                     if isinstance(item, str) and item.strip())


def may_submit(submitter: str, owner: str, owner_on_record: str | None, maintainers: frozenset[str],
               public_member: bool, permission: str | None = None) -> bool:
    """Whether ``submitter`` may submit for a repository owned by ``owner`` (see the module text)."""
    from wxreg.forge.interface import WRITE_ROLES  # the forge's roles: loaded only when ownership is asked

    who = submitter.casefold()
    if not who:
        return False
    people = {owner.casefold(), *maintainers}
    if owner_on_record:
        people.add(owner_on_record.casefold())
    return who in people or public_member or (permission or "").lower() in WRITE_ROLES


def owner_on_record(registry_dir: Any, plugin_id: str) -> str | None:
    """``author.github`` of the listed entry, read straight from its file (``None`` when not listed)."""
    try:
        data = json.loads((registry_dir / "plugins" / f"{plugin_id}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    author = data.get("author") if isinstance(data, dict) else None
    login = author.get("github") if isinstance(author, dict) else None
    return login if isinstance(login, str) else None


def acting_submitter(author: str, bot_login: str, repo_url: str, listed_repo: str | None,
                     recorded_owner: str | None) -> str:
    """Whose ownership a submission issue is checked for: its author, except for the release watcher's issues.

    The watcher files an update as the registry's bot, and only ever for a listed plugin, with the listed
    entry's own repository in the body. So an issue **authored by the bot** naming **exactly the listed
    repository** stands for the owner on record (who is the only one whose ownership then counts). Nobody
    else can author as the bot, and nobody else may edit the bot's issue body; an issue by anyone else keeps
    its author, whatever its labels or body claim. A bot-authored issue naming another repository keeps the
    bot (which owns nothing) and fails.
    """
    if (bot_login and author.casefold() == bot_login.casefold() and listed_repo and recorded_owner
            and same_repo(listed_repo, repo_url)):
        return recorded_owner
    return author


def issue_submitter(author: str, bot_login: str, submission: Any, registry_dir: Any) -> str:
    """:func:`acting_submitter` with the listed repository and owner on record read from ``registry_dir``."""
    if not bot_login or author.casefold() != bot_login.casefold():
        return author
    listed = load_registry_index(registry_dir).listed_by_id(submission.plugin_id)
    return acting_submitter(author, bot_login, submission.github_repo, listed.repo_url if listed else None,
                            owner_on_record(registry_dir, submission.plugin_id) if listed else None)


class OwnershipCheck:
    name = "ownership"

    def run(self, ctx: ReviewContext) -> Iterator[Finding]:
        sub = ctx.submission
        if not ctx.is_url and sub.source != "issue":
            return  # a local review: there is no forge identity to compare
        index = ctx.registry_index()
        listed = index.listed_by_id(sub.plugin_id)
        if listed is not None and not same_repo(listed.repo_url, sub.github_repo):
            yield rules.O002.at(expected=listed.repo_url, actual=sub.github_repo)
            return
        facts = ctx.ownership
        if facts is None:
            if ctx.ownership_required:
                yield rules.O003.at(detail="没有提交者信息 / no submitter information")
            return
        recorded = owner_on_record(ctx.registry_dir, sub.plugin_id) if listed is not None else None
        if may_submit(facts.submitter, facts.repo_owner, recorded, manifest_maintainers(ctx.manifest),
                      facts.public_member, facts.permission):
            return
        if facts.error:
            yield rules.O003.at(detail=facts.error)
        elif listed is not None:
            yield rules.O004.at(user=facts.submitter, plugin_id=sub.plugin_id, owner=recorded or "?",
                                org=facts.repo_owner)
        else:
            yield rules.O001.at(user=facts.submitter, repo=sub.github_repo)
