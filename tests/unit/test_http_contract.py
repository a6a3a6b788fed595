"""The HTTP layer: problem mapping, body limits, and an OpenAPI entry for every route."""

from __future__ import annotations

import json
import re

import azure.functions as func
import pytest

import function_app
from functions.http_kit import read_json_object
from functions.openapi import OPERATIONS, openapi_document
from functions.problems import STATUS_BY_ERROR, problem_response
from shared.domain.errors import (
    FieldError,
    InvalidInput,
    LeadsError,
    PayloadTooLarge,
    UnsupportedMediaType,
)


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


def test_oversize_by_length_is_refused_before_reading() -> None:
    request = func.HttpRequest(
        "POST", "http://h/api/x", headers={"Content-Length": "70000"}, body=b"{}"
    )
    with pytest.raises(PayloadTooLarge):
        read_json_object(request, max_bytes=65536)


def test_body_limit_is_exact() -> None:
    body = b'{"a":"' + b"x" * 100 + b'"}'
    assert read_json_object(_request(body), max_bytes=len(body)) == {"a": "x" * 100}
    with pytest.raises(PayloadTooLarge):
        read_json_object(_request(body), max_bytes=len(body) - 1)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_non_json_media_types_are_refused(content_type: str | None) -> None:
    with pytest.raises(UnsupportedMediaType):
        read_json_object(_request(b"{}", content_type), max_bytes=100)


def test_json_with_charset_and_vendor_types_are_accepted() -> None:
    assert read_json_object(_request(b"{}", "application/json; charset=utf-8"), max_bytes=9) == {}
    assert read_json_object(_request(b"{}", "application/merge-patch+json"), max_bytes=9) == {}


@pytest.mark.parametrize("body", [b"{", b"[]", b"1", b"\xff", b"null"])
def test_malformed_or_non_object_json_is_invalid_input(body: bytes) -> None:
    with pytest.raises(InvalidInput):
        read_json_object(_request(body), max_bytes=100)


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
