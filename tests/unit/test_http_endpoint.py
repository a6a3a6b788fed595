"""`http_endpoint`: the FastAPI request in, our handler's answer out, streamed or whole."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterable, Iterator
from datetime import timedelta
from typing import Any

import azure.functions as func
import pytest
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from functions.http_kit import Handler, StreamedBody, http_endpoint
from shared.domain.errors import ConfigurationError, DependencyUnavailable, NotFound
from tests.support.event_loops import run_on_own_loop
from tests.support.starlette_requests import IncomingRequest, starlette_request


def _request(body: bytes = b"") -> Request:
    return starlette_request(
        IncomingRequest(
            method="POST",
            raw_path="/api/things/7",
            query="a=1&a=2",
            headers=[("X-Probe", "one"), ("X-Probe", "two"), ("Host", "h")],
            body=body,
            route_params={"thingId": "7"},
            client=("127.0.0.1", 50000),
            server=("h", 80),
        )
    )


def _call(handler: Handler, request: Request | None = None, *, limit: int = 1024) -> Response:
    endpoint = http_endpoint(handler, body_limit=lambda: limit)
    response = run_on_own_loop(endpoint(request or _request()))
    assert isinstance(response, Response)
    return response


async def _drain(body: AsyncIterable[Any]) -> bytes:
    return b"".join([chunk async for chunk in body])


def test_the_handler_reads_a_classic_request_and_its_answer_goes_back_whole() -> None:
    seen: list[func.HttpRequest] = []

    def handler(req: func.HttpRequest) -> func.HttpResponse:
        seen.append(req)
        return func.HttpResponse("made", status_code=201, mimetype="text/plain")

    response = _call(handler, _request(body=b"payload"))
    assert (response.status_code, response.body) == (201, b"made")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    req = seen[0]
    assert (req.method, req.url) == ("POST", "http://h/api/things/7?a=1&a=2")
    assert req.params == {"a": "1"}
    assert req.route_params == {"thingId": "7"}
    assert req.headers["x-probe"] == "one, two"
    assert req.get_body() == b"payload"


def test_the_registered_function_keeps_the_handlers_name_but_not_its_signature() -> None:
    def list_things(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse("")

    endpoint = http_endpoint(list_things)
    assert endpoint.__name__ == "list_things"
    assert not hasattr(endpoint, "__wrapped__")  # the worker must index `req: Request`
    assert asyncio.iscoroutinefunction(endpoint)


def test_a_failure_before_the_first_chunk_is_a_problem_not_a_cut_off_200() -> None:
    def chunks() -> Iterator[bytes]:
        yield from ()  # a generator: nothing runs until the first chunk is asked for
        raise DependencyUnavailable("storage is down")

    response = _call(lambda req: StreamedBody(chunks(), "text/csv"))
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"  # none asked for: the default
    assert json.loads(bytes(response.body))["instance"] == "/api/things/7"


def test_a_503_tells_the_wait_the_dependency_asked_for_in_whole_seconds() -> None:
    def busy(req: func.HttpRequest) -> func.HttpResponse:
        raise DependencyUnavailable("Storage answered 503.", retry_after=timedelta(seconds=2.2))

    response = _call(busy)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "3"
    assert json.loads(bytes(response.body))["type"].endswith("dependency-unavailable")


def test_a_stream_goes_out_as_produced_and_a_later_failure_ends_it() -> None:
    produced: list[int] = []

    def chunks() -> Iterator[bytes]:
        for number in range(3):
            produced.append(number)
            yield f"{number}\n".encode()
        raise NotFound("gone midway")

    response = _call(lambda req: StreamedBody(chunks(), "text/csv", {"X-Kind": "csv"}))
    assert isinstance(response, StreamingResponse)
    assert produced == [0]  # only the first chunk, read to catch early failures
    assert response.headers["x-kind"] == "csv"
    with pytest.raises(NotFound):
        run_on_own_loop(_drain(response.body_iterator))
    assert produced == [0, 1, 2]


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(lambda: _request(body=b"x" * 1025), id="received"),
        pytest.param(
            lambda: starlette_request(
                IncomingRequest(
                    method="POST",
                    raw_path="/api/things/7",
                    query="",
                    headers=[("Content-Length", "20000000"), ("Host", "h")],
                    body=b"{}",
                    route_params={},
                    client=("127.0.0.1", 50000),
                    server=("h", 80),
                )
            ),
            id="declared",
        ),
    ],
)
def test_a_body_past_the_routes_limit_is_413_before_the_handler_runs(request_: Any) -> None:
    called: list[func.HttpRequest] = []

    def handler(req: func.HttpRequest) -> func.HttpResponse:
        called.append(req)
        return func.HttpResponse("ran")

    response = _call(handler, request_(), limit=1024)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert json.loads(bytes(response.body))["detail"] == "The body is over the 1024-byte limit."
    assert called == []


def test_settings_that_cannot_be_read_are_a_problem_not_a_crash() -> None:
    def limit() -> int:
        raise ConfigurationError("missing required setting MAX_BODY_BYTES")

    def handler(req: func.HttpRequest) -> func.HttpResponse:
        raise AssertionError("never called")

    response = run_on_own_loop(http_endpoint(handler, body_limit=limit)(_request()))
    assert isinstance(response, Response)
    assert response.status_code == 500
    assert json.loads(bytes(response.body))["type"].endswith("server-misconfigured")
