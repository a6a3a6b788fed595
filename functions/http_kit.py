"""What every HTTP trigger shares: error mapping, body limits, JSON parsing, auth, responses."""

from __future__ import annotations

import functools
import json
import logging
import traceback
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

import azure.functions as func
from pydantic import BaseModel

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
Handler = Callable[[func.HttpRequest], func.HttpResponse]


def http_endpoint(handler: Handler) -> Handler:
    """Turn our errors into problem+json and anything unexpected into a bare 500, never a trace."""

    @functools.wraps(handler)
    def endpoint(req: func.HttpRequest) -> func.HttpResponse:
        instance = urlsplit(req.url).path
        try:
            return handler(req)
        except LeadsError as error:
            if status_for(error)[0] >= 500:
                logger.error("%s failed: %s", handler.__name__, error.detail)
            return problem_response(error, instance=instance)
        except Exception as error:
            # The traceback without the exception's message: messages can carry personal data.
            frames = "".join(traceback.format_tb(error.__traceback__))
            logger.error("%s raised %s\n%s", handler.__name__, type(error).__name__, frames)
            return internal_error_response(instance=instance)

    return endpoint


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
