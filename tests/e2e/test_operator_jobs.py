"""The jobs route's guards, and dry runs of every job: the counts a real run then has, and not
one entity, queue message or work order written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import requests
from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableServiceClient
from azure.storage.queue import QueueClient

from tests.e2e.jobs_support import OPERATOR, Partner, hold_for_digest, run_job
from tests.support.auth import bearer
from tests.support.deliveries import journaled


def _post(http: requests.Session, api: str, job: str, **params: str) -> requests.Response:
    return http.post(f"{api}/ops/jobs/{job}", params=params, headers=OPERATOR)


def test_the_guards_refuse_what_is_almost_certainly_a_mistake(
    http: requests.Session, api: str, partner_id: str
) -> None:
    Partner(http, api, partner_id, "UTC")
    both = _post(http, api, "expire-leads", partnerId=partner_id, fanOut="true")
    assert both.status_code == 400
    assert both.headers["Content-Type"].startswith("application/problem+json")
    assert {e["field"] for e in both.json()["errors"]} == {"partnerId", "fanOut"}

    assert _post(http, api, "expire-leads", partnerId="nobody-here").status_code == 404
    assert _post(http, api, "expire-leads", partnerId="Not An Id!").status_code == 404
    assert _post(http, api, "relay-outbox", partnerId=partner_id).status_code == 400

    ahead = (datetime.now(UTC) + timedelta(days=1, minutes=5)).isoformat()
    future = _post(http, api, "expire-leads", asOf=ahead, partnerId=partner_id)
    assert future.status_code == 400
    assert [e["field"] for e in future.json()["errors"]] == ["asOf"]
    allowed = _post(http, api, "expire-leads", asOf=ahead, partnerId=partner_id, allowFuture="1")
    assert allowed.status_code == 200, allowed.text
    within = (datetime.now(UTC) + timedelta(hours=23)).isoformat()
    assert _post(http, api, "expire-leads", asOf=within, partnerId=partner_id).status_code == 200
    assert _post(http, api, "no-such-job").status_code == 404


def test_the_catalogue_names_every_job_the_route_runs_and_which_run_per_partner(
    http: requests.Session, api: str, partner_id: str
) -> None:
    listed = http.get(f"{api}/ops/jobs", headers=OPERATOR)
    assert listed.status_code == 200, listed.text
    jobs = {item["name"]: item for item in listed.json()["items"]}
    assert jobs["reindex-leads"]["perPartner"] is True
    assert jobs["relay-outbox"]["perPartner"] is False
    assert all(item["summary"] for item in jobs.values())
    for name, item in jobs.items():  # the route knows each, and refuses partnerId as listed
        response = _post(http, api, name, partnerId="nobody-here", dryRun="true")
        assert response.status_code == (404 if item["perPartner"] else 400), name
    partner = bearer("Referrals.Admin", partner=partner_id)
    assert http.get(f"{api}/ops/jobs", headers=partner).status_code == 403


def _snapshot(env: dict[str, str], partner_id: str) -> dict[str, Any]:
    """The partner's entities (with their ETags) in every table, and each queue's length.

    The partner's partitions only, not whole tables that every test of this worker fills: the
    dry runs here have due work in this partner alone. Queue lengths, not peeks: a peek shows
    the first 32 messages, a message added after them would go unseen.
    """
    connection, prefix = env["AzureWebJobsStorage"], env["STORAGE_PREFIX"]
    tables = TableServiceClient.from_connection_string(connection)
    state: dict[str, Any] = {}
    for name, query in (
        ("Partners", "PartitionKey eq @p"),
        ("Leads", "PartitionKey eq @p"),
        ("Deliveries", "PartnerId eq @p"),
    ):
        table = tables.get_table_client(prefix + name)
        for entity in table.query_entities(query, parameters={"p": partner_id}):
            state[f"{name}|{entity['PartitionKey']}|{entity['RowKey']}"] = entity.metadata["etag"]
    for queue in _queues(env):
        state[queue] = _length(connection, queue)
    return state


def _queues(env: dict[str, str]) -> Iterator[str]:
    for setting in ("NOTIFICATIONS_QUEUE", "DELIVERIES_QUEUE", "WORK_QUEUE"):
        yield env[setting]
        yield env[setting] + "-poison"


def _length(connection: str, queue: str) -> int:
    try:
        properties = QueueClient.from_connection_string(connection, queue).get_queue_properties()
    except ResourceNotFoundError:
        return 0
    return int(properties.approximate_message_count or 0)


def test_a_dry_run_of_every_job_reports_what_it_would_do_and_writes_nothing(
    http: requests.Session,
    api: str,
    partner_id: str,
    app_env: dict[str, str],
) -> None:
    partner = Partner(http, api, partner_id, "UTC")
    waiting = partner.deliver("wait@fabrikam.example")  # owes a reminder, then expires
    informational = partner.deliver("info@fabrikam.example", action="INS")
    hold_for_digest(app_env, partner.id, date.today() - timedelta(days=1), [waiting["id"]])
    # Journaled, its queue message lost: a delivery for the relay.
    journaled(app_env, partner.id, {}, relay_at=datetime.now(UTC))

    respond_by = datetime.fromisoformat(waiting["respondBy"])
    instants = {
        "expire-leads": respond_by + timedelta(minutes=1),
        "archive-informational-leads": datetime.fromisoformat(informational["archiveAt"]),
        "remind-expiring": respond_by - timedelta(hours=47),
        "send-digests": datetime.now(UTC),
        "prune-events": datetime.now(UTC) + timedelta(days=31),  # past the 30 days kept
        "reindex-leads": datetime.now(UTC),
    }
    before = _snapshot(app_env, partner.id)
    dry: dict[str, dict[str, int]] = {}
    for job, as_of in instants.items():
        dry[job] = _dry(http, api, job, as_of, partnerId=partner.id)
    soon = datetime.now(UTC) + timedelta(minutes=5)
    relays = {job: _dry(http, api, job, soon) for job in ("relay-outbox", "relay-deliveries")}
    fanned = _post(http, api, "expire-leads", dryRun="true", fanOut="true")
    assert fanned.status_code == 202
    assert fanned.json()["counts"]["workOrders"] >= 1
    assert _snapshot(app_env, partner.id) == before  # nothing written, nothing queued

    assert dry["expire-leads"]["expired"] == 1
    assert dry["archive-informational-leads"]["archived"] == 1
    assert dry["remind-expiring"]["reminded"] == 1
    assert (dry["send-digests"]["digests"], dry["send-digests"]["leads"]) == (1, 1)
    assert dry["prune-events"]["eventsPruned"] >= 2  # the two leads' receipts
    assert dry["reindex-leads"]["reindexed"] == 0  # written under the current index layout
    assert relays["relay-outbox"]["relayed"] >= 1  # the notifier is off on this host
    assert relays["relay-deliveries"]["relayed"] >= 1
    # What the real runs then do, job by job (each reminder before its lead expires).
    for job in (
        "prune-events",
        "remind-expiring",
        "send-digests",
        "archive-informational-leads",
        "reindex-leads",
    ):
        real = run_job(http, api, job, instants[job], partner)
        assert real == {k: v for k, v in dry[job].items() if k != "previewCutShort"}, job
    real_expiry = run_job(http, api, "expire-leads", instants["expire-leads"], partner)
    assert real_expiry["expired"] == dry["expire-leads"]["expired"]


def _dry(
    http: requests.Session, api: str, job: str, as_of: datetime, **params: str
) -> dict[str, int]:
    response = _post(
        http, api, job, asOf=as_of.isoformat(), dryRun="true", allowFuture="true", **params
    )
    assert response.status_code == 200, response.text
    assert response.json()["dryRun"] is True
    counts: dict[str, int] = response.json()["counts"]
    return counts
