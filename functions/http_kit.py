"""What every HTTP trigger shares: error mapping, body limits, JSON parsing, auth, responses.

The app uses the Functions *HTTP streams* (FastAPI request and response types), so the CSV export
can send its rows as they are read. The worker allows streams only app-wide, so every HTTP
function is registered through `http_endpoint`, which adapts the streaming request to the
`func.HttpRequest` our handlers read and their answers back to a Starlette response.
"""

from __future__ import annotations

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
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request as StarletteRequest
from starlette.responses import Response as StarletteResponse
from starlette.responses import StreamingResponse

from functions.problems import internal_error_response, problem_response, status_for
from shared.bootstrap import Container, get_container
from shared.domain.errors import (
    InvalidInput,
    LeadsError,
    PayloadTooLarge,
    Unauthenticated,
    UnsupportedMediaType,
)
from shared.domain.model import parse_model
from shared.domain.principal import Principal

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


def http_endpoint(handler: Handler) -> Endpoint:
    """Register `handler` as an HTTP function: our errors become problem+json, anything
    unexpected a bare 500, never a trace. The handler runs on a worker thread: our storage
    clients block, and the worker runs every streaming function on one event loop."""

    async def endpoint(req: Request) -> Response:
        request = await _classic_request(cast(StarletteRequest, req))
        answer = await run_in_threadpool(_answer, handler, request)
        return cast(Response, _starlette_response(answer))

    # Not functools.wraps: `__wrapped__` would make the worker index the handler's signature.
    endpoint.__name__ = handler.__name__
    endpoint.__qualname__ = handler.__qualname__
    endpoint.__doc__ = handler.__doc__
    endpoint.__module__ = handler.__module__
    return endpoint


async def _classic_request(request: StarletteRequest) -> func.HttpRequest:
    headers = {name: ", ".join(request.headers.getlist(name)) for name in request.headers}
    return func.HttpRequest(
        request.method,
        str(request.url),
        headers=headers,
        # The first of repeated parameters, as the host gives a classic function.
        params={name: request.query_params.getlist(name)[0] for name in request.query_params},
        route_params={name: str(value) for name, value in request.path_params.items()},
        body=await request.body(),
    )


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
    return container().token_verifier.verify(token.strip())


def read_json_object(req: func.HttpRequest, *, max_bytes: int) -> dict[str, Any]:
    """The body as a JSON object, refusing oversize (413), non-JSON (415) and malformed (400)."""
    declared = req.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise PayloadTooLarge(f"The body is over the {max_bytes}-byte limit.")
    body = req.get_body()
    if len(body) > max_bytes:
        raise PayloadTooLarge(f"The body is over the {max_bytes}-byte limit.")
    media_type = (req.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise UnsupportedMediaType("Send the body as application/json.")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(f"The body is not valid JSON ({_position(error)}).") from None
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.")
    return data


def parse_body(req: func.HttpRequest, model: type[ModelT], *, max_bytes: int) -> ModelT:
    return parse_model(model, read_json_object(req, max_bytes=max_bytes))


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


def _position(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"line {error.lineno}, column {error.colno}"
    return "not UTF-8"
