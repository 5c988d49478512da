"""Identity: id rules, reserved words, look-alikes of listed and removed ids and names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from wxreg.review import rules
from wxreg.review.context import ReviewContext, load_registry_index
from wxreg.review.findings import Finding

PLUGIN_ID = re.compile(r"^[a-z][a-z0-9_]{2,63}$")
MIN_LENGTH_FOR_EDIT_DISTANCE = 5

# Characters people (and attackers) confuse, folded to one representative after NFKC + casefold.
CONFUSABLES = str.maketrans(
    {
        "0": "o", "1": "l", "i": "l", "|": "l", "3": "e", "5": "s", "$": "s", "@": "a", "4": "a", "7": "t",
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "ѕ": "s", "і": "l", "ј": "j",
        "ԁ": "d", "ɡ": "g", "ο": "o", "ν": "v", "α": "a", "ι": "l", "κ": "k", "ρ": "p", "τ": "t", "υ": "u",
        "ı": "l",
    }
)  # fmt: skip
SEPARATORS = re.compile(r"[\s\-_.·•]+")


def skeleton(text: str) -> str:
    """A comparison key: NFKC, case-folded, confusables folded, separators and invisibles removed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = "".join(ch for ch in folded if unicodedata.category(ch) not in ("Cf", "Mn", "Cc"))
    folded = folded.translate(CONFUSABLES).replace("rn", "m").replace("vv", "w")
    return SEPARATORS.sub("", folded)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or ``limit + 1`` as soon as it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def look_alike(candidate: str, other: str, max_distance: int) -> str | None:
    """Why ``candidate`` could be mistaken for ``other``, or ``None``."""
    if candidate == other:
        return None
    a, b = skeleton(candidate), skeleton(other)
    if not a or not b:
        return None
    if a == b:
        return "大小写、-/_ 或易混字符 / case, -/_ or confusable characters"
    if min(len(a), len(b)) >= MIN_LENGTH_FOR_EDIT_DISTANCE and edit_distance(a, b, max_distance) <= max_distance:
        return "编辑距离很小 / small edit distance"
    return None


def invisible(text: str) -> list[str]:
    return [f"U+{ord(ch):04X}" for ch in text if unicodedata.category(ch) in ("Cf", "Cc", "Co", "Cn", "Zl", "Zp")]


class IdentityCheck:
    name = "identity"

    def run(self, ctx: ReviewContext) -> Iterator[Finding]:
        manifest_id = (ctx.manifest or {}).get("plugin_id")
        plugin_id = ctx.submission.plugin_id or (manifest_id if isinstance(manifest_id, str) else "")
        name = ctx.submission.plugin_name or str((ctx.manifest or {}).get("name") or "")
        policy = ctx.policy
        if not PLUGIN_ID.match(plugin_id):
            yield rules.I001.at(plugin_id=plugin_id)
        tokens = set(plugin_id.split("_"))
        compact = plugin_id.replace("_", "")
        for word in policy.reserved_tokens:
            if word in tokens or compact.startswith(word):
                yield rules.I002.at(word=word)
        if plugin_id in policy.reserved_ids:
            yield rules.I002.at(word=plugin_id)
        for label, text in (("plugin_id", plugin_id), ("name", name)):
            bad = invisible(text)
            if bad:
                yield rules.I007.at(detail=f"{label}: {', '.join(bad)}")

        index = load_registry_index(ctx.registry_dir)
        for stone in index.removed:
            if stone.plugin_id == plugin_id:
                yield rules.I004.at(plugin_id=plugin_id, reason=stone.reason or stone.severity)
            elif how := look_alike(plugin_id, stone.plugin_id, policy.max_edit_distance):
                yield rules.I005.at(plugin_id=plugin_id, other=stone.plugin_id, how=how)
        for listed in index.listed:
            if listed.plugin_id == plugin_id:
                continue  # an update of this plugin: ownership decides
            if how := look_alike(plugin_id, listed.plugin_id, policy.max_edit_distance):
                yield rules.I003.at(plugin_id=plugin_id, other=listed.plugin_id, how=how)
            if name and listed.name and (how := look_alike(name, listed.name, policy.max_edit_distance)):
                yield rules.I006.at(name=name, other=listed.name, how=how)
