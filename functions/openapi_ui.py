"""The partner UI's operations (its pages, its start-up settings, the dev sign-in), for OpenAPI."""

from __future__ import annotations

from functions.openapi_operation import Operation, path_param
from shared.services.dev_sign_in import DevSignInRequest, DevToken
from shared.services.ui_config import UiConfig

# The types `ui_pages` serves besides the HTML pages.
_FILE_TYPES = (
    "text/javascript",
    "text/css",
    "image/svg+xml",
    "image/png",
    "image/x-icon",
    "application/json",
    "text/plain",
)

UI_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "get", "/ui/{*path}", "The partner UI: its pages (any path without an extension is the"
        " app's shell) and its static files; versioned assets (`v/<version>/...`) are immutable.",
        "Partner UI", security="none", errors=(404,), media_type="text/html",
        other_media_types=_FILE_TYPES, other_statuses=(304,), headers=("ETag",), storage=False,
        plain_not_found=True,
        parameters=(path_param("*path", "A page of the app, or a file under ui/."),),
    ),
    Operation(
        "get", "/ui-config", "What the UI needs before sign-in: MSAL settings (null unless"
        " UI_CLIENT_ID is set) and whether the local dev sign-in is on.",
        "Partner UI", security="none", response=UiConfig, errors=(), storage=False,
    ),
    Operation(
        "post", "/dev-sign-in", "Local development only: a bearer token for a partner and roles,"
        " signed with the dev key. 404 unless DEV_SIGN_IN_ENABLED, and always 404 in Azure.",
        "Partner UI", security="none", request=DevSignInRequest, response=DevToken,
        errors=(400, 404, 413, 415), storage=False,
    ),
)  # fmt: skip
