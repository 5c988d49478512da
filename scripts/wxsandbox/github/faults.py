"""Fault injection: for the next N requests matching ``METHOD`` and a path regex, misbehave.

    gh.faults.fail("GET", r"/repos/alice/plugin$", status=502, times=2)
    gh.faults.secondary_rate_limit("POST", r"/issues$", retry_after=1)
    gh.faults.latency("GET", r"/issues", seconds=0.5, times=3)
    gh.faults.drop("GET", r"/user$")
    gh.faults.lose_response("POST", r"/comments$", status=502)   # the write lands, its answer is lost


Patterns are searched (``re.search``) in the full request path, e.g. ``/api/v3/repos/o/r/issues``
for the API, ``/o/r.git/info/refs`` for git, ``/o/r/main/f`` on the raw server (``server="raw"``),
``/o/r/registry.json`` on the Pages server (``server="pages"``).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from wxsandbox.http import Request, Response

Server = Literal["main", "raw", "pages"]

SECONDARY_RATE_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out "
    "to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000."
)
SECONDARY_DOCS = (
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
)


@dataclass
class Fault:
    method: str
    """An HTTP method, or ``*`` for any."""
    pattern: re.Pattern[str]
    remaining: int
    server: Server = "main"
    status: int | None = None
    retry_after: int | None = None
    secondary_rate_limit: bool = False
    latency: float = 0.0
    drop: bool = False
    after_write: bool = False
    """Apply the request first, then answer with the fault (the write landed, its answer was lost)."""
    hits: int = 0

    def matches(self, request: Request, server: Server) -> bool:
        return (
            self.remaining > 0
            and server == self.server
            and self.method in ("*", request.method)
            and self.pattern.search(request.path) is not None
        )

    def response(self) -> Response | None:
        """The faulty answer, or ``None`` when the fault only delays the real one."""
        if self.drop:
            return Response.dropped()
        if self.secondary_rate_limit:
            return Response.json(
                {"message": SECONDARY_RATE_LIMIT_MESSAGE, "documentation_url": SECONDARY_DOCS},
                status=403, headers=[("Retry-After", str(self.retry_after or 60))],
            )
        if self.status is not None:
            headers = [("Retry-After", str(self.retry_after))] if self.retry_after is not None else []
            message = {500: "Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
                       504: "Gateway Timeout"}.get(self.status, "Injected fault")
            return Response.json({"message": message}, status=self.status, headers=headers)
        return None


class Faults:
    """Thread-safe list of armed faults; the first armed match per request fires and counts down."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, method: str, path_regex: str, *, times: int = 1, server: Server = "main",
            status: int | None = None, retry_after: int | None = None, secondary_rate_limit: bool = False,
            latency: float = 0.0, drop: bool = False, after_write: bool = False) -> Fault:
        fault = Fault(method.upper(), re.compile(path_regex), times, server, status, retry_after,
                      secondary_rate_limit, latency, drop, after_write)
        with self._lock:
            self._faults.append(fault)
        return fault

    def fail(self, method: str, path_regex: str, *, status: int = 502, times: int = 1,
             server: Server = "main") -> Fault:
        return self.add(method, path_regex, times=times, status=status, server=server)

    def secondary_rate_limit(self, method: str, path_regex: str, *, retry_after: int = 1, times: int = 1) -> Fault:
        return self.add(method, path_regex, times=times, secondary_rate_limit=True, retry_after=retry_after)

    def latency(self, method: str, path_regex: str, *, seconds: float, times: int = 1,
                server: Server = "main") -> Fault:
        return self.add(method, path_regex, times=times, latency=seconds, server=server)

    def drop(self, method: str, path_regex: str, *, times: int = 1, server: Server = "main") -> Fault:
        return self.add(method, path_regex, times=times, drop=True, server=server)

    def lose_response(self, method: str, path_regex: str, *, status: int | None = 502, delay: float = 0.0,
                      times: int = 1) -> Fault:
        """The request is applied, then its answer is lost: a ``status`` error (502), or with ``status=None``
        a dropped connection, after ``delay`` seconds (longer than the client's timeout: a read timeout)."""
        return self.add(method, path_regex, times=times, status=status, latency=delay, drop=status is None,
                        after_write=True)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, request: Request, server: Server) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(request, server):
                    fault.remaining -= 1
                    fault.hits += 1
                    return fault
        return None

    def intercept(self, request: Request, server: Server,
                  apply: Callable[[Request], Response] | None = None) -> Response | None:
        """Apply a matching fault: sleep for its latency, then return its answer (``None``: carry on).
        An ``after_write`` fault first hands the request to ``apply`` (the real server), then answers."""
        fault = self.take(request, server)
        if fault is None:
            return None
        if fault.after_write and apply is not None:
            apply(request)
        if fault.latency:
            time.sleep(fault.latency)
        return fault.response()
