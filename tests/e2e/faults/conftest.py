"""Fault scenarios: the real app under the local host, its storage behind the fault proxy
(tests/support/fault_proxy.py), its email through the real `sendgrid` library to a capture
server scripted through an outage. Back-off is compressed (about a second between attempts).

Each scenario writes its figures (acknowledged / stored / notified / duplicates) to
`test-artifacts/faults/<scenario>.json` and prints them (`pytest -s` shows them).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.notifications.conftest import FAST_RETRIES
from tests.support.app_storage import AppStorage
from tests.support.auth import bearer
from tests.support.azurite import REPO_ROOT, Azurite, free_port
from tests.support.fault_proxy import ProxiedStorage, proxied_storage
from tests.support.hosts import FAST_HOST_JSON, isolated_env, running_host
from tests.support.sendgrid_capture import SendGridCapture, running_capture
from tools.localhost.process import HostProcess, start_host_process

SENDGRID_TIMEOUT = 0.5
ARTIFACTS = REPO_ROOT / "test-artifacts" / "faults"


@dataclass
class Faults:
    """One isolated world: its settings (storage through `proxies`), storage seen directly
    (never through the proxies), and its own SendGrid capture."""

    env: dict[str, str]
    direct: AppStorage
    proxies: ProxiedStorage
    capture: SendGridCapture

    def rows(self, partner_id: str, prefix: str) -> list[Any]:
        return [r for r in self.direct.rows("Leads", partner_id) if r["RowKey"].startswith(prefix)]

    def sent(self, partner_id: str, kind: str) -> list[Any]:
        rows = self.rows(partner_id, "S|")
        return [r for r in rows if r["Kind"] == kind and r["Status"] == "Sent"]

    def accepted_by_notification(self, recipient: str) -> Counter[str]:
        """How many emails SendGrid accepted for each notification id, to this recipient."""
        return Counter(
            r.body["custom_args"]["notificationId"] for r in self.capture.accepted(recipient)
        )


def fault_env(
    app_env: dict[str, str], proxies: ProxiedStorage, capture: SendGridCapture
) -> dict[str, str]:
    suffix = uuid.uuid4().hex[:8]
    env = isolated_env(app_env, f"f{suffix}")
    env.update(
        AzureWebJobsStorage=proxies.connection_string,
        SENDGRID_API_KEY="SG.fault-key",
        SENDGRID_API_HOST=capture.url,
        SENDGRID_TIMEOUT_SECONDS=str(SENDGRID_TIMEOUT),
        SEND_LEASE_SECONDS="2",
        EMAIL_FROM="leads@partner-leads.example",
        VENDOR_NOTIFICATION_EMAIL=f"desk.{suffix}@vendor.example",
        DIGEST_THRESHOLD="100",  # every new lead is its own email here
    )
    # A second or so between attempts, as in the notification tests; but giving up only after
    # 3 minutes, longer than any outage here (the point is to outlast them).
    env.update(FAST_RETRIES, QUEUE_RETRY_GIVE_UP_HOURS="0.05")
    return env


@contextmanager
def fault_world(app_env: dict[str, str], azurite: Azurite) -> Iterator[Faults]:
    """Storage behind proxies of its own, a capture server of its own (an outage scripted
    there reaches no other test), names of its own."""
    with proxied_storage(azurite) as proxies, running_capture() as capture:
        env = fault_env(app_env, proxies, capture)
        direct = AppStorage({**env, "AzureWebJobsStorage": azurite.connection_string})
        yield Faults(env, direct, proxies, capture)


@pytest.fixture(scope="package")
def faults(app_env: dict[str, str], azurite: Azurite) -> Iterator[Faults]:
    """The world of the scenarios sharing one long-running host (each with its own partner)."""
    with fault_world(app_env, azurite) as world:
        yield world


@pytest.fixture(scope="package")
def fault_host(faults: Faults, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostProcess]:
    """Warmed up by one lead through to its email: its tables exist and its clients are built,
    so a scenario's fault meets the work it is timed for, not the host's first steps."""
    with running_host(faults.env, tmp_path_factory.mktemp("fault-host"), fast_queues=True) as host:
        partner = "warm-" + uuid.uuid4().hex[:8]
        intake = register(f"{host.base_url}/api", partner, f"{partner}@contoso.example")
        assert post_lead(intake, "warm-up").status_code == 200
        wait_for(lambda: faults.sent(partner, "NewLead"), 60, "the warm-up lead's email")
        yield host


def start_host(env: dict[str, str], workdir: Path) -> HostProcess:
    """A host that a test may kill (`process.kill()`), as `running_host` starts them."""
    (workdir / "host.json").write_text(json.dumps(FAST_HOST_JSON), encoding="utf-8")
    runtime = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return start_host_process(
        port=free_port(),
        log_path=workdir / "host.log",
        env={**runtime, **env},
        script_root=workdir,
    )


def register(api: str, partner_id: str, *contacts: str) -> str:
    body: dict[str, Any] = {
        "partnerId": partner_id,
        "name": "Contoso Ltd",
        "contacts": [{"name": f"Contact {i}", "email": e} for i, e in enumerate(contacts)],
    }
    response = requests.post(
        f"{api}/ops/partners", json=body, headers=bearer("Leads.Operator"), timeout=30
    )
    assert response.status_code == 201, response.text
    return str(response.json()["intakeUrl"]).replace("http://leads.test/api", api)


def post_lead(intake_url: str, customer: str, timeout: float = 30.0) -> requests.Response:
    """A Contact-me marketplace lead for customer number `customer`, as the marketplace posts
    it (a re-post of the same customer is the same lead)."""
    body: dict[str, Any] = {
        "UserDetails": {
            "FirstName": "Mia",
            "LastName": f"Schmidt {customer}",
            "Email": f"mia.{customer}@fabrikam.example",
            "Company": f"Fabrikam {customer}",
            "Country": "DE",
        },
        "LeadSource": "AppSource (SPZA)-PLT|fabrikam.fleet-insights",
        "OfferTitle": "Fleet Insights",
    }
    with requests.Session() as session:
        return session.post(intake_url, json=body, timeout=timeout)


def wait_for(probe: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def report(scenario: str, **figures: Any) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"scenario": scenario, **figures}, indent=2)
    Path(ARTIFACTS / f"{scenario}.json").write_text(text + "\n", encoding="utf-8")
    print(f"\n{text}")  # the figures are the point: shown with pytest -s
