"""The HTTP front end: stdlib ThreadingHTTPServer, HTTP/1.1 keep-alive, Functions semantics."""

from __future__ import annotations

import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import SplitResult, parse_qs, urlsplit

import azure.functions as func
from starlette.responses import Response

from tools.localhost.app_loader import FunctionDescription
from tools.localhost.http_streams import (
    IncomingRequest,
    ResponseWriter,
    run_response,
    starlette_request,
)
from tools.localhost.invoker import Invoker
from tools.localhost.routing import Router
from tools.localhost.trace_context import carrier_of

logger = logging.getLogger("Host.Function")
# Past this the Functions host answers 500 without calling the function: its request body
# limit is 100 MB (README, "The local host, and `func start`").
MAX_BODY_BYTES = 100 * 1024 * 1024
_HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "keep-alive"}
_REASON = "This function was programmatically called via the host APIs."


class FunctionsHttpServer(ThreadingHTTPServer):
    """Binds at construction, so a port clash fails start-up before anything else runs."""

    daemon_threads = True
    # The stdlib default backlog (5) resets bursts of concurrent clients; the real host has no
    # such ceiling, so neither may this one.
    request_queue_size = 512

    def __init__(
        self,
        address: tuple[str, int],
        router: Router[FunctionDescription],
        invoker: Invoker,
        *,
        streaming: frozenset[str] = frozenset(),
        pass_trace_context: bool = False,
    ) -> None:
        super().__init__(address, FunctionsRequestHandler)
        self.router = router
        self.invoker = invoker
        self.streaming = streaming  # names of the functions that take a streaming request
        self.pass_trace_context = pass_trace_context  # see trace_context.py


class _BodyTooLargeError(Exception):
    pass


class FunctionsRequestHandler(BaseHTTPRequestHandler):
    """One response, one send: the status line, headers and body are buffered together and
    flushed once (`handle_one_request` flushes after each request), and TCP_NODELAY is set.
    Headers and body in two sends on a keep-alive connection would otherwise meet the client's
    delayed ACK under Nagle's algorithm: ~40 ms lost per request."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = 64 * 1024  # a small response fits whole; a larger one goes out as it is written
    server: FunctionsHttpServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request access log: URLs can carry personal data."""

    def _dispatch(self) -> None:
        split = urlsplit(self.path)
        try:
            body = self._read_body()
        except (_BodyTooLargeError, ValueError):
            self.close_connection = True
            self._respond(500, [], b"")
            return
        match = self.server.router.match(self.command, split.path)
        if match is None:
            self._respond(404, [], b"")
            return
        if match.target.name in self.server.streaming:
            self._dispatch_stream(match.target, split, body, match.route_params)
            return
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        request = func.HttpRequest(
            self.command,
            f"http://{host}{self.path}",
            headers=self._request_headers(),
            params={k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()},
            route_params=match.route_params,
            body=body,
        )
        try:
            result = self.server.invoker.invoke(
                match.target, request, _REASON, trace_context=self._trace_context()
            )
        except Exception:
            # Logged by the invoker; the host answers an empty 500 and keeps serving.
            self._respond(500, [], b"")
            return
        self._write_result(result)

    def _dispatch_stream(
        self,
        function: FunctionDescription,
        split: SplitResult,
        body: bytes,
        route_params: dict[str, str],
    ) -> None:
        server_host, server_port = self.server.server_address[:2]
        request = starlette_request(
            IncomingRequest(
                method=self.command,
                raw_path=split.path,
                query=split.query,
                headers=list(self.headers.items()),
                body=body,
                route_params=route_params,
                client=(str(self.client_address[0]), int(self.client_address[1])),
                server=(str(server_host), int(server_port)),
            )
        )
        try:
            result = self.server.invoker.invoke(
                function, request, _REASON, trace_context=self._trace_context()
            )
        except Exception:
            self._respond(500, [], b"")
            return
        if not isinstance(result, Response):
            self._write_result(result)
            return
        writer = ResponseWriter(self)
        try:
            run_response(result, request, writer, self.server.invoker.run)
        except Exception:
            # Past the status line nothing can be said to the client but an unfinished body:
            # drop the connection so it cannot mistake a cut-off stream for a whole one.
            logger.exception(
                "Executed 'Functions.%s' but its response failed while streaming", function.name
            )
            self.close_connection = True
            if not writer.started:
                self._respond(500, [], b"")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch  # noqa: N815

    def __getattr__(self, name: str) -> Any:
        # Any other verb (TRACE, QUERY, ...) goes through routing too, so one no function takes
        # is a 404, as the Functions host answers it (azure-functions-host#10098), not the
        # stdlib's 501.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def _trace_context(self) -> dict[str, str] | None:
        if not self.server.pass_trace_context:
            return None
        return carrier_of(dict(self.headers.items()))

    def _request_headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        return headers

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        if length > MAX_BODY_BYTES:
            raise _BodyTooLargeError
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size = int(self.rfile.readline(1024).split(b";")[0].strip(), 16)
            if size == 0:
                break
            total += size
            if total > MAX_BODY_BYTES:
                raise _BodyTooLargeError
            chunks.append(self.rfile.read(size))
            self.rfile.readline(8)  # the CRLF after each chunk
        while self.rfile.readline(8192).strip():  # optional trailers, then the blank line
            pass
        return b"".join(chunks)

    def _write_result(self, result: Any) -> None:
        if result is None:
            self._respond(204, [], b"")
        elif isinstance(result, func.HttpResponse):
            headers = list(result.headers.items())
            if not any(name.lower() == "content-type" for name, _ in headers):
                mimetype = result.mimetype
                charset = f"; charset={result.charset}" if mimetype.startswith("text/") else ""
                headers.append(("Content-Type", f"{mimetype}{charset}"))
            self._respond(result.status_code, headers, result.get_body())
        elif isinstance(result, str | bytes):
            body = result.encode() if isinstance(result, str) else result
            self._respond(200, [("Content-Type", "text/plain; charset=utf-8")], body)
        else:
            self._respond(500, [], b"")

    def _respond(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)
