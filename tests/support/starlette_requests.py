"""Starlette requests built by hand, as the worker's ASGI server hands them to a streaming
function: for unit tests of the HTTP endpoints without a server."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request

Message = MutableMapping[str, Any]


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
