"""The change feed through the local host: a CRM polls `GET /api/events` with the cursor it
was given and receives each change of its leads once, as CloudEvents the SDK reads."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from cloudevents.core.formats.json import JSONFormat

from tests.support.auth import bearer
from tests.support.deliveries import deliver_and_land

PREFIX = "com.partnerleads.lead."


def poll(http: requests.Session, api: str, headers: dict[str, str], **params: Any) -> Any:
    """Pages until the feed says nothing more is settled; the host's window is half a second."""
    items: list[dict[str, Any]] = []
    for _ in range(50):
        response = http.get(f"{api}/events", params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        params["after"] = page["cursor"] or params.get("after")
        if not page["hasMore"]:
            return items, params.get("after")
    raise AssertionError("the feed kept saying hasMore")


def test_a_crm_syncs_every_change_once_by_polling_the_feed(
    http: requests.Session, api: str, partner_id: str
) -> None:
    created = http.post(
        f"{api}/ops/partners",
        json={"partnerId": partner_id, "name": "Contoso"},
        headers=bearer("Leads.Operator"),
    )
    assert created.status_code == 201, created.text
    intake = created.json()["intakeUrl"].replace("http://leads.test/api", api)
    admin = bearer("Referrals.Admin", partner=partner_id, user="admin")
    reader = bearer("Referrals.User", partner=partner_id, user="reader")
    body = {
        "UserDetails": {"FirstName": "Mia", "Email": f"{uuid.uuid4().hex[:8]}@fabrikam.example"},
        "LeadSource": "AppSource (SPZA)-PLT|fabrikam.fleet",
        "OfferTitle": "Fleet Insights",
    }
    lead_id = deliver_and_land(http, api, intake, body)
    time.sleep(0.6)
    first, cursor = poll(http, api, reader, limit=1)

    accept = {"dealName": "Fleet", "notes": "Demo", "estimatedCloseDate": "2099-01-01"}
    assert http.post(f"{api}/leads/{lead_id}/accept", json=accept, headers=admin).ok
    assert http.post(f"{api}/leads/{lead_id}/won", json={"notes": "Signed"}, headers=admin).ok
    time.sleep(0.6)
    rest, _ = poll(http, api, reader, after=cursor, limit=1)

    events = [JSONFormat().read(None, json.dumps(item)) for item in first + rest]
    data: list[dict[str, Any]] = [event.get_data() for event in events]  # type: ignore[misc]
    assert [event.get_type() for event in events] == [
        PREFIX + kind for kind in ("received", "accepted", "won")
    ]
    assert {event.get_subject() for event in events} == {lead_id}
    assert [item["version"] for item in data] == [1, 2, 3]
    shown = http.get(f"{api}/leads/{lead_id}", headers=admin).json()
    assert data[-1] == {k: v for k, v in shown.items() if k not in ("etag", "favorite")} | {
        "version": 3
    }
    refused = http.get(f"{api}/events", params={"after": "x" * 20}, headers=reader)
    assert refused.status_code == 400
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert refused.json()["errors"][0]["field"] == "after"

    # Kept 30 days: the daily prune (here on demand, as of 31 days on) empties the feed.
    later = (datetime.now(UTC) + timedelta(days=31)).isoformat()
    pruned = http.post(
        f"{api}/ops/jobs/prune-events",
        params={"asOf": later, "partnerId": partner_id, "allowFuture": "true"},
        headers=bearer("Leads.Operator"),
    )
    assert pruned.status_code == 200, pruned.text
    assert pruned.json()["counts"] == {"partners": 1, "eventsPruned": 3}
    assert poll(http, api, reader)[0] == []
