"""HTTP streams: functions that take a FastAPI `Request` and return a FastAPI/Starlette response.

In Azure the Python worker serves these through its own ASGI server when the app imports
`azurefunctions.extensions.http.fastapi`, and then *every* HTTP function of the app must use the
streaming types (mixing them with `func.HttpRequest` is not supported). Here the host builds the
Starlette request itself and runs the returned response as an ASGI app, writing what it sends
straight to the socket, so a `StreamingResponse` reaches the client chunk by chunk.
"""

from __future__ import annotations

import asyncio
import typing
from collections.abc import Awaitable, Callable, Coroutine, Mapping, MutableMapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from tools.localhost.app_loader import FunctionDescription

Message = MutableMapping[str, Any]


def takes_stream_request(function: FunctionDescription) -> bool:
    """Whether the trigger parameter is annotated with a FastAPI (Starlette) `Request`, which
    is what `azurefunctions.extensions.http.fastapi.Request` re-exports."""
    try:
        hints = typing.get_type_hints(function.user_function)
    except Exception:  # an annotation that does not resolve is not a streaming one
        return False
    annotation = hints.get(str(function.trigger.get("name", "")))
    return isinstance(annotation, type) and issubclass(annotation, Request)


def streams_enabled() -> bool:
    """The worker turns HTTP streams on only once the app has imported the extension."""
    try:
        from azurefunctions.extensions.base import HttpV2FeatureChecker  # noqa: PLC0415
    except ImportError:
        return False
    return bool(HttpV2FeatureChecker.http_v2_enabled())


@dataclass(frozen=True)
class IncomingRequest:
    """What the HTTP front end read, in the shape an ASGI scope needs."""

    method: str
    raw_path: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes
    route_params: Mapping[str, str]
    client: tuple[str, int]
    server: tuple[str, int]


def starlette_request(incoming: IncomingRequest) -> Request:
    """A Starlette request with the route parameters in `path_params`, as the worker syncs them."""
    scope: dict[str, Any] = {
        "type": "http",
        # 2.4: the server reports a gone client by failing `send`, so a streaming response need
        # not poll `receive` for a disconnect while it streams.
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": incoming.method,
        "scheme": "http",
        "path": unquote(incoming.raw_path),
        "raw_path": incoming.raw_path.encode("latin-1"),
        "query_string": incoming.query.encode("latin-1"),
        "root_path": "",
        "headers": [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in incoming.headers
        ],
        "client": incoming.client,
        "server": incoming.server,
        "path_params": dict(incoming.route_params),
    }
    return Request(scope, _receive_once(incoming.body))


def _receive_once(body: bytes) -> Callable[[], Awaitable[Message]]:
    delivered = False

    async def receive() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # nothing more will come: wait until cancelled
        raise AssertionError("unreachable")

    return receive


class ResponseWriter:
    """Writes what an ASGI response sends through the request handler: its status line and
    headers (Server, Date), a Content-Length when the response declares one, else chunked.

    The handler's output is buffered: the head waits for the first body message and goes out
    with it in one send, and every body message is flushed at once, so a stream keeps
    streaming."""

    def __init__(self, handler: BaseHTTPRequestHandler) -> None:
        self._handler = handler
        self._head = handler.command == "HEAD"
        self._chunked = False
        self.started = False

    def start(self, status: int, headers: list[tuple[bytes, bytes]]) -> None:
        handler = self._handler
        names = {name.lower() for name, _ in headers}
        self._chunked = b"content-length" not in names and status not in (204, 304)
        handler.send_response(status)
        for name, value in headers:
            handler.send_header(name.decode("latin-1"), value.decode("latin-1"))
        if self._chunked:
            handler.send_header("Transfer-Encoding", "chunked")
        if handler.close_connection:
            handler.send_header("Connection", "close")
        handler.end_headers()
        self.started = True

    def body(self, data: bytes, *, more: bool) -> None:
        stream = self._handler.wfile
        if not self._head and data:
            stream.write(b"%x\r\n%s\r\n" % (len(data), data) if self._chunked else data)
        if not more and self._chunked and not self._head:
            stream.write(b"0\r\n\r\n")
        stream.flush()


def run_response(
    response: Response,
    request: Request,
    writer: ResponseWriter,
    run: Callable[[Coroutine[Any, Any, None]], object],
) -> None:
    """Run `response` as an ASGI app on `run`'s loop; socket writes happen off that loop."""

    async def send(message: Message) -> None:
        kind = message["type"]
        loop = asyncio.get_running_loop()
        if kind == "http.response.start":
            status = int(message["status"])
            headers = list(message.get("headers", []))
            await loop.run_in_executor(None, writer.start, status, headers)
        elif kind == "http.response.body":
            data = bytes(message.get("body", b""))
            more = bool(message.get("more_body", False))
            await loop.run_in_executor(None, lambda: writer.body(data, more=more))

    run(response(request.scope, request.receive, send))
