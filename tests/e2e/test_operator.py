"""The operators' routes through the local host: partners at a glance (and who would hear of a
new lead), a partner's contacts and key, poison queues put back end to end."""

from __future__ import annotations

import base64
import contextlib
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from azure.core.exceptions import ResourceExistsError
from azure.storage.queue import QueueClient

from tests.support.auth import AUDIENCE, ISSUER, bearer, key_pair
from tests.support.deliveries import deliver_and_land, journaled, settled_delivery
from tools.token import mint_token

OPERATOR = bearer("Leads.Operator")


def _register(http: requests.Session, api: str, partner_id: str, *emails: str) -> str:
    body: dict[str, Any] = {
        "partnerId": partner_id,
        "name": f"Partner {partner_id}",
        "contacts": [{"name": f"Contact {i}", "email": email} for i, email in enumerate(emails)],
    }
    response = http.post(f"{api}/ops/partners", json=body, headers=OPERATOR)
    assert response.status_code == 201, response.text
    return str(response.json()["intakeUrl"]).replace("http://leads.test/api", api)


def _lead(email: str) -> dict[str, Any]:
    return {
        "UserDetails": {"FirstName": "Mia", "Email": email, "Company": "Fabrikam"},
        "LeadSource": "AppSource (SPZA)-PLT|fabrikam.fleet-insights",
        "OfferTitle": "Fleet Insights",
    }


def _signed_in_as(partner_id: str, email: str) -> dict[str, str]:
    signed = mint_token(
        private_key_pem=key_pair().private_pem,
        issuer=ISSUER,
        audience=AUDIENCE,
        roles=["Referrals.User"],
        partner_id=partner_id,
        user_id="user-off",
        name="Off",
        email=email,
        ttl_seconds=600,
    )
    return {"Authorization": f"Bearer {signed}"}


def _all_partners(http: requests.Session, api: str, page_size: int = 100) -> Iterator[Any]:
    token = None
    while True:
        params: dict[str, Any] = {"pageSize": page_size}
        if token:
            params["continuationToken"] = token
        response = http.get(f"{api}/ops/partners", params=params, headers=OPERATOR)
        assert response.status_code == 200, response.text
        yield from response.json()["items"]
        token = response.json()["continuationToken"]
        if token is None:
            return


def test_partners_are_listed_with_what_needs_attention(http: requests.Session, api: str) -> None:
    stem = "o-" + uuid.uuid4().hex[:8]
    heard, unheard, muted = f"{stem}-a", f"{stem}-b", f"{stem}-c"
    before = datetime.now(UTC)
    deliver_and_land(http, api, _register(http, api, heard, "ana@heard.example"), _lead("x@y.io"))
    _register(http, api, unheard)
    _register(http, api, muted, "off@muted.example")
    # The only contact of `muted` switched new-lead emails off for herself.
    as_contact = _signed_in_as(muted, "off@muted.example")
    off = http.put(f"{api}/me/preferences", json={"emailEnabled": False}, headers=as_contact)
    assert off.status_code == 200, off.text

    mine = {p["partnerId"]: p for p in _all_partners(http, api) if p["partnerId"].startswith(stem)}

    assert sorted(mine) == [heard, unheard, muted]
    a = mine[heard]
    assert (a["contacts"], a["users"], a["recipients"], a["warnings"]) == (1, 0, 1, [])
    assert before - timedelta(seconds=1) <= datetime.fromisoformat(a["lastLeadAt"])
    assert (a["intakeKeyAgeDays"], a["routingOn"], a["webhooksFailing"]) == (0, False, 0)
    assert mine[unheard]["lastLeadAt"] is None
    assert mine[unheard]["warnings"][0].startswith("New leads would reach nobody")
    c = mine[muted]
    assert (c["contacts"], c["users"], c["recipients"]) == (1, 1, 0)
    assert "switched new-lead emails off" in c["warnings"][0]


def test_the_partner_listing_pages_and_refuses_what_is_not_its_own(
    http: requests.Session, api: str
) -> None:
    for _ in range(2):
        _register(http, api, "o-" + uuid.uuid4().hex[:8], "a@b.example")
    first = http.get(f"{api}/ops/partners", params={"pageSize": 1}, headers=OPERATOR).json()
    token = first["continuationToken"]
    second = http.get(
        f"{api}/ops/partners", params={"pageSize": 1, "continuationToken": token}, headers=OPERATOR
    ).json()
    assert second["items"][0]["partnerId"] > first["items"][0]["partnerId"]
    tampered = {"pageSize": 1, "continuationToken": token[:-2] + "xx"}
    assert http.get(f"{api}/ops/partners", params=tampered, headers=OPERATOR).status_code == 400
    partner = bearer("Referrals.Admin", partner="p-any")
    assert http.get(f"{api}/ops/partners", headers=partner).status_code == 403
    assert http.get(f"{api}/ops/partners").status_code == 401


