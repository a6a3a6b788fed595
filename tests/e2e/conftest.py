"""The real function app, served by the local host against the worker's Azurite."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import requests

from tests.support.app_storage import AppStorage
from tests.support.auth import AUDIENCE, ISSUER, key_pair
from tests.support.azurite import Azurite, connection_string, free_port
from tests.support.hosts import isolated_env, running_host
from tools.localhost.process import HostProcess


@pytest.fixture(scope="session")
def app_env(azurite: Azurite) -> dict[str, str]:
    """The app settings the e2e host runs with: unique storage names for this test worker."""
    suffix = uuid.uuid4().hex[:8]
    return {
        "AzureWebJobsStorage": azurite.connection_string,
        "STORAGE_PREFIX": f"e{suffix}",
        "AUTH_ISSUER": ISSUER,
        "AUTH_AUDIENCE": AUDIENCE,
        "AUTH_PUBLIC_KEY": key_pair().public_pem,
        "PUBLIC_BASE_URL": "http://leads.test",
        "NOTIFICATIONS_QUEUE": f"notifications-{suffix}",
        "DELIVERIES_QUEUE": f"deliveries-{suffix}",
        # Jobs run on demand in tests (POST /api/ops/jobs/...), never on their own mid-test.
        "RELAY_OUTBOX_SCHEDULE": "0 0 0 1 1 *",
        "RELAY_DELIVERIES_SCHEDULE": "0 0 0 1 1 *",
        "EXPIRE_LEADS_SCHEDULE": "0 0 0 1 1 *",
        "ARCHIVE_INFORMATIONAL_SCHEDULE": "0 0 0 1 1 *",
        "SEND_DIGESTS_SCHEDULE": "0 0 0 1 1 *",
        "REMIND_EXPIRING_SCHEDULE": "0 0 0 1 1 *",
        "ESCALATE_STALE_LEADS_SCHEDULE": "0 0 0 1 1 *",
        "WATCH_QUEUES_SCHEDULE": "0 0 0 1 1 *",
        "WORK_QUEUE": f"work-{suffix}",
        "WEBHOOK_DELIVERIES_QUEUE": f"webhooks-{suffix}",
        "DISPATCH_WEBHOOKS_SCHEDULE": "0 0 0 1 1 *",
        # Webhooks only ever reach this machine from a test host (the fuzz invents URLs).
        "WEBHOOK_TARGETS": "loopback",
        # The change feed serves events half a second old here, not a minute (table_event_log.py:
        # exact only while batches commit within it, which Azurite's do).
        "EVENT_FEED_SETTLE_SECONDS": "0.5",
        # The tests here read the notifications queue; the notification tests (e2e/notifications)
        # run a host of their own that consumes it.
        "AzureWebJobs.process_notification.Disabled": "true",
    }


@pytest.fixture(scope="session")
def app_host(
    app_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HostProcess]:
    """`function_app:app` under the local host, seeing only the settings the tests choose,
    served by two worker processes: nothing the tests see may depend on one process's memory
    (any two requests may meet different processes, as they may meet different instances)."""
    env = {**app_env, "FUNCTIONS_WORKER_PROCESS_COUNT": "2"}
    with running_host(env, tmp_path_factory.mktemp("host")) as host:
        yield host


@pytest.fixture(scope="session")
def api(app_host: HostProcess) -> str:
    return f"{app_host.base_url}/api"


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture
def partner_id() -> str:
    return "p-" + uuid.uuid4().hex[:10]


@pytest.fixture
def storage(app_env: dict[str, str]) -> AppStorage:
    return AppStorage(app_env)


@pytest.fixture(scope="session")
def host_without_queue(
    app_env: dict[str, str], azurite: Azurite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The same app and tables, but its queue endpoint is a port where nothing listens: every
    queue write fails for real, after the table write has succeeded."""
    dead = free_port()
    crippled = {
        **app_env,
        "AzureWebJobsStorage": connection_string(azurite.blob_port, dead, azurite.table_port),
    }
    with running_host(crippled, tmp_path_factory.mktemp("crippled-host")) as host:
        yield f"{host.base_url}/api"


@pytest.fixture(scope="session")
def dev_api(app_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app as `make run` serves it: the dev sign-in on (signing with the tests' key), on
    tables of its own."""
    env = {
        **isolated_env(app_env, f"d{uuid.uuid4().hex[:8]}"),
        "DEV_SIGN_IN_ENABLED": "true",
        "DEV_SIGNING_KEY": key_pair().private_pem.decode(),
    }
    with running_host(env, tmp_path_factory.mktemp("dev-host")) as host:
        yield f"{host.base_url}/api"
