"""The HTTP front end: uvicorn on the invoker's event loop, Functions semantics.

In Azure, an app that imports `azurefunctions.extensions.http.fastapi` has its HTTP functions
served by the Python worker's own uvicorn server, to which the host forwards each request
(`azurefunctions/extensions/http/fastapi/web.py`, `WebServer.serve`). Here uvicorn serves the
socket directly, on the same event loop as every other coroutine the host runs, so a streaming
function's coroutine and its response run where the worker runs them, with no thread between
the socket and the function. Classic functions (`func.HttpRequest`) run on a thread, as the
worker runs sync functions.
"""

from __future__ import annotations

import concurrent.futures
import logging
import socket
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import azure.functions as func
import uvicorn
from starlette.requests import Request
from starlette.responses import Response

from tools.localhost.app_loader import FunctionDescription
from tools.localhost.invoker import Invoker
from tools.localhost.routing import Router
from tools.localhost.trace_context import carrier_of

logger = logging.getLogger("Host.Function")
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# Past this the Functions host answers 500 without calling the function: its request body
# limit is 100 MB (README, "The local host, and `func start`").
MAX_BODY_BYTES = 100 * 1024 * 1024
# Kestrel, the host's web server, keeps an idle connection 130 s (KestrelServerLimits.
# KeepAliveTimeout); uvicorn's 5 s default would drop connections clients expect to reuse.
KEEP_ALIVE_SECONDS = 130
# The stdlib default backlog (5) resets bursts of concurrent clients; the real host has no
# such ceiling, so neither may this one.
BACKLOG = 512
_STOP_SECONDS = 2
_HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "keep-alive"}
_REASON = "This function was programmatically called via the host APIs."


class _BodyTooLargeError(Exception):
    pass


class FunctionsHttpServer:
    """Serves an already listening socket: bound by the host (`listening_socket`), so a port
    clash fails start-up before anything else runs, or inherited by a worker process."""

    def __init__(
        self,
        listener: socket.socket,
        router: Router[FunctionDescription],
        invoker: Invoker,
        *,
        streaming: frozenset[str] = frozenset(),
        pass_trace_context: bool = False,
    ) -> None:
        self._socket = listener
        self.server_address: tuple[str, int] = self._socket.getsockname()[:2]
        self._invoker = invoker
        app = FunctionsAsgiApp(router, invoker, streaming, pass_trace_context)
        config = uvicorn.Config(
            app,
            lifespan="off",
            access_log=False,  # URLs can carry personal data
            log_config=None,  # the host configured logging; uvicorn must not reset it
            log_level="warning",
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
            timeout_graceful_shutdown=_STOP_SECONDS,
            backlog=BACKLOG,
        )
        self._uvicorn = uvicorn.Server(config)
        self._serving: concurrent.futures.Future[None] | None = None

    def fileno(self) -> int:
        """The listening socket's descriptor, for worker processes to inherit."""
        return self._socket.fileno()

    def start(self) -> None:
        self._serving = self._invoker.submit(self._uvicorn.serve(sockets=[self._socket]))

    def stop(self) -> None:
        """Stop accepting, let running requests finish within a short grace, then close."""
        if self._serving is not None:
            self._uvicorn.should_exit = True
            try:
                self._serving.result(timeout=_STOP_SECONDS * 2)
            except (concurrent.futures.TimeoutError, concurrent.futures.CancelledError):
                self._serving.cancel()
        self._socket.close()


def listening_socket(address: tuple[str, int]) -> socket.socket:
    """A TCP socket whose accepted connections asyncio sets to TCP_NODELAY.

    asyncio disables Nagle's algorithm only on sockets whose protocol is IPPROTO_TCP, and
    `socket.create_server` leaves it 0: uvicorn writes a response's head and body in two sends,
    and the second would wait ~40 ms for the client's delayed ACK on every keep-alive request.
    """
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(BACKLOG)
    except OSError:
        listener.close()
        raise
    return listener


