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
from types import TracebackType
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from wxsandbox.http import HttpServer, Request, Response

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

    def affects(self, version: str) -> bool:
        if version in self.extra_versions:
            return True
        try:
            candidate = Version(version)
        except InvalidVersion:
            return False
        start = Version("0") if self.introduced == "0" else Version(self.introduced)
        return candidate >= start and (self.fixed is None or candidate < Version(self.fixed))

    def record(self) -> dict[str, Any]:
        events: list[dict[str, str]] = [{"introduced": self.introduced}]
        if self.fixed is not None:
            events.append({"fixed": self.fixed})
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


DEFAULT_ADVISORIES: tuple[Advisory, ...] = (
    Advisory(
        id="PYSEC-2018-28", package="requests", introduced="0", fixed="2.20.0",
        aliases=("CVE-2018-18074", "GHSA-x84v-xcm2-53pg"),
        summary="Requests sends an HTTP Authorization header to an http URI upon receiving a same-hostname "
                "https-to-http redirect",
        published="2018-10-09T00:29:00Z",
    ),
    # Made up, for tests that need a second package: no real record has this id.
    Advisory(
        id="SANDBOX-2026-0001", package="wxsandbox-insecure-demo", introduced="1.0", fixed="1.2.1",
        summary="Sandbox advisory: the demo package evaluates its configuration file",
        published="2026-01-01T00:00:00Z",
    ),
)


class OsvStandIn:
    """OSV's query API on 127.0.0.1; ``query_url`` is what ``pip-audit --osv-url`` takes."""

    def __init__(self, advisories: Iterable[Advisory] = DEFAULT_ADVISORIES) -> None:
        self._lock = threading.Lock()
        self._advisories: list[Advisory] = list(advisories)
        self._server = HttpServer(self._app)
        self.queries: list[tuple[str, str]] = []
        """(canonical package name, version) of every query answered, for assertions."""

    def start(self) -> OsvStandIn:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> OsvStandIn:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return self._server.url

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
