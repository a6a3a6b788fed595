"""The HTTP layer: problem mapping, JSON bodies, and an OpenAPI entry for every route."""

from __future__ import annotations

import json
import re
from typing import Any

import azure.functions as func
import pytest

import function_app
from functions.http_kit import read_json_object
from functions.openapi import OPERATIONS, openapi_document
from functions.openapi_workspace import ACTION_ROUTES
from functions.problems import STATUS_BY_ERROR, problem_response
from shared.domain.errors import (
    FieldError,
    InvalidInput,
    LeadsError,
    UnsupportedMediaType,
)
from shared.domain.lead_action import LeadAction


def _request(body: bytes, content_type: str | None = "application/json") -> func.HttpRequest:
    headers = {"Content-Type": content_type} if content_type else {}
    return func.HttpRequest("POST", "http://h/api/x", headers=headers, body=body)


def test_every_error_maps_to_a_client_or_server_status() -> None:
    statuses = {status for status, _ in STATUS_BY_ERROR.values()}
    assert statuses == {400, 401, 403, 404, 409, 412, 413, 415, 500, 503}


def test_problem_body_lists_bad_fields() -> None:
    error = InvalidInput("bad", [FieldError("customer.email", "not an email")])
    response = problem_response(error, instance="/api/x")
    body = json.loads(response.get_body())
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert body["errors"] == [{"field": "customer.email", "message": "not an email"}]
    assert body["instance"] == "/api/x"


def test_unmapped_error_is_a_500() -> None:
    assert problem_response(LeadsError("x")).status_code == 500


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_non_json_media_types_are_refused(content_type: str | None) -> None:
    with pytest.raises(UnsupportedMediaType):
        read_json_object(_request(b"{}", content_type))


def test_json_with_charset_and_vendor_types_are_accepted() -> None:
    assert read_json_object(_request(b"{}", "application/json; charset=utf-8")) == {}
    assert read_json_object(_request(b"{}", "application/merge-patch+json")) == {}


@pytest.mark.parametrize("body", [b"{", b"[]", b"1", b"\xff", b"null"])
def test_malformed_or_non_object_json_is_invalid_input(body: bytes) -> None:
    with pytest.raises(InvalidInput):
        read_json_object(_request(body))


def test_every_http_route_is_in_the_openapi_document() -> None:
    routes = set()
    for function in function_app.app.get_functions():
        trigger = json.loads(function.get_function_json())["bindings"][0]
        if trigger["type"] == "httpTrigger":
            for method in trigger["methods"]:
                # The document names a parameter; the route also constrains it.
                path = re.sub(r"\{(\*?\w+):[^/]*\}", r"{\1}", trigger["route"])
                routes.add((method.lower(), "/" + path))
    documented = {(op.method, op.path) for op in OPERATIONS}
    documented.add(("get", "/openapi.json"))
    assert routes == documented
    assert set(openapi_document()["paths"]) == {path for _, path in documented} - {"/openapi.json"}


def _responses() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation["responses"])
        for path, methods in openapi_document()["paths"].items()
        for method, operation in methods.items()
    ]


def test_every_operation_documents_413_and_every_authenticated_one_401_with_its_challenge() -> None:
    for method, path, responses in _responses():
        assert "413" in responses, (method, path)
        if "401" in responses:
            assert "WWW-Authenticate" in responses["401"]["headers"], (method, path)


def test_every_operation_on_storage_documents_503_with_retry_after() -> None:
    without_storage = {"/ui/{*path}", "/ui-config", "/dev-sign-in"}
    for method, path, responses in _responses():
        if path in without_storage:
            assert "503" not in responses, (method, path)
        elif path != "/health":  # its 503 is the health report itself
            assert responses["503"]["headers"]["Retry-After"]["required"], (method, path)


def test_a_lead_and_the_profile_contacts_come_with_their_etag() -> None:
    for method, path, responses in _responses():
        if path.startswith("/leads/{leadId}") or path == "/profile/contacts":
            assert responses["200"]["headers"]["ETag"]["required"], (method, path)


def test_the_job_route_documents_its_202_and_the_export_takes_no_continuation_token() -> None:
    paths = openapi_document()["paths"]
    assert "202" in paths["/ops/jobs/{job}"]["post"]["responses"]
    export = {param["name"] for param in paths["/leads/export"]["get"]["parameters"]}
    assert "continuationToken" not in export
    assert "createdFrom" in export


def test_every_allowed_action_names_one_documented_route() -> None:
    assert set(ACTION_ROUTES) == set(LeadAction)
    # Every action has its own route but assign and take: taking is assigning oneself.
    assert len(set(ACTION_ROUTES.values())) == len(LeadAction) - 1
    documented = {(op.method, op.path): op.summary for op in OPERATIONS}
    for action, route in ACTION_ROUTES.items():
        assert f"`{action}`" in documented[route]
    schema = openapi_document()["components"]["schemas"]
    assert schema["LeadAction"]["enum"] == [action.value for action in LeadAction]
    assert "allowedActions" in schema["LeadView"]["required"]


def _response_schema(method: str, path: str, status: str) -> dict[str, object]:
    document = openapi_document()
    content = document["paths"][path][method]["responses"][status]["content"]
    schema = content["application/json"]["schema"]
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return dict(schema)


def test_the_document_shows_partner_warnings_and_whether_contacts_are_editable() -> None:
    created = _response_schema("post", "/ops/partners", "201")
    assert "warnings" in created["properties"]  # type: ignore[operator]
    contacts = _response_schema("get", "/profile/contacts", "200")
    assert "editable" in contacts["properties"]  # type: ignore[operator]
