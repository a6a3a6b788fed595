"""HTTP streams: functions that take a FastAPI `Request` and return a FastAPI/Starlette response.

In Azure the Python worker serves these through its own ASGI server when the app imports
`azurefunctions.extensions.http.fastapi`, and then *every* HTTP function of the app must use the
streaming types (mixing them with `func.HttpRequest` is not supported). The worker serves them
with uvicorn, and so does the local host (`http_server.py`).
"""

from __future__ import annotations

import typing

from starlette.requests import Request

from tools.localhost.app_loader import FunctionDescription


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
