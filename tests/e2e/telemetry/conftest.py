"""One in-process local host for the telemetry tests: its spans and metrics go to in-memory
readers, its log records to a capture, and its emails through the real `sendgrid` library to
the capture server (so failures can be scripted)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.support.auth import bearer
from tests.support.hosts import isolated_env
from tests.support.in_process_host import InProcessHost, Telemetry, in_memory_telemetry
from tests.support.in_process_host import in_process_host as start_in_process_host
from tests.support.sendgrid_capture import SendGridCapture

OPERATOR = bearer("Leads.Operator")


@pytest.fixture(scope="package")
def telemetry() -> Iterator[Telemetry]:
    recorded = in_memory_telemetry()
    yield recorded
    recorded.spans.clear()  # the provider stays for the process: keep no spans beyond these tests


@pytest.fixture(scope="package")
def observed(
    app_env: dict[str, str], sendgrid_capture: SendGridCapture, telemetry: Telemetry
) -> Iterator[InProcessHost]:
    env = {
        **isolated_env(app_env, f"o{uuid.uuid4().hex[:8]}"),
        "SENDGRID_API_KEY": "SG.telemetry-tests",
        "SENDGRID_API_HOST": sendgrid_capture.url,
        "EMAIL_FROM": "leads@vendor.example",
        "VENDOR_NOTIFICATION_EMAIL": "vendor-desk@vendor.example",
        # The second new lead of a day waits for the digest: the digest path runs too.
        "DIGEST_THRESHOLD": "1",
        # Retries a second apart: a failing send is retried within the test.
        "QUEUE_RETRY_BASE_SECONDS": "0.5",
        "QUEUE_RETRY_MAX_SECONDS": "1",
        # As on Azure: the host attaches each HTTP request's trace context for the worker.
        "PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY": "true",
        # One timer on a short schedule, for the timer metrics.
        "RELAY_OUTBOX_SCHEDULE": "*/1 * * * * *",
    }
    with start_in_process_host(env) as host:
        yield host


def register(http: requests.Session, api: str, partner_id: str, contact: str) -> str:
    """A partner whose new-lead emails go to `contact`; answers its intake URL on this host."""
    body: dict[str, Any] = {
        "partnerId": partner_id,
        "name": "Contoso Ltd",
        "contacts": [{"name": "Partner Desk", "email": contact}],
        "timeZone": "UTC",
    }
    response = http.post(f"{api}/ops/partners", json=body, headers=OPERATOR)
    assert response.status_code == 201, response.text
    return str(response.json()["intakeUrl"]).replace("http://leads.test/api", api)
