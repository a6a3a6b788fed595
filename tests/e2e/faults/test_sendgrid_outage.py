"""A SendGrid outage, compressed: 429s, then 500s, then answers slower than the client waits
(`SENDGRID_TIMEOUT_SECONDS`). With back-off (about a second between attempts here, minutes in
production) every notification is sent in the end, none lands in the poison queue."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from azure.core.exceptions import ResourceNotFoundError
from azure.storage.queue import QueueClient

from tests.e2e.faults.conftest import (
    SENDGRID_TIMEOUT,
    Faults,
    post_lead,
    register,
    report,
    wait_for,
)
from tests.support.azurite import Azurite
from tests.support.sendgrid_capture import Phase, Reply
from tools.localhost.process import HostProcess

NOTIFICATIONS = 12
SLOW = SENDGRID_TIMEOUT * 3  # an answer the client no longer waits for


def _throttled_then_down_then_slow(timeouts: Reply) -> list[Phase]:
    # The 429s last longer: the leads are still arriving while they start.
    return [Phase(4, Reply(429, retry_after=1)), Phase(2, Reply(500)), Phase(2, timeouts)]


def _poisoned(azurite: Azurite, faults: Faults, partner: str) -> list[Any]:
    poison = QueueClient.from_connection_string(
        azurite.connection_string, f"{faults.env['NOTIFICATIONS_QUEUE']}-poison"
    )
    try:
        messages = poison.peek_messages(max_messages=32)
    except ResourceNotFoundError:
        return []
    return [m for m in messages if partner in str(m.content)]


def _new_leads_in_an_outage(
    faults: Faults, api: str, contact: str, outage: list[Phase]
) -> tuple[str, list[int], float]:
    """A partner, then the outage starts, then its new leads arrive all at once."""
    partner = "g-" + uuid.uuid4().hex[:10]
    intake = register(api, partner, contact)
    seconds = faults.capture.outage(*outage)
    with ThreadPoolExecutor(4) as pool:
        answers = pool.map(lambda i: post_lead(intake, f"c{i}").status_code, range(NOTIFICATIONS))
    return partner, list(answers), seconds


def test_a_sendgrid_outage_ends_with_every_notification_sent_once_and_none_in_poison(
    faults: Faults, fault_host: HostProcess, azurite: Azurite
) -> None:
    contact = f"sales.{uuid.uuid4().hex[:8]}@contoso.example"
    # The slow answers are 500s: the client timed out, and SendGrid did not accept them either.
    outage = _throttled_then_down_then_slow(Reply(500, delay=SLOW))
    partner, codes, seconds = _new_leads_in_an_outage(
        faults, f"{fault_host.base_url}/api", contact, outage
    )
    sent = wait_for(
        lambda: rows if len(rows := faults.sent(partner, "NewLead")) >= NOTIFICATIONS else None,
        seconds + 30,
        f"{NOTIFICATIONS} emails after the outage",
    )
    requests = faults.capture.requests(contact)
    per_notification = faults.accepted_by_notification(contact)
    report(
        "sendgrid-outage",
        outageSeconds=seconds,
        acknowledged=codes.count(200),
        stored=len(faults.rows(partner, "L|")),
        notified=len(sent),
        sendgridRequests=len(requests),
        answered429=sum(r.status == 429 for r in requests),
        answered500=sum(r.status == 500 and r.delay <= SENDGRID_TIMEOUT for r in requests),
        timedOut=sum(r.delay > SENDGRID_TIMEOUT for r in requests),
        emailsAccepted=sum(per_notification.values()),
        duplicates=sum(count - 1 for count in per_notification.values()),
        poisoned=len(_poisoned(azurite, faults, partner)),
    )
    assert codes == [200] * NOTIFICATIONS
    assert {r.status for r in requests} >= {429, 500}  # the outage was met, and outlasted
    assert any(r.delay > SENDGRID_TIMEOUT for r in requests)
    assert sorted(per_notification.values()) == [1] * NOTIFICATIONS
    assert _poisoned(azurite, faults, partner) == []


def test_timeouts_of_requests_sendgrid_accepted_are_the_only_duplicates(
    faults: Faults, fault_host: HostProcess
) -> None:
    """The window no ledger can close: SendGrid accepted, but answered after the client gave
    up. Each such request can be one duplicate, never more (the retry waits out the lease)."""
    contact = f"sales.{uuid.uuid4().hex[:8]}@contoso.example"
    outage = [Phase(2, Reply(202, delay=SLOW))]  # accepted, too late for the client to know
    partner, codes, seconds = _new_leads_in_an_outage(
        faults, f"{fault_host.base_url}/api", contact, outage
    )
    wait_for(
        lambda: len(faults.sent(partner, "NewLead")) >= NOTIFICATIONS,
        seconds + 30,
        f"{NOTIFICATIONS} emails after the outage",
    )
    per_notification = faults.accepted_by_notification(contact)
    accepted_too_late = sum(
        r.accepted and r.delay > SENDGRID_TIMEOUT for r in faults.capture.requests(contact)
    )
    duplicates = sum(count - 1 for count in per_notification.values())
    report(
        "sendgrid-outage-accepted-timeouts",
        acknowledged=codes.count(200),
        notified=len(per_notification),
        emailsAccepted=sum(per_notification.values()),
        acceptedAfterTimeout=accepted_too_late,
        duplicates=duplicates,
    )
    assert len(per_notification) == NOTIFICATIONS
    assert duplicates == accepted_too_late  # exactly the window, nothing more
    assert max(per_notification.values()) <= 2
