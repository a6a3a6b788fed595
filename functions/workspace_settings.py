"""The partner's notification settings and feed (docs/http-contract.md, "Partner workspace")."""

from __future__ import annotations

import azure.functions as func

from functions.http_kit import authenticate, container, http_endpoint, json_response, parse_body
from shared.domain.model import parse_model
from shared.services.notification_feed import FeedQuery
from shared.services.notification_settings import ProfileContacts, UpdatePreferences

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated


@bp.route(route="notifications", methods=["GET"])
@http_endpoint
def list_notifications(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    query = parse_model(FeedQuery, dict(req.params))
    return json_response(container().notification_feed.page(principal, query))


@bp.route(route="profile/contacts", methods=["GET"])
@http_endpoint
def get_profile_contacts(req: func.HttpRequest) -> func.HttpResponse:
    contacts, etag = container().notification_settings.contacts(authenticate(req))
    return json_response(contacts, headers={"ETag": etag})


@bp.route(route="profile/contacts", methods=["PUT"])
@http_endpoint
def put_profile_contacts(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    command = parse_body(req, ProfileContacts)
    contacts, etag = container().notification_settings.replace_contacts(
        principal, command, req.headers.get("If-Match")
    )
    return json_response(contacts, headers={"ETag": etag})


@bp.route(route="me/preferences", methods=["GET"])
@http_endpoint
def get_my_preferences(req: func.HttpRequest) -> func.HttpResponse:
    return json_response(container().notification_settings.preferences(authenticate(req)))


@bp.route(route="me/preferences", methods=["PUT"])
@http_endpoint
def put_my_preferences(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    command = parse_body(req, UpdatePreferences)
    return json_response(container().notification_settings.update_preferences(principal, command))
