"""git smart HTTP for the stand-ins, served by the real ``git http-backend`` as a CGI program.

Authentication and authorisation are the caller's: it decides who may push and passes
``allow_push``; this module only speaks the protocol, so GitHub's and Gitee's stand-ins differ
only in their URL layout and their account rules.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from wxsandbox.http import Request, Response

# /<owner>/<repo>.git/<git path>: the only shape git's smart HTTP uses against both hosts.
GIT_PATH = re.compile(
    r"^/(?P<owner>[A-Za-z0-9][A-Za-z0-9_.-]*)/(?P<repo>[A-Za-z0-9_.-]+?)(?:\.git)?"
    r"/(?P<rest>info/refs|git-upload-pack|git-receive-pack|HEAD|objects/.+)$"
)
BACKEND_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class GitRoute:
    owner: str
    repo: str
    rest: str

    @property
    def is_push(self) -> bool:
        return self.rest == "git-receive-pack"


def match_git_route(request: Request) -> GitRoute | None:
    """The repository a git smart-HTTP request addresses, or ``None`` when it is not one."""
    found = GIT_PATH.match(request.path)
    if not found:
        return None
    return GitRoute(found["owner"], found["repo"], found["rest"])


def wants_push(request: Request, route: GitRoute) -> bool:
    """True for both halves of a push: the ref advertisement and the pack upload."""
    advertises_push = route.rest == "info/refs" and request.query_value("service") == "git-receive-pack"
    return route.is_push or advertises_push


def git_http_backend(
    request: Request, bare_repo: Path, route: GitRoute, remote_user: str | None, *, allow_push: bool
) -> Response:
    """Answer ``request`` for the bare repository at ``bare_repo`` through ``git http-backend``."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(bare_repo.parent)),
        "GIT_PROJECT_ROOT": str(bare_repo.parent),
        "GIT_HTTP_EXPORT_ALL": "1",
        "PATH_INFO": f"/{bare_repo.name}/{route.rest}",
        "REQUEST_METHOD": request.method,
        "QUERY_STRING": request.raw_path.partition("?")[2],
        "CONTENT_TYPE": request.header("content-type", "") or "",
        "CONTENT_LENGTH": str(len(request.body)),
        "REMOTE_ADDR": request.client_address,
        # http-backend enables receive-pack for any REMOTE_USER; we decide explicitly instead.
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "http.receivepack",
        "GIT_CONFIG_VALUE_0": "true" if allow_push else "false",
    }
    if remote_user:
        env["REMOTE_USER"] = remote_user
    if encoding := request.header("content-encoding"):
        env["HTTP_CONTENT_ENCODING"] = encoding
    if protocol := request.header("git-protocol"):
        env["GIT_PROTOCOL"] = protocol
    try:
        completed = subprocess.run(
            ["git", "http-backend"],
            input=request.body,
            env=env,
            capture_output=True,
            timeout=BACKEND_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Response.text("git http-backend timed out\n", status=504)
    return _parse_cgi(completed.stdout, completed.stderr)


def _parse_cgi(output: bytes, stderr: bytes) -> Response:
    head, sep, body = output.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = output.partition(b"\n\n")
    if not sep:
        return Response.text(f"git http-backend failed: {stderr.decode('utf-8', 'replace')}\n", status=500)
    status = 200
    headers: list[tuple[str, str]] = []
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        if name.lower() == "status":
            status = int(value.strip().split(" ", 1)[0])
        elif name:
            headers.append((name.strip(), value.strip()))
    return Response(status, body, headers)
