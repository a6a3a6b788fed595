"""The partner UI: its static files at `/api/ui/...`, the settings it starts from and the
local dev sign-in. All anonymous: the pages hold no data; the API they call checks the token."""

from __future__ import annotations

from urllib.parse import urlsplit

import azure.functions as func

from functions.http_kit import container, http_endpoint, json_response, parse_body
from shared.services.dev_sign_in import DevSignInRequest

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated


@bp.route(route="ui/{*path}", methods=["GET"])
@http_endpoint
def ui_files(req: func.HttpRequest) -> func.HttpResponse:
    page = container().ui_pages.serve(
        req.route_params.get("path", ""),
        base=_ui_base(req.url),
        if_none_match=req.headers.get("If-None-Match"),
    )
    return func.HttpResponse(page.body, status_code=page.status, headers=page.headers)


@bp.route(route="ui-config", methods=["GET"])
@http_endpoint
def ui_config(req: func.HttpRequest) -> func.HttpResponse:
    return json_response(container().ui_setup.config())


@bp.route(route="dev-sign-in", methods=["POST"])
@http_endpoint
def dev_sign_in(req: func.HttpRequest) -> func.HttpResponse:
    service = container().dev_sign_in
    service.require_available()  # 404 before the body is even read
    request = parse_body(req, DevSignInRequest)
    return json_response(service.sign_in(request))


def _ui_base(url: str) -> str:
    """`/api/ui/` (the path up to the `ui` segment), whatever the host's route prefix is."""
    segments = urlsplit(url).path.split("/")
    lowered = [segment.lower() for segment in segments]
    end = lowered.index("ui") + 1 if "ui" in lowered else len(segments)
    return "/".join(segments[:end]).rstrip("/") + "/"