def test_a_partners_contacts_are_edited_never_emptied_and_its_key_rotated(
    http: requests.Session, api: str, partner_id: str
) -> None:
    intake_url = _register(http, api, partner_id)
    url = f"{api}/ops/partners/{partner_id}"
    read = http.get(url, headers=OPERATOR)
    assert read.status_code == 200, read.text
    assert read.json()["contacts"] == []
    etag = read.headers["ETag"]

    emptied = http.put(f"{url}/contacts", json={"contacts": []}, headers=OPERATOR)
    assert emptied.status_code == 400
    assert emptied.headers["Content-Type"].startswith("application/problem+json")
    assert [e["field"] for e in emptied.json()["errors"]] == ["contacts"]

    contacts = {"contacts": [{"name": "Ana", "email": "ana@contoso.example"}]}
    saved = http.put(f"{url}/contacts", json=contacts, headers={**OPERATOR, "If-Match": etag})
    assert saved.status_code == 200, saved.text
    assert saved.json()["overview"]["warnings"] == []
    assert saved.json()["contacts"] == contacts["contacts"]
    stale = http.put(f"{url}/contacts", json=contacts, headers={**OPERATOR, "If-Match": etag})
    assert stale.status_code == 412

    rotated = http.post(f"{url}/intake-key", headers=OPERATOR)
    assert rotated.status_code == 200
    assert http.post(intake_url, json=_lead("a@b.io")).status_code == 401  # the old key
    assert http.get(f"{api}/ops/partners/nobody-here", headers=OPERATOR).status_code == 404
    missing = http.put(f"{api}/ops/partners/nobody-here/contacts", json=contacts, headers=OPERATOR)
    assert missing.status_code == 404


def _poison(app_env: dict[str, str]) -> QueueClient:
    return QueueClient.from_connection_string(
        app_env["AzureWebJobsStorage"], f"{app_env['DELIVERIES_QUEUE']}-poison"
    )


def _park(app_env: dict[str, str], body: dict[str, Any]) -> None:
    """What the host does after maxDequeueCount failures: the stored (base64) text, copied."""
    poison = _poison(app_env)
    with contextlib.suppress(ResourceExistsError):
        poison.create_queue()
    poison.send_message(base64.b64encode(json.dumps(body).encode()).decode())


def test_a_poisoned_delivery_is_put_back_and_lands_through_the_host(
    http: requests.Session, api: str, partner_id: str, app_env: dict[str, str]
) -> None:
    _register(http, api, partner_id, "ana@contoso.example")
    # The relay's first look is an hour away: only the requeued message can land it here.
    relay_at = datetime.now(UTC) + timedelta(hours=1)
    delivery_id = journaled(app_env, partner_id, _lead("p@q.io"), relay_at=relay_at)
    _park(app_env, {"deliveryIds": [delivery_id], "partnerId": partner_id})

    queues = http.get(f"{api}/ops/queues", headers=OPERATOR).json()["items"]
    assert {q["name"]: q["poison"] for q in queues}["deliveries"] >= 1
    peek = http.get(f"{api}/ops/queues/deliveries/poison", headers=OPERATOR).json()
    (parked,) = [m for m in peek["items"] if delivery_id in m["body"]]
    assert json.loads(parked["body"]) == {"deliveryIds": [delivery_id], "partnerId": partner_id}

    requeue = f"{api}/ops/queues/deliveries/poison/requeue"
    moved = http.post(requeue, json={"messageId": parked["messageId"]}, headers=OPERATOR)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["matched"], moved.json()["requeued"]) == (1, 1)
    assert settled_delivery(http, api, delivery_id)["status"] == "Created"
    after = http.get(f"{api}/ops/queues/deliveries/poison", headers=OPERATOR).json()
    assert all(m["messageId"] != parked["messageId"] for m in after["items"])
    again = http.post(requeue, json={"messageId": parked["messageId"]}, headers=OPERATOR)
    assert again.status_code == 404


def test_poison_messages_are_deleted_or_put_back_one_or_all(
    http: requests.Session, api: str, partner_id: str, app_env: dict[str, str]
) -> None:
    _register(http, api, partner_id, "ana@contoso.example")
    stranded = journaled(
        app_env, partner_id, _lead("s@q.io"), relay_at=datetime.now(UTC) + timedelta(hours=1)
    )
    _park(app_env, {"deliveryIds": [uuid.uuid4().hex], "partnerId": "gone"})
    _park(app_env, {"deliveryIds": [stranded], "partnerId": partner_id})
    poison = f"{api}/ops/queues/deliveries/poison"
    (first, *_) = http.get(poison, headers=OPERATOR).json()["items"]
    answer = http.post(f"{poison}/delete", json={"messageId": first["messageId"]}, headers=OPERATOR)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["matched"], answer.json()["deleted"]) == (1, 1)

    everything = http.post(f"{poison}/requeue", json={}, headers=OPERATOR).json()
    assert (everything["requeued"], everything["remaining"]) == (everything["matched"], 0)
    assert settled_delivery(http, api, stranded)["status"] == "Created"

    _park(app_env, {"deliveryIds": [uuid.uuid4().hex], "partnerId": "gone"})
    cleared = http.post(f"{poison}/delete", json={}, headers=OPERATOR).json()
    assert (cleared["deleted"], cleared["remaining"]) == (1, 0)
    assert _poison(app_env).peek_messages() == []
    unknown = http.post(f"{api}/ops/queues/nope/poison/delete", json={}, headers=OPERATOR)
    assert unknown.status_code == 404
    partner = bearer("Referrals.Admin", partner="p-any")
    assert http.post(f"{poison}/delete", json={}, headers=partner).status_code == 403


@pytest.mark.parametrize("queue", ["notifications", "work"])
def test_every_queue_can_be_looked_into(http: requests.Session, api: str, queue: str) -> None:
    response = http.get(f"{api}/ops/queues/{queue}/poison", params={"limit": 5}, headers=OPERATOR)
    assert response.status_code == 200, response.text
    assert response.json()["queue"].endswith("-poison")
