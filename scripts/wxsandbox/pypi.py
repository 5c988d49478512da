"""A local PyPI JSON API (``/pypi/<project>/json`` and ``/pypi/<project>/<version>/json``).

The review asks the index whether each pinned requirement exists and is not yanked; this stand-in
answers as pypi.org does, from ``data/pypi-projects.json`` (real projects, real release lists and
real yanked flags, retrieved on the date the file names): 200 with ``info`` (``name``, ``version``,
``summary``, ``yanked``, ``yanked_reason``), ``releases`` and ``urls`` for a known release, and
``404 {"message": "Not Found"}`` for an unknown project or version. Project names are matched after
PEP 503 normalisation, as PyPI does. Release files are not served (nothing is ever downloaded from
here), so ``urls`` and each release's file list are empty.

``fail_with(status)`` makes every answer a given error (a PyPI outage) for fail-closed tests.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from wxsandbox.http import HttpServer, Request, Response, ServedStandIn

DATA_PATH = Path(__file__).resolve().parent / "data" / "pypi-projects.json"
_ROUTE = re.compile(r"/pypi/(?P<project>[^/]+)(?:/(?P<version>[^/]+))?/json/?")


@dataclass(frozen=True)
class Project:
    name: str
    summary: str
    versions: tuple[str, ...]
    """Newest first, as listed on PyPI; includes yanked releases."""
    yanked: dict[str, str | None] = field(default_factory=dict)
    """Yanked version -> PyPI's yank reason (``None`` when none was given or it is not known here)."""

    def info(self, version: str) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": version,
            "summary": self.summary,
            "package_url": f"https://pypi.org/project/{self.name}/",
            "project_url": f"https://pypi.org/project/{self.name}/",
            "release_url": f"https://pypi.org/project/{self.name}/{version}/",
            "yanked": version in self.yanked,
            "yanked_reason": self.yanked.get(version),
        }

    def file(self, version: str) -> dict[str, Any]:
        """One file of a release as a project page lists it (``releases[version][i]``), with its yank state."""
        return {"filename": f"{canonicalize_name(self.name).replace('-', '_')}-{version}.tar.gz",
                "packagetype": "sdist", "yanked": version in self.yanked,
                "yanked_reason": self.yanked.get(version)}

    def latest(self) -> str:
        return next((v for v in self.versions if v not in self.yanked), self.versions[0])


def load_projects(path: Path = DATA_PATH) -> dict[str, Project]:
    """The data set, keyed by PEP 503 normalised name."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    projects: dict[str, Project] = {}
    for name, item in raw["projects"].items():
        projects[canonicalize_name(name)] = Project(
            name, str(item.get("summary", "")), tuple(item["versions"]), dict(item.get("yanked") or {})
        )
    return projects


class PyPIStandIn(ServedStandIn):
    """PyPI's JSON API on 127.0.0.1; ``url`` is what ``WXREG_PYPI_URL`` / ``--pypi-url`` takes."""

    def __init__(self, projects: dict[str, Project] | None = None) -> None:
        self._lock = threading.Lock()
        self._default = projects if projects is not None else load_projects()
        self._projects = dict(self._default)
        self._failure: int | None = None
        self._bare_release_404 = False
        self._server = HttpServer(self._app)
        self.requests: list[str] = []
        """Every path asked for, for assertions (e.g. how many requests one review makes)."""

    def add(self, project: Project) -> None:
        with self._lock:
            self._projects[canonicalize_name(project.name)] = project

    def fail_with(self, status: int | None) -> None:
        """Answer every request with ``status`` (``None``: answer normally again)."""
        with self._lock:
            self._failure = status

    def release_pages_missing(self, missing: bool = True) -> None:
        """Answer every per-release URL (``/pypi/<name>/<version>/json``) with an empty 404 while project pages
        still list the releases: what some mirrors and proxies do (seen on this project's build machines)."""
        with self._lock:
            self._bare_release_404 = missing

    def reset(self) -> None:
        with self._lock:
            self._projects = dict(self._default)
            self._failure = None
            self._bare_release_404 = False
            self.requests.clear()

    def _app(self, request: Request) -> Response:
        with self._lock:
            self.requests.append(request.path)
            failure = self._failure
        if failure is not None:
            return Response.json({"message": "Service Unavailable"}, status=failure)
        found = _ROUTE.fullmatch(request.path)
        if request.method not in ("GET", "HEAD") or found is None:
            return Response.json({"message": "Not Found"}, status=404)
        with self._lock:
            project = self._projects.get(canonicalize_name(found["project"]))
            bare_404 = self._bare_release_404
        if bare_404 and found["version"] is not None:
            return Response(404, b"", [("Content-Type", "text/plain")])
        if project is None:
            return Response.json({"message": "Not Found"}, status=404)
        version = found["version"]
        if version is not None and version not in project.versions:
            return Response.json({"message": "Not Found"}, status=404)
        shown = version if version is not None else project.latest()
        body: dict[str, Any] = {"info": project.info(shown), "last_serial": 0, "urls": [], "vulnerabilities": []}
        if version is None:
            body["releases"] = {v: [project.file(v)] for v in project.versions}
        return Response.json(body)
