"""Does a pinned release exist on the package index? PyPI's JSON API, ``/pypi/<name>/<version>/json``.

OSV answers ``{}`` for a package it has never heard of, so a typo-squatted or invented pin audits as
clean; the index is asked separately. One GET per pin, all concurrently, through ``requests``.
Fail closed: an answer we cannot read, a 5xx, a timeout or a refused connection is "could not check"
(our side), never "exists".

A 404 for the release is confirmed with the project's own page (``/pypi/<name>/json``) before the plugin is
told its pin does not exist: some mirrors and proxies answer every per-release URL with an empty 404 while
the project page lists the release. The project page decides: no project, or a project without that release,
is "missing"; a listed release whose files are all yanked is "yanked"; anything unreadable is "could not
check".
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote

import requests

from wxreg.versions import same_version

MAX_WORKERS = 8
USER_AGENT = "wxreg-review"


class Status(enum.Enum):
    EXISTS = "exists"
    YANKED = "yanked"
    MISSING = "missing"
    """The index answered 404: no such project, or no such release of it."""
    UNCHECKED = "unchecked"
    """We could not get an answer we trust (network, 5xx, unreadable JSON)."""


@dataclass(frozen=True)
class IndexAnswer:
    name: str
    version: str
    status: Status
    detail: str = ""
    """The yank reason, or why the index could not be checked."""


def release_url(index_url: str, name: str, version: str) -> str:
    return f"{index_url.rstrip('/')}/pypi/{quote(name, safe='')}/{quote(version, safe='')}/json"


def ask(index_url: str, name: str, version: str, timeout: float) -> IndexAnswer:
    """What the index says about ``name==version`` (``name`` PEP 503 normalised)."""
    url = release_url(index_url, name, version)
    try:
        response = requests.get(url, timeout=timeout, headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
    except requests.RequestException as exc:
        return IndexAnswer(name, version, Status.UNCHECKED, f"{type(exc).__name__}")
    if response.status_code == 404:
        return _from_project_page(index_url, name, version, timeout)
    if response.status_code != 200:
        return IndexAnswer(name, version, Status.UNCHECKED, f"HTTP {response.status_code}")
    try:
        info = response.json()["info"]
        yanked = info["yanked"]
        reason = info.get("yanked_reason")
    except (ValueError, KeyError, TypeError):
        return IndexAnswer(name, version, Status.UNCHECKED, "无法读取的应答 / unreadable answer")
    if not isinstance(yanked, bool):
        return IndexAnswer(name, version, Status.UNCHECKED, "无法读取的应答 / unreadable answer")
    if yanked:
        return IndexAnswer(name, version, Status.YANKED, str(reason or "")[:200])
    return IndexAnswer(name, version, Status.EXISTS)


def project_url(index_url: str, name: str) -> str:
    return f"{index_url.rstrip('/')}/pypi/{quote(name, safe='')}/json"


def _from_project_page(index_url: str, name: str, version: str, timeout: float) -> IndexAnswer:
    """The release answered 404: what the project's page says about it."""
    unreadable = IndexAnswer(name, version, Status.UNCHECKED, "无法读取的应答 / unreadable answer")
    try:
        response = requests.get(project_url(index_url, name), timeout=timeout,
                                headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
    except requests.RequestException as exc:
        return IndexAnswer(name, version, Status.UNCHECKED, f"{type(exc).__name__}")
    if response.status_code == 404:
        return IndexAnswer(name, version, Status.MISSING)
    if response.status_code != 200:
        return IndexAnswer(name, version, Status.UNCHECKED, f"HTTP {response.status_code}")
    try:
        releases = response.json()["releases"]
    except (ValueError, KeyError, TypeError):
        return unreadable
    if not isinstance(releases, dict):
        return unreadable
    files = next((value for key, value in releases.items() if same_version(str(key), version)), None)
    if files is None:
        return IndexAnswer(name, version, Status.MISSING)
    if not isinstance(files, list) or not all(isinstance(item, dict) for item in files):
        return unreadable
    if not files:  # a release without files cannot be installed
        return IndexAnswer(name, version, Status.MISSING)
    if all(item.get("yanked") is True for item in files):
        return IndexAnswer(name, version, Status.YANKED, str(files[0].get("yanked_reason") or "")[:200])
    return IndexAnswer(name, version, Status.EXISTS)


def ask_all(index_url: str, pins: Iterable[tuple[str, str]], timeout: float) -> list[IndexAnswer]:
    """:func:`ask` for every ``(name, version)``, concurrently; answers in the order given."""
    wanted = list(pins)
    if not wanted:
        return []
    with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(wanted)), thread_name_prefix="wxreg-index") as pool:
        return list(pool.map(lambda pin: ask(index_url, pin[0], pin[1], timeout), wanted))
