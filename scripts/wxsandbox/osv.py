"""A local OSV (osv.dev) for ``pip-audit -s osv --osv-url http://127.0.0.1:P/v1/query``.

pip-audit POSTs ``{"package": {"name", "ecosystem": "PyPI"}, "version"}`` to the query URL and reads
``vulns[]`` (``id``, ``aliases``, ``summary``/``details``, ``affected[].package`` and ``ranges`` of type
``ECOSYSTEM`` whose ``fixed`` events are the fix versions); an empty object means "none known", as
osv.dev answers. ``/v1/querybatch`` and ``/v1/vulns/{id}`` are served too, as osv.dev does.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from wxsandbox.http import HttpServer, Request, Response, ServedStandIn

MAX_BATCH_QUERIES = 1000  # osv.dev's documented limit for one querybatch


@dataclass(frozen=True)
class Advisory:
    """One OSV record for one PyPI package: affected from ``introduced`` up to (not including) ``fixed``."""

    id: str
    package: str
    introduced: str
    fixed: str | None
    summary: str
    aliases: tuple[str, ...] = ()
    details: str = ""
    published: str = "2018-10-29T00:00:00Z"
    modified: str = "2024-11-21T00:00:00Z"
    extra_versions: tuple[str, ...] = field(default=())
    """Explicitly listed affected versions, as OSV records carry besides their ranges."""
    more_ranges: tuple[tuple[str, str | None], ...] = ()
    """Further ``(introduced, fixed)`` ranges (e.g. a fix backported to an older branch)."""

    @property
    def ranges(self) -> tuple[tuple[str, str | None], ...]:
        return ((self.introduced, self.fixed), *self.more_ranges)

    def affects(self, version: str) -> bool:
        if version in self.extra_versions:
            return True
        try:
            candidate = Version(version)
        except InvalidVersion:
            return False
        for introduced, fixed in self.ranges:
            start = Version("0") if introduced == "0" else Version(introduced)
            if candidate >= start and (fixed is None or candidate < Version(fixed)):
                return True
        return False

    def record(self) -> dict[str, Any]:
        events: list[dict[str, str]] = []
        for introduced, fixed in self.ranges:
            events.append({"introduced": introduced})
            if fixed is not None:
                events.append({"fixed": fixed})
        return {
            "schema_version": "1.6.0",
            "id": self.id,
            "modified": self.modified,
            "published": self.published,
            "aliases": list(self.aliases),
            "summary": self.summary,
            "details": self.details or self.summary,
            "affected": [{
                "package": {"name": canonicalize_name(self.package), "ecosystem": "PyPI",
                            "purl": f"pkg:pypi/{canonicalize_name(self.package)}"},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
                "versions": list(self.extra_versions),
            }],
            "references": [{"type": "ADVISORY", "url": f"https://osv.dev/vulnerability/{self.id}"}],
        }


# Real records, with their real ids, aliases and affected ranges (osv.dev, PyPI ecosystem). A handful,
# not the database: a release these do not cover audits as clean here.
DEFAULT_ADVISORIES: tuple[Advisory, ...] = (
    Advisory(
        id="PYSEC-2018-28", package="requests", introduced="0", fixed="2.20.0",
        aliases=("CVE-2018-18074", "GHSA-x84v-xcm2-53pg"),
        summary="Requests sends an HTTP Authorization header to an http URI upon receiving a same-hostname "
                "https-to-http redirect",
        published="2018-10-09T00:29:00Z",
    ),
    Advisory(
        id="GHSA-j8r2-6x86-q33q", package="requests", introduced="2.3.0", fixed="2.31.0",
        aliases=("CVE-2023-32681", "PYSEC-2023-74"),
        summary="Unintended leak of Proxy-Authorization header in requests",
        published="2023-05-22T20:36:32Z",
    ),
    Advisory(
        id="GHSA-9wx4-h78v-vm56", package="requests", introduced="0", fixed="2.32.0",
        aliases=("CVE-2024-35195",),
        summary="Requests `Session` object does not verify requests after making first request with verify=False",
        published="2024-05-20T20:15:00Z",
    ),
    Advisory(
        id="PYSEC-2021-142", package="PyYAML", introduced="0", fixed="5.4",
        aliases=("CVE-2020-14343", "GHSA-8q59-q68h-6hv4"),
        summary="PyYAML before 5.4 is susceptible to arbitrary code execution when it processes untrusted YAML "
                "files through the full_load method or with the FullLoader loader",
        published="2021-02-09T21:15:00Z",
    ),
    Advisory(
        id="GHSA-v845-jxx5-vc9f", package="urllib3", introduced="0", fixed="1.26.17",
        more_ranges=(("2.0.0", "2.0.6"),),
        aliases=("CVE-2023-43804",),
        summary="`Cookie` HTTP header isn't stripped on cross-origin redirects",
        published="2023-10-02T23:26:29Z",
    ),
    Advisory(
        id="GHSA-5h86-8mv2-jq9f", package="aiohttp", introduced="1.0.5", fixed="3.9.2",
        aliases=("CVE-2024-23334",),
        summary="aiohttp is vulnerable to directory traversal",
        published="2024-01-29T23:28:55Z",
    ),
    Advisory(
        id="GHSA-3f63-hfp8-52jq", package="Pillow", introduced="0", fixed="10.2.0",
        aliases=("CVE-2023-50447",),
        summary="Arbitrary Code Execution in Pillow",
        published="2024-01-19T21:30:35Z",
    ),
)  # fmt: skip


class OsvStandIn(ServedStandIn):
    """OSV's query API on 127.0.0.1; ``query_url`` is what ``pip-audit --osv-url`` takes."""

    def __init__(self, advisories: Iterable[Advisory] = DEFAULT_ADVISORIES) -> None:
        self._lock = threading.Lock()
        self._advisories: list[Advisory] = list(advisories)
        self._server = HttpServer(self._app)
        self.queries: list[tuple[str, str]] = []
        """(canonical package name, version) of every query answered, for assertions."""


    @property
    def query_url(self) -> str:
        return f"{self.url}/v1/query"

    def add(self, advisory: Advisory) -> None:
        """Publish one more advisory (e.g. to show re-audits catch a new vulnerability)."""
        with self._lock:
            self._advisories.append(advisory)

    def reset(self, advisories: Iterable[Advisory] = DEFAULT_ADVISORIES) -> None:
        with self._lock:
            self._advisories = list(advisories)
            self.queries.clear()

    def matching(self, package: str, version: str) -> list[Advisory]:
        name = canonicalize_name(package)
        with self._lock:
            return [a for a in self._advisories if canonicalize_name(a.package) == name and a.affects(version)]

    # -- HTTP ----------------------------------------------------------------------------------------

    def _app(self, request: Request) -> Response:
        if request.path == "/v1/query" and request.method == "POST":
            return self._query(request)
        if request.path == "/v1/querybatch" and request.method == "POST":
            return self._query_batch(request)
        if (found := re.fullmatch(r"/v1/vulns/(?P<id>[A-Za-z0-9._-]+)", request.path)) and request.method == "GET":
            with self._lock:
                advisory = next((a for a in self._advisories if a.id == found["id"]), None)
            if advisory is None:
                return Response.json({"code": 5, "message": "Bug not found."}, status=404)
            return Response.json(advisory.record())
        return Response.json({"code": 5, "message": "Not Found"}, status=404)

    def _parse_query(self, query: Any) -> tuple[str, str] | Response:
        if not isinstance(query, Mapping):
            return Response.json({"code": 3, "message": "Invalid query."}, status=400)
        package = query.get("package")
        version = query.get("version")
        if not isinstance(package, Mapping) or not isinstance(package.get("name"), str):
            return Response.json({"code": 3, "message": "Invalid query."}, status=400)
        if package.get("ecosystem") not in (None, "PyPI"):
            return "", ""  # other ecosystems: nothing known here
        if not isinstance(version, str):
            return Response.json({"code": 3, "message": "This stand-in needs a version."}, status=400)
        return str(package["name"]), version

    def _query(self, request: Request) -> Response:
        try:
            parsed = self._parse_query(request.json())
        except ValueError:
            return Response.json({"code": 3, "message": "Invalid JSON."}, status=400)
        if isinstance(parsed, Response):
            return parsed
        name, version = parsed
        with self._lock:
            self.queries.append((canonicalize_name(name), version))
        found = self.matching(name, version) if name else []
        # osv.dev answers ``{}`` when nothing is known.
        return Response.json({"vulns": [a.record() for a in found]} if found else {})

    def _query_batch(self, request: Request) -> Response:
        try:
            body = request.json()
        except ValueError:
            return Response.json({"code": 3, "message": "Invalid JSON."}, status=400)
        queries = body.get("queries") if isinstance(body, Mapping) else None
        if not isinstance(queries, list) or len(queries) > MAX_BATCH_QUERIES:
            return Response.json({"code": 3, "message": "Invalid queries."}, status=400)
        results: list[dict[str, Any]] = []
        for query in queries:
            parsed = self._parse_query(query)
            if isinstance(parsed, Response):
                return parsed
            name, version = parsed
            with self._lock:
                self.queries.append((canonicalize_name(name), version))
            found = self.matching(name, version) if name else []
            # The batch answer names only ids and modification times, as osv.dev's does.
            results.append({"vulns": [{"id": a.id, "modified": a.modified} for a in found]} if found else {})
        return Response.json({"results": results})
