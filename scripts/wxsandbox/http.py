"""A small threaded HTTP/1.1 server on loopback that hands parsed requests to a plain function.

Every stand-in (GitHub, Gitee, OSV) is a function ``Request -> Response`` behind one of these
servers, so they all speak real HTTP over a real socket and share request decoding (chunked
bodies, as git sends pushes over 1 MB) and the ability to drop a connection for fault tests.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, unquote, urlsplit

MAX_BODY_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    """Percent-decoded path, without the query string."""
    raw_path: str
    """The request target exactly as sent, query included."""
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    """Header names lower-cased; a repeated header keeps its last value."""
    body: bytes
    client_address: str

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def query_value(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def json(self) -> Any:
        """The body as JSON; ``ValueError`` when it is not."""
        if not self.body:
            return None
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    drop_connection: bool = False
    """Close the socket without answering (a fault the client must survive)."""

    @classmethod
    def json(cls, payload: Any, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Response:
        body = json.dumps(payload, ensure_ascii=False, indent=None, separators=(",", ":")).encode("utf-8")
        return cls(status, body, [("Content-Type", "application/json; charset=utf-8"), *(headers or [])])

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain; charset=utf-8") -> Response:
        return cls(status, text.encode("utf-8"), [("Content-Type", content_type)])

    @classmethod
    def dropped(cls) -> Response:
        return cls(drop_connection=True)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


App = Callable[[Request], Response]


def _read_chunked(stream: Any) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        size_line = stream.readline(1024)
        if not size_line:
            raise ValueError("truncated chunked body")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            # Trailer section ends with an empty line.
            while stream.readline(1024) not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(chunks)
        total += size
        if total > MAX_BODY_BYTES:
            raise ValueError("request body too large")
        chunks.append(stream.read(size))
        stream.readline(1024)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two sends; with Nagle's algorithm the second waits ~40 ms for an ACK.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: tests read state, not access logs

    def _handle(self) -> None:
        headers = {key.lower(): value for key, value in self.headers.items()}
        try:
            if "chunked" in headers.get("transfer-encoding", "").lower():
                body = _read_chunked(self.rfile)
            else:
                length = int(headers.get("content-length", "0") or "0")
                if length > MAX_BODY_BYTES:
                    raise ValueError("request body too large")
                body = self.rfile.read(length) if length else b""
        except ValueError as exc:
            self._send(Response.text(f"bad request body: {exc}\n", status=400))
            return
        split = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=unquote(split.path),
            raw_path=self.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers=headers,
            body=body,
            client_address=self.client_address[0],
        )
        try:
            response = self.server.app(request)
        except Exception as exc:  # a bug in a stand-in must answer 500, not hang the client
            response = Response.json({"message": f"sandbox error: {type(exc).__name__}: {exc}"}, status=500)
        self._send(response)

    def _send(self, response: Response) -> None:
        if response.drop_connection:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(response.status)
        names = {key.lower() for key, _ in response.headers}
        for key, value in response.headers:
            self.send_header(key, value)
        if "content-length" not in names:
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD" and response.status not in (204, 304):
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: App) -> None:
        self.app = app
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Cut every open keep-alive connection: a stopped server must look down to its clients."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class HttpServer:
    """Serves ``app`` on ``host`` at a free port in a background thread."""

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _Server((host, port), app)
        # A short poll interval: stop() waits up to one interval, and tests stop many servers.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="wxsandbox-http", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HttpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        self._thread.join(timeout=5)

    def __enter__(self) -> HttpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class ServedStandIn:
    """A stand-in whose whole API is one ``Request -> Response`` function behind an :class:`HttpServer`
    (``self._server``): start, stop, context manager and base URL, shared by OSV and PyPI."""

    _server: HttpServer

    def start(self) -> Self:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return self._server.url