class FunctionsAsgiApp:
    """Routes each request to its function and answers as the Functions host does: an empty
    404 for no route (whatever the verb), an empty 500 for a failed invocation."""

    def __init__(
        self,
        router: Router[FunctionDescription],
        invoker: Invoker,
        streaming: frozenset[str],
        pass_trace_context: bool,
    ) -> None:
        self._router = router
        self._invoker = invoker
        self._streaming = streaming  # names of the functions that take a streaming request
        self._pass_trace_context = pass_trace_context  # see trace_context.py

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        raw_path = bytes(scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        match = self._router.match(scope["method"], raw_path)
        if match is None:
            await _respond(send, 404)
            return
        if _declared_length(scope) > MAX_BODY_BYTES:
            await _respond(send, 500, close=True)
            return
        function = match.target
        if function.name in self._streaming:
            argument: Any = Request(
                {**scope, "path_params": dict(match.route_params)}, _bounded(receive)
            )
        else:
            try:
                body = await _read_body(receive)
            except _BodyTooLargeError:
                await _respond(send, 500, close=True)
                return
            argument = _classic_request(scope, raw_path, body, match.route_params)
        try:
            result = await self._invoker.invoke_async(
                function, argument, _REASON, trace_context=self._trace_context(scope)
            )
        except Exception:
            # Logged by the invoker; the host answers an empty 500 and keeps serving.
            await _respond(send, 500)
            return
        if isinstance(result, Response):
            await _stream(result, function, scope, receive, send)
        else:
            await _send_result(send, result)

    def _trace_context(self, scope: Message) -> dict[str, str] | None:
        if not self._pass_trace_context:
            return None
        headers = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
        }
        return carrier_of(headers)


def _declared_length(scope: Message) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def _bounded(receive: Receive) -> Receive:
    """The request stream, refused past the host's body limit (a chunked body declares none)."""
    seen = 0

    async def bounded_receive() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > MAX_BODY_BYTES:
            raise _BodyTooLargeError
        return message

    return bounded_receive


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    more = True
    bounded = _bounded(receive)
    while more:
        message = await bounded()
        if message["type"] == "http.disconnect":
            break
        chunks.append(bytes(message.get("body", b"")))
        more = bool(message.get("more_body", False))
    return b"".join(chunks)


def _classic_request(
    scope: Message, raw_path: str, body: bytes, route_params: dict[str, str]
) -> func.HttpRequest:
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    server_host, server_port = scope.get("server") or ("127.0.0.1", 80)
    host = headers.get("host") or f"{server_host}:{server_port}"
    query = bytes(scope.get("query_string", b"")).decode("latin-1")
    return func.HttpRequest(
        scope["method"],
        f"http://{host}{raw_path}" + (f"?{query}" if query else ""),
        headers=headers,
        params={k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()},
        route_params=route_params,
        body=body,
    )


async def _stream(
    response: Response, function: FunctionDescription, scope: Message, receive: Receive, send: Send
) -> None:
    started = False

    async def tracking_send(message: Message) -> None:
        nonlocal started
        started = started or message["type"] == "http.response.start"
        await send(message)

    try:
        await response(scope, receive, tracking_send)
    except Exception:
        # Past the status line nothing can be said to the client but an unfinished body:
        # uvicorn drops a connection whose response was left incomplete, so the client cannot
        # mistake a cut-off stream for a whole one.
        logger.exception(
            "Executed 'Functions.%s' but its response failed while streaming", function.name
        )
        if not started:
            await _respond(send, 500)


async def _send_result(send: Send, result: Any) -> None:
    if result is None:
        await _respond(send, 204)
    elif isinstance(result, func.HttpResponse):
        headers = list(result.headers.items())
        if not any(name.lower() == "content-type" for name, _ in headers):
            mimetype = result.mimetype
            charset = f"; charset={result.charset}" if mimetype.startswith("text/") else ""
            headers.append(("Content-Type", f"{mimetype}{charset}"))
        await _respond(send, result.status_code, headers, result.get_body())
    elif isinstance(result, str | bytes):
        body = result.encode() if isinstance(result, str) else result
        await _respond(send, 200, [("Content-Type", "text/plain; charset=utf-8")], body)
    else:
        await _respond(send, 500)


async def _respond(
    send: Send,
    status: int,
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    *,
    close: bool = False,
) -> None:
    raw = [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in headers or []
        if name.lower() not in _HOP_BY_HOP
    ]
    raw.append((b"content-length", str(len(body)).encode()))
    if close:
        raw.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
