"""The real function app, served by the local host against the worker's Azurite."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import requests

from tests.support.auth import AUDIENCE, ISSUER, key_pair
from tests.support.azurite import Azurite, free_port
from tools.localhost.process import HostProcess, start_host_process


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
    }


@pytest.fixture(scope="session")
def app_host(
    app_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HostProcess]:
    """`function_app:app` under the local host, seeing only the settings the tests choose."""
    runtime = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    host = start_host_process(
        port=free_port(),
        log_path=tmp_path_factory.mktemp("host") / "host.log",
        env={**runtime, **app_env},
    )
    try:
        yield host
    finally:
        code = host.stop()
    assert code == 0, f"the host did not stop cleanly ({code}):\n{host.logs()}"


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
