"""Hostile input through the local host: malformed continuation tokens, JSON nested deep or
holding huge numbers, bodies far past the limit. Each is a 4xx problem+json naming what is
wrong, before any work, never a 500 or a trace in the log."""

from __future__ import annotations

import pytest
import requests

from tests.support.auth import bearer
from tools.localhost.process import HostProcess

PROBLEM = "application/problem+json"
DEEP = b"[" * 30_000 + b"]" * 30_000
HUGE_INTEGER = b"9" * 5_000


def _problem(response: requests.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith(PROBLEM)
    assert "Traceback" not in response.text
    body: dict[str, object] = response.json()
    assert body["status"] == status
    return body


TOKENS = ["é", "abc.défg", "\u2603.\u2603", "not-a-token", "a.b.c"]


@pytest.mark.parametrize("path", ["leads", "notifications"])
@pytest.mark.parametrize("token", TOKENS)
def test_a_malformed_continuation_token_is_400_naming_it(
    http: requests.Session, api: str, path: str, token: str
) -> None:
    response = http.get(
        f"{api}/{path}",
        params={"continuationToken": token},
        headers=bearer("Referrals.User", partner="p-tokens"),
    )
    body = _problem(response, 400)
    assert body["errors"] == [
        {"field": "continuationToken", "message": "token is not one this API issued"}
    ]


@pytest.mark.parametrize("token", TOKENS)
def test_the_export_refuses_any_continuation_token_naming_it(
    http: requests.Session, api: str, token: str
) -> None:
    response = http.get(
        f"{api}/leads/export",
        params={"continuationToken": token},
        headers=bearer("Referrals.User", partner="p-tokens"),
    )
    body = _problem(response, 400)
    assert body["errors"] == [
        {"field": "continuationToken", "message": "the export takes no continuation token"}
    ]


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (b'{"UserDetails": ' + DEEP + b"}", "nests deeper"),
        (b'{"UserDetails": {"FirstName": ' + HUGE_INTEGER + b"}}", "number longer"),
    ],
    ids=["deep", "huge-number"],
)
def test_hostile_json_is_400_on_intake_without_a_key(
    http: requests.Session, api: str, app_host: HostProcess, body: bytes, complaint: str
) -> None:
    response = http.post(
        f"{api}/intake/p-nokey/marketplace",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    assert complaint in str(_problem(response, 400)["detail"])
    assert "receive_marketplace_lead raised" not in app_host.logs()  # no traceback either


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (b'{"partnerId": ' + DEEP + b"}", "nests deeper"),
        (b'{"partnerId": "p", "roles": [' + HUGE_INTEGER + b"]}", "number longer"),
    ],
    ids=["deep", "huge-number"],
)
def test_hostile_json_is_400_on_the_dev_sign_in(
    http: requests.Session, dev_api: str, body: bytes, complaint: str
) -> None:
    response = http.post(
        f"{dev_api}/dev-sign-in", data=body, headers={"Content-Type": "application/json"}
    )
    assert complaint in str(_problem(response, 400)["detail"])


def test_twenty_megabytes_with_a_wrong_key_is_413(http: requests.Session, api: str) -> None:
    body = b'{"Description": "' + b"x" * (20 * 1024 * 1024) + b'"}'
    response = http.post(
        f"{api}/intake/p-nokey/marketplace",
        params={"key": "wrong"},
        data=body,
        headers={"Content-Type": "application/json"},
    )
    assert "65536-byte limit" in str(_problem(response, 413)["detail"])


def test_a_body_past_the_general_limit_is_413_before_the_lead_is_looked_up(
    http: requests.Session, api: str
) -> None:
    body = b'{"notes": "' + b"x" * (256 * 1024) + b'"}'
    response = http.post(
        f"{api}/leads/{'a' * 32}/accept",  # well-formed: the route lets it through
        data=body,
        headers={**bearer("Referrals.Admin", partner="p-big"), "Content-Type": "application/json"},
    )
    assert "262144-byte limit" in str(_problem(response, 413)["detail"])
