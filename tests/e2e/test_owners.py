"""Owners through the local host: two salespeople taking one lead at once (one owner), the
follow-up escalation (once), and the Team and routing routes refusing what they must."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from tests.e2e.jobs_support import SECOND, Partner, kinds, run_job
from tests.support.app_storage import AppStorage
from tests.support.auth import bearer


@pytest.fixture
def partner(http: requests.Session, api: str, partner_id: str) -> Partner:
    return Partner(http, api, partner_id, "UTC")


def test_of_two_salespeople_taking_a_lead_at_once_one_owns_it(
    http: requests.Session, api: str, partner: Partner
) -> None:
    lead = partner.deliver("mia@fabrikam.example")
    users = {name: bearer("Referrals.User", partner=partner.id, user=name) for name in ("a", "b")}
    ids = {}
    for name, user in users.items():
        (me,) = [m for m in http.get(f"{api}/team", headers=user).json()["items"] if m["isMe"]]
        ids[name] = me["id"]
    offered = http.get(f"{api}/leads/{lead['id']}", headers=users["a"]).json()["allowedActions"]
    assert "take" in offered

    def take(name: str) -> int:
        headers = {**users[name], "If-Match": lead["etag"]}
        url = f"{api}/leads/{lead['id']}/assign"
        return requests.post(
            url, json={"memberId": ids[name]}, headers=headers, timeout=30
        ).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(take, users))
    assert statuses[0] == 200
    assert statuses[1] in (409, 412)  # the lead changed (If-Match), or it already has an owner
    owned = partner.lead(lead["id"])
    assert owned["owner"]["id"] in ids.values()
    assert [h["action"] for h in owned["history"]].count("Assigned") == 1
    refused = http.post(
        f"{api}/leads/{lead['id']}/assign", json={"memberId": ids["a"]}, headers=users["b"]
    )
    assert refused.status_code == 403  # a salesperson only takes leads for themselves


def test_a_lead_nobody_followed_up_is_escalated_once(
    http: requests.Session, api: str, partner: Partner, storage: AppStorage
) -> None:
    lead = partner.deliver("leo@fabrikam.example")
    due = datetime.fromisoformat(lead["createdAt"]) + timedelta(hours=24)
    counts = dict.fromkeys(("escalated", "skipped", "conflicts", "notificationsDeferred"), 0)
    assert run_job(http, api, "escalate-stale-leads", due - SECOND, partner) == {
        "partners": 1, **counts,
    }  # fmt: skip
    assert run_job(http, api, "escalate-stale-leads", due, partner)["escalated"] == 1
    assert run_job(http, api, "escalate-stale-leads", due + timedelta(hours=5), partner) == {
        "partners": 1, **counts,
    }  # fmt: skip
    (notified,) = kinds(storage, partner.id, "FollowUpOverdue")
    assert notified["leadId"] == lead["id"]
    assert partner.lead(lead["id"])["history"][-1]["action"] == "Escalated"


def test_team_and_routing_refuse_strangers_bad_input_and_the_wrong_roles(
    http: requests.Session, api: str, partner: Partner
) -> None:
    admin = bearer("Referrals.Admin", partner=partner.id, user="ada")
    user = bearer("Referrals.User", partner=partner.id, user="sam")
    (sam,) = [m for m in http.get(f"{api}/team", headers=user).json()["items"] if m["isMe"]]
    url = f"{api}/team/{sam['id']}"
    assert http.put(url, json={"weight": 3}, headers=user).status_code == 403
    bad = http.put(url, json={"weight": 11}, headers=admin)
    assert bad.status_code == 400
    assert bad.headers["Content-Type"].startswith("application/problem+json")
    assert (
        http.put(url, json={"weight": 3, "available": False}, headers=admin).json()["weight"] == 3
    )
    stranger: dict[str, Any] = {"enabled": True, "defaultPool": ["u-" + "0" * 20]}
    refused = http.put(f"{api}/profile/routing", json=stranger, headers=admin)
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["defaultPool.0"]
    empty: dict[str, Any] = {"rules": [{"pool": []}]}
    assert http.put(f"{api}/profile/routing", json=empty, headers=admin).status_code == 400
    assert http.get(f"{api}/profile/routing", headers=user).status_code == 403
    read = http.get(f"{api}/profile/routing", headers=admin)
    assert read.json()["followUpHours"] == 24
    good: dict[str, Any] = {"enabled": True, "defaultPool": [sam["id"]]}
    stale = http.put(f"{api}/profile/routing", json=good, headers={**admin, "If-Match": '"x"'})
    assert stale.status_code == 412
    saved = http.put(
        f"{api}/profile/routing", json=good, headers={**admin, "If-Match": read.headers["ETag"]}
    )
    assert saved.status_code == 200, saved.text
    assert saved.headers["ETag"] != read.headers["ETag"]
