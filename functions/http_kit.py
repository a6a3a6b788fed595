"""What every HTTP trigger shares: error mapping, body limits, JSON parsing, auth, responses.

The app uses the Functions *HTTP streams* (FastAPI request and response types), so the CSV export
can send its rows as they are read. The worker allows streams only app-wide, so every HTTP
function is registered through `http_endpoint`, which adapts the streaming request to the
`func.HttpRequest` our handlers read and their answers back to a Starlette response.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response
from opentelemetry.trace import StatusCode
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request as StarletteRequest
from starlette.responses import Response as StarletteResponse
from starlette.responses import StreamingResponse

from functions.invocation_telemetry import http_request_span
from functions.problems import internal_error_response, problem_response, status_for
from functions.request_body import (
    BodyTooLarge,
    declared_too_large,
    parse_json_object,
    read_bounded,
)
from shared.bootstrap import Container, get_container
from shared.domain.errors import LeadsError, Unauthenticated
from shared.domain.model import parse_model
from shared.domain.principal import Principal
from shared.services.log_fields import log_fields
from shared.services.team import TeamRoster

logger = logging.getLogger(__name__)
ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class StreamedBody:
    """A response body sent as `chunks` yields it, so memory does not grow with its length."""

    chunks: Iterator[bytes]
    media_type: str
    headers: Mapping[str, str] = field(default_factory=dict)


Answer = func.HttpResponse | StreamedBody
Handler = Callable[[func.HttpRequest], Answer]
Endpoint = Callable[[Request], Any]
BodyLimit = Callable[[], int]  # read per request: settings load lazily, never at import


def general_body_limit() -> int:
    return container().settings.max_body_bytes


def intake_body_limit() -> int:
    return container().settings.intake_max_body_bytes


def http_endpoint(
    handler: Handler, *, body_limit: BodyLimit = general_body_limit, log_refusals: bool = False
) -> Endpoint:
    """Register `handler` as an HTTP function: our errors become problem+json, anything
    unexpected a bare 500, never a trace. The handler runs on a worker thread: our storage
    clients block, and the worker runs every streaming function on one event loop. Each
    request is a span (`http_request_span`); with `log_refusals`, a 401, 403 or 404 is logged
    as a warning naming the route's partner (the intake routes: a wrong key must show).

    The body is read here, before the handler runs, and never past the route's `body_limit`:
    a body announced or found to be longer is a 413 at once, whatever else the request holds."""

    async def endpoint(req: Request) -> Response:
        starlette_request = cast(StarletteRequest, req)
        try:
            body = await _bounded_body(starlette_request, body_limit())
        except LeadsError as error:  # too large (413), or settings that cannot be read (500)
            if status_for(error)[0] >= 500:
                logger.error("%s failed: %s", handler.__name__, error.detail)
            refused = problem_response(error, instance=starlette_request.url.path)
            return cast(Response, _starlette_response(refused))
        request = _classic_request(starlette_request, body)
        answer = await run_in_threadpool(_traced_answer, handler, request, log_refusals)
        return cast(Response, _starlette_response(answer))

    # Not functools.wraps: `__wrapped__` would make the worker index the handler's signature.
    endpoint.__name__ = handler.__name__
    endpoint.__qualname__ = handler.__qualname__
    endpoint.__doc__ = handler.__doc__
    endpoint.__module__ = handler.__module__
    return endpoint


def with_body_limit(body_limit: BodyLimit) -> Callable[[Handler], Endpoint]:
    """`http_endpoint` for a route whose bodies have another limit (intake's, say)."""
    return functools.partial(http_endpoint, body_limit=body_limit)


def intake_endpoint(handler: Handler) -> Endpoint:
    """`http_endpoint` for an intake route: intake's body limit, refusals logged."""
    return http_endpoint(handler, body_limit=intake_body_limit, log_refusals=True)


async def _bounded_body(request: StarletteRequest, limit: int) -> bytes:
    if declared_too_large(request.headers.get("Content-Length"), limit):
        raise BodyTooLarge(limit)
    return await read_bounded(request.stream(), limit)


def _classic_request(request: StarletteRequest, body: bytes) -> func.HttpRequest:
    headers = {name: ", ".join(request.headers.getlist(name)) for name in request.headers}
    return func.HttpRequest(
        request.method,
        str(request.url),
        headers=headers,
        # The first of repeated parameters, as the host gives a classic function.
        params={name: request.query_params.getlist(name)[0] for name in request.query_params},
        route_params={name: str(value) for name, value in request.path_params.items()},
        body=body,
    )


def _traced_answer(handler: Handler, req: func.HttpRequest, log_refusals: bool) -> Answer:
    with http_request_span(handler.__name__, req) as span:
        answer = _answer(handler, req)
        status = answer.status_code if isinstance(answer, func.HttpResponse) else 200
        span.set_attribute("http.response.status_code", status)
        if status >= 500:  # a server error fails the span; a 4xx is the caller's (semconv)
            span.set_status(StatusCode.ERROR, str(status))
    if log_refusals and status in _REFUSALS:
        partner_id = req.route_params.get("partnerId")
        # The route and the partner, never the query string: it holds the key.
        logger.warning(
            "%s refused (%d) for partner %s",
            handler.__name__,
            status,
            partner_id,
            extra=log_fields("intake.refused", partner_id=partner_id, status=status),
        )
    return answer


_REFUSALS = frozenset({401, 403, 404})


def _answer(handler: Handler, req: func.HttpRequest) -> Answer:
    instance = urlsplit(req.url).path
    try:
        answer = handler(req)
        if isinstance(answer, StreamedBody):
            # The first chunk is read here, so that what fails before any row is sent (the
            # query, storage) still gets its problem+json rather than a cut-off 200.
            first = next(answer.chunks, b"")
            chunks = itertools.chain([first], answer.chunks)
            logged = _logged(chunks, handler.__name__)
            return StreamedBody(logged, answer.media_type, answer.headers)
        return answer
    except LeadsError as error:
        if status_for(error)[0] >= 500:
            logger.error("%s failed: %s", handler.__name__, error.detail)
        return problem_response(error, instance=instance)
    except Exception as error:
        _log_unexpected(handler.__name__, error)
        return internal_error_response(instance=instance)


def _logged(chunks: Iterator[bytes], name: str) -> Iterator[bytes]:
    """Past the first chunk a failure can only cut the body short: log it, then let it end the
    response (the client sees an incomplete chunked body, never a truncated file as complete)."""
    try:
        yield from chunks
    except Exception as error:
        _log_unexpected(name, error)
        raise


def _log_unexpected(name: str, error: Exception) -> None:
    # The traceback without the exception's message: messages can carry personal data.
    frames = "".join(traceback.format_tb(error.__traceback__))
    logger.error("%s raised %s\n%s", name, type(error).__name__, frames)


def _starlette_response(answer: Answer) -> StarletteResponse:
    if isinstance(answer, StreamedBody):
        return StreamingResponse(
            answer.chunks, media_type=answer.media_type, headers=dict(answer.headers)
        )
    headers = dict(answer.headers)
    if not any(header.lower() == "content-type" for header in headers):
        mimetype = answer.mimetype
        charset = f"; charset={answer.charset}" if mimetype.startswith("text/") else ""
        headers["Content-Type"] = f"{mimetype}{charset}"
    return StarletteResponse(answer.get_body(), status_code=answer.status_code, headers=headers)


def container() -> Container:
    return get_container()


def authenticate(req: func.HttpRequest) -> Principal:
    header = req.headers.get("Authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Send a bearer token in the Authorization header.")
    principal = container().token_verifier.verify(token.strip())
    # Who uses the app is the assignable Team. Asked first, so an operator's request (health
    # while storage hangs, say) never builds the Team's storage clients.
    if TeamRoster.records(principal):
        container().team_roster.record_visit(principal)
    return principal


def read_json_object(req: func.HttpRequest) -> dict[str, Any]:
    """The body (already bounded by the route's limit) as a JSON object: 415 unless JSON, 400
    when malformed, nested too deep or holding huge numbers."""
    return parse_json_object(req.get_body(), req.headers.get("Content-Type"))


def parse_body(req: func.HttpRequest, model: type[ModelT]) -> ModelT:
    return parse_model(model, read_json_object(req))


def json_response(
    payload: BaseModel | Mapping[str, Any],
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> func.HttpResponse:
    if isinstance(payload, BaseModel):
        body = payload.model_dump_json(by_alias=True)
    else:
        body = json.dumps(payload, default=str)
    return func.HttpResponse(
        body,
        status_code=status,
        headers={"Cache-Control": "no-store", **(headers or {})},
        mimetype="application/json",
    )
