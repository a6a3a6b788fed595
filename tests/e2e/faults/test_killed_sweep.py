"""A host killed (SIGKILL) in the middle of the expiry sweep, then a new host: every due lead
is expired once, and its expiry email goes out once. The sweep runs slowed down by the fault
proxy, so that the kill lands while it is at work."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests

from shared.domain.lead_values import LeadStatus, Outcome
from tests.e2e.faults.conftest import (
    Faults,
    fault_world,
    post_lead,
    register,
    report,
    start_host,
    wait_for,
)
from tests.support.auth import bearer
from tests.support.azurite import Azurite
from tests.support.fault_proxy import PASS, Slow

LEADS = 12
OPERATOR = bearer("Leads.Operator")


def _run_job(api: str, job: str, as_of: datetime) -> requests.Response:
    return requests.post(
        f"{api}/ops/jobs/{job}",
        params={"asOf": as_of.isoformat(), "allowFuture": "true"},
        headers=OPERATOR,
        timeout=60,
    )


@pytest.fixture
def faults(app_env: dict[str, str], azurite: Azurite) -> Iterator[Faults]:
    """A world of its own: the package's long-running host must not consume its queues."""
    with fault_world(app_env, azurite) as world:
        yield world


def test_a_host_killed_mid_sweep_and_restarted_expires_every_lead_once_with_one_email(
    faults: Faults, tmp_path_factory: pytest.TempPathFactory
) -> None:
    partner = "k-" + uuid.uuid4().hex[:10]
    vendor = faults.env["VENDOR_NOTIFICATION_EMAIL"]
    # The first host sends no email: only the sweep is interrupted, never a send.
    quiet = {**faults.env, "AzureWebJobs.process_notification.Disabled": "true"}
    first = start_host(quiet, tmp_path_factory.mktemp("doomed-host"))
    try:
        api = f"{first.base_url}/api"
        intake = register(api, partner)
        assert [post_lead(intake, f"k{i}").status_code for i in range(LEADS)] == [200] * LEADS
        wait_for(  # intake acknowledges first and lands the leads right after
            lambda: len(faults.rows(partner, "E|")) == LEADS or None, 30, f"{LEADS} leads landed"
        )
        as_of = datetime.now(UTC) + timedelta(days=15)
        faults.proxies.table.set(Slow(0.05))
        sweep = threading.Thread(target=_sweep_until_killed, args=(api, as_of))
        sweep.start()

        def due() -> int:
            return len(faults.rows(partner, "E|"))

        wait_for(lambda: due() <= LEADS - 3, 30, "the sweep to be under way")
        first.process.kill()
        first.process.wait()
        sweep.join()
    finally:
        if first.process.poll() is None:
            first.process.kill()
            first.process.wait()
    faults.proxies.table.set(PASS)

    second = start_host(faults.env, tmp_path_factory.mktemp("restarted-host"))
    try:
        api = f"{second.base_url}/api"
        # Counted now, not at the kill: a batch the proxy still held then reached storage after.
        expired_before_kill = LEADS - due()
        rerun = _run_job(api, "expire-leads", as_of)
        assert rerun.status_code == 200, rerun.text
        # What the killed host committed but never queued is in the outbox: the relay's turn,
        # once it is due (the outbox rows of a sweep as of T are due at T + 2 minutes).
        relay = _run_job(api, "relay-outbox", as_of + timedelta(minutes=5))
        assert relay.status_code == 200, relay.text
        sent = wait_for(
            lambda: rows if len(rows := faults.sent(partner, "LeadExpired")) >= LEADS else None,
            30,
            f"{LEADS} expiry emails",
        )
        leads = faults.direct.leads(partner)
        per_notification = faults.accepted_by_notification(vendor)
        report(
            "killed-mid-sweep",
            acknowledged=LEADS,
            stored=len(leads),
            expiredBeforeKill=expired_before_kill,
            expiredAfterRestart=rerun.json()["counts"]["expired"],
            relayed=relay.json()["counts"]["relayed"],
            notified=len(sent),
            emailsAccepted=sum(per_notification.values()),
            duplicates=sum(count - 1 for count in per_notification.values()),
        )
    finally:
        assert second.stop() == 0, second.logs()
    assert 0 < expired_before_kill < LEADS  # the kill did land mid-sweep
    assert expired_before_kill + rerun.json()["counts"]["expired"] == LEADS
    expired = (LeadStatus.ARCHIVED, Outcome.EXPIRED)
    assert all((lead.status, lead.outcome) == expired for lead in leads)
    assert len(leads) == LEADS
    expiries = [r for r in faults.rows(partner, "S|") if r["Kind"] == "LeadExpired"]
    assert sorted(r["LeadId"] for r in expiries) == sorted(lead.id for lead in leads)
    assert sorted(per_notification.values()) == [1] * LEADS


def _sweep_until_killed(api: str, as_of: datetime) -> None:
    """The killed host's request dies with it: that is expected."""
    with contextlib.suppress(requests.RequestException):
        _run_job(api, "expire-leads", as_of)
