"""The notification routes' operations (feed, profile contacts, own preferences), for OpenAPI."""

from __future__ import annotations

from typing import Any

from functions.openapi_operation import Operation, query_params
from shared.services.notification_feed import FeedPageView, FeedQuery
from shared.services.notification_settings import (
    PreferencesView,
    ProfileContacts,
    ProfileContactsView,
    UpdatePreferences,
)

_IF_MATCH: dict[str, Any] = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "The ETag you read; 412 if the contacts changed since.",
    "schema": {"type": "string"},
}

NOTIFICATION_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "get", "/notifications", "Your partner's in-app feed, newest first, paged.",
        "Notifications", response=FeedPageView, parameters=query_params(FeedQuery),
    ),
    Operation(
        "get", "/profile/contacts", "The business profile's notification contacts, with ETag.",
        "Notifications", response=ProfileContactsView, errors=(401, 403, 404), headers=("ETag",),
    ),
    Operation(
        "put", "/profile/contacts",
        "Replace the contacts (BusinessProfile.Admin); at least one (400 otherwise).",
        "Notifications", request=ProfileContacts, response=ProfileContactsView,
        errors=(400, 401, 403, 404, 409, 412, 413, 415), parameters=(_IF_MATCH,),
        headers=("ETag",),
    ),
    Operation(
        "get", "/me/preferences", "Your email preferences; they override the contacts.",
        "Notifications", response=PreferencesView, errors=(401, 403, 404),
    ),
    Operation(
        "put", "/me/preferences", "Set your email preferences: on or off, another address.",
        "Notifications", request=UpdatePreferences, response=PreferencesView,
        errors=(400, 401, 403, 404, 413, 415),
    ),
)  # fmt: skip
