"""`POST /api/leads/import`: Partner Center's lead export, streamed to a spooled file, imported.

Registered without `http_kit.http_endpoint`, which reads a body whole: this route copies the
request stream into a temporary file (in memory up to 1 MiB, on disk past it, refused past
20 MB), so memory does not grow with the file. Errors go through the same problem table
(`functions/problems.py`) as every other route; nothing unexpected reaches the caller.
"""

from __future__ import annotations

import logging
import tempfile
import traceback
from collections.abc import Callable
from typing import IO, BinaryIO, cast
from urllib.parse import urlsplit

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request as StarletteRequest
from starlette.responses import Response as StarletteResponse

from functions.http_kit import authenticate, container, json_response
from functions.problems import internal_error_response, problem_response, status_for
from shared.domain.errors import LeadsError, PayloadTooLarge, UnsupportedMediaType
from shared.services.lead_import import MAX_BYTES

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated
logger = logging.getLogger(__name__)
_IN_MEMORY = 1024 * 1024
_CSV_TYPES = {"text/csv", "application/csv", "text/plain", "application/vnd.ms-excel"}


@bp.route(route="leads/import", methods=["POST"])
async def import_leads(req: Request) -> Response:
    request = cast(StarletteRequest, req)
    headers = {name: ", ".join(request.headers.getlist(name)) for name in request.headers}
    classic = func.HttpRequest(
        request.method,
        str(request.url),
        headers=headers,
        params={name: request.query_params.getlist(name)[0] for name in request.query_params},
        body=b"",
    )
    with tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY) as spool:
        too_large = await _spool(request, spool)

        def handle(req: func.HttpRequest) -> func.HttpResponse:
            principal = authenticate(req)
            if too_large:
                raise PayloadTooLarge(f"The file is over the {MAX_BYTES}-byte limit.")
            media_type = (req.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if media_type not in _CSV_TYPES:
                raise UnsupportedMediaType("Send the file as text/csv.")
            report = container().lead_import.run(
                principal, req.params.get("partnerId"), cast(BinaryIO, spool)
            )
            return json_response(report)

        answer = await run_in_threadpool(_answered, handle, classic)
    headers = {name: value for name, value in answer.headers.items() if name != "Content-Type"}
    return cast(
        Response,
        StarletteResponse(
            answer.get_body(),
            status_code=answer.status_code,
            headers=headers,
            media_type=answer.mimetype,
        ),
    )


def _answered(
    handle: Callable[[func.HttpRequest], func.HttpResponse], req: func.HttpRequest
) -> func.HttpResponse:
    instance = urlsplit(req.url).path
    try:
        return handle(req)
    except LeadsError as error:
        if status_for(error)[0] >= 500:
            logger.error("import_leads failed: %s", error.detail)
        return problem_response(error, instance=instance)
    except Exception as error:
        # The traceback without the message: messages can carry personal data.
        frames = "".join(traceback.format_tb(error.__traceback__))
        logger.error("import_leads raised %s\n%s", type(error).__name__, frames)
        return internal_error_response(instance=instance)


async def _spool(request: StarletteRequest, spool: IO[bytes]) -> bool:
    """Copy the body into `spool`; True (and stop reading) once it passes the limit."""
    declared = request.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        return True
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BYTES:
            return True
        spool.write(chunk)
    return False
