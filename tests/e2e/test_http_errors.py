"""Authentication and malformed requests answer problem+json, never a 500, and change nothing."""

from __future__ import annotations

import pytest
import requests

from tests.support.auth import bearer, token

PROBLEM = "application/problem+json"


def _assert_problem(response: requests.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith(PROBLEM)
    body: dict[str, object] = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    assert "Traceback" not in response.text
    return body


def test_missing_token_is_401_with_challenge(http: requests.Session, api: str) -> None:
    response = http.post(f"{api}/ops/partners", json={})
    _assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "bad_token",
    [
        pytest.param(lambda: token("Leads.Operator", signer="attacker"), id="other-key"),
        pytest.param(lambda: token("Leads.Operator", ttl_seconds=-3600), id="expired"),
        pytest.param(lambda: token("Leads.Operator", audience="api://other"), id="other-audience"),
        pytest.param(lambda: token("Leads.Operator", issuer="https://evil"), id="other-issuer"),
        pytest.param(lambda: "not-a-jwt", id="garbage"),
    ],
)
def test_untrusted_tokens_are_401(http: requests.Session, api: str, bad_token: object) -> None:
    assert callable(bad_token)
    response = http.post(
        f"{api}/ops/partners", json={}, headers={"Authorization": f"Bearer {bad_token()}"}
    )
    _assert_problem(response, 401)


def test_trusted_token_with_wrong_role_is_403(http: requests.Session, api: str) -> None:
    response = http.post(
        f"{api}/ops/partners", json={}, headers=bearer("Referrals.Admin", partner="contoso")
    )
    _assert_problem(response, 403)


def test_non_json_body_is_415(http: requests.Session, api: str) -> None:
    response = http.post(
        f"{api}/ops/partners",
        data="partnerId=x",
        headers={**bearer("Leads.Operator"), "Content-Type": "text/plain"},
    )
    _assert_problem(response, 415)


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe", b""])
def test_malformed_or_non_object_json_is_400(http: requests.Session, api: str, body: bytes) -> None:
    response = http.post(
        f"{api}/ops/partners",
        data=body,
        headers={**bearer("Leads.Operator"), "Content-Type": "application/json"},
    )
    _assert_problem(response, 400)


def test_oversized_body_is_413_before_parsing(http: requests.Session, api: str) -> None:
    body = b'{"name": "' + b"x" * (256 * 1024) + b'"}'
    response = http.post(
        f"{api}/ops/partners",
        data=body,
        headers={**bearer("Leads.Operator"), "Content-Type": "application/json"},
    )
    _assert_problem(response, 413)


def test_unknown_route_is_404(http: requests.Session, api: str) -> None:
    assert http.get(f"{api}/no/such/route").status_code == 404


@pytest.mark.parametrize("lead_id", ["a%2Fb", "..%2F..%2Fpartners", "0" * 31, "0" * 33, "x" * 600])
def test_a_lead_id_outside_its_format_is_404_not_a_storage_error(
    http: requests.Session, api: str, lead_id: str
) -> None:
    # The route constraint keeps these out: the host's own 404, as on Azure (not ours, no body).
    headers = bearer("Referrals.Admin", partner="contoso")
    for method, path in [("GET", ""), ("PATCH", ""), ("POST", "/accept"), ("PUT", "/favorite")]:
        response = http.request(method, f"{api}/leads/{lead_id}{path}", json={}, headers=headers)
        assert response.status_code == 404, (method, path, response.text)


def test_a_lead_id_the_route_lets_through_but_the_format_refuses_is_a_problem_404(
    http: requests.Session, api: str
) -> None:
    # ASP.NET regex constraints ignore case, so upper-case hex reaches the handlers: they refuse
    # it themselves, before any storage call.
    headers = bearer("Referrals.Admin", partner="contoso")
    lead_id = "0123456789ABCDEF0123456789ABCDEF"
    for method, path in [("GET", ""), ("PATCH", ""), ("POST", "/won"), ("DELETE", "/favorite")]:
        response = http.request(method, f"{api}/leads/{lead_id}{path}", json={}, headers=headers)
        body = _assert_problem(response, 404)
        assert lead_id not in str(body["detail"])
