"""Version rules: the WXAUTO-MGT client's own, and PEP 440 where the client has none.

The client strips a leading ``v`` and compares dot-separated parts as integers; any non-integer part
(``1.2.0-beta.1``) makes it see "no update". Its install-time manifest check accepts 2 to 4 all-digit
parts only. The registry stores versions without the ``v`` so every listed version compares correctly.
"""

from __future__ import annotations

import re
from functools import lru_cache

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

CLIENT_VERSION_PATTERN = re.compile(r"^[0-9]+(\.[0-9]+){1,3}$")
"""A version as the registry lists it in ``versions`` and ``compatibility``."""

MANIFEST_VERSION_PATTERN = re.compile(r"^v?[0-9]+(\.[0-9]+){1,3}$")
"""A ``plugin.json`` version the client's install-time check accepts (leading ``v`` allowed)."""


@lru_cache(maxsize=16384)  # a registry holds few distinct versions; each is compared several times
def client_version_key(version: str) -> tuple[int, ...] | None:
    """The client's comparison key, or ``None`` where the client cannot compare (it sees no update)."""
    parts = version.removeprefix("v").split(".")
    if not all(part.isascii() and part.isdigit() for part in parts):
        return None
    return tuple(int(part) for part in parts)


def is_client_version(version: str) -> bool:
    """True for the registry form: 2 to 4 all-digit parts, no ``v``."""
    return CLIENT_VERSION_PATTERN.fullmatch(version) is not None


def is_manifest_version(version: str) -> bool:
    """True for what the client's install-time manifest check accepts."""
    return MANIFEST_VERSION_PATTERN.fullmatch(version) is not None


def client_compare(left: str, right: str) -> int | None:
    """-1, 0 or 1 as the client compares (shorter side padded with zeros); ``None`` if it cannot."""
    low, high = client_version_key(left), client_version_key(right)
    if low is None or high is None:
        return None
    width = max(len(low), len(high))
    low, high = low + (0,) * (width - len(low)), high + (0,) * (width - len(high))
    return (low > high) - (low < high)


@lru_cache(maxsize=16384)  # every entry compares its versions; the pairs recur across plugins
def client_version_le(lower: str, upper: str) -> bool:
    """``lower <= upper`` as the client compares them; False when either cannot be compared."""
    order = client_compare(lower, upper)
    return order is not None and order <= 0


def parse_pep440(version: str) -> Version | None:
    """A PEP 440 version, or ``None`` when it is not one."""
    try:
        return Version(version)
    except InvalidVersion:
        return None


def same_version(left: str, right: str) -> bool:
    """Whether two version strings name the same PEP 440 version (``v1.2`` == ``1.2.0``); strings that are not
    PEP 440 versions are the same only when they are equal (after trimming space and a leading ``v``)."""
    a, b = left.strip().lstrip("vV"), right.strip().lstrip("vV")
    first, second = parse_pep440(a), parse_pep440(b)
    if first is None or second is None:
        return a == b
    return first == second


def tag_version(tag: str) -> Version | None:
    """The PEP 440 version a release tag names (``v1.2.0-beta.1`` -> ``1.2.0b1``), or ``None``."""
    return parse_pep440(tag.removeprefix("v"))


@lru_cache(maxsize=4096)  # the same few Python constraints recur across plugins
def is_specifier(text: str) -> bool:
    """True for a PEP 440 version specifier such as ``>=3.8`` or ``>=3.9,<3.13``."""
    try:
        SpecifierSet(text)
    except InvalidSpecifier:
        return False
    return True


@lru_cache(maxsize=16384)  # the same dependency lines recur across plugins
def requirement_problem(line: str) -> str | None:
    """Why a dependency line is unacceptable, or ``None``: PEP 508, from an index, no URL."""
    try:
        requirement = Requirement(line)
    except InvalidRequirement as exc:
        return f"不是合法的 PEP 508 依赖 / not a PEP 508 requirement: {exc}"
    if requirement.url:
        return "依赖不能指向 URL / a requirement must not point to a URL"
    return None
