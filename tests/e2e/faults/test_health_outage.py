"""Health through the real local host while every storage service accepts connections and never
answers: 503 naming each service within 2 s, and 200 again once storage answers."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from tests.e2e.faults.conftest import Faults, fault_world, report, wait_for
from tests.support.auth import bearer
from tests.support.azurite import Azurite
from tests.support.fault_proxy import HANG, PASS
from tests.support.hosts import running_host
from tools.localhost.process import HostProcess


@pytest.fixture(scope="module")
def hung(
    app_env: dict[str, str], azurite: Azurite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Faults, HostProcess]]:
    """A world and host of their own: hung storage leaves a host's queue listeners waiting out
    their read timeouts, which the other scenarios must not inherit."""
    with (
        fault_world(app_env, azurite) as world,
        running_host(world.env, tmp_path_factory.mktemp("hung-host"), fast_queues=True) as host,
    ):
        yield world, host


def test_health_answers_503_within_2_s_while_storage_hangs_and_200_after(
    hung: tuple[Faults, HostProcess],
) -> None:
    faults, fault_host = hung
    health = f"{fault_host.base_url}/api/health"
    operator = bearer("Leads.Operator")
    assert requests.get(health, timeout=10).status_code == 200  # the worker's clients are built
    faults.proxies.set(HANG)
    try:
        started = time.monotonic()
        shallow = requests.get(health, timeout=10)
        shallow_seconds = time.monotonic() - started
        started = time.monotonic()
        deep = requests.get(health, params={"deep": "true"}, headers=operator, timeout=10)
        deep_seconds = time.monotonic() - started
    finally:
        faults.proxies.set(PASS)
    recovered = wait_for(
        lambda: requests.get(health, timeout=10).status_code == 200, 10, "health to recover"
    )
    report(
        "storage-hangs-health",
        shallowSeconds=round(shallow_seconds, 3),
        deepSeconds=round(deep_seconds, 3),
        latencyMs={name: check["latencyMs"] for name, check in shallow.json()["checks"].items()},
    )

    assert (shallow.status_code, deep.status_code) == (503, 503)
    assert shallow_seconds < 2.0
    assert deep_seconds < 2.0
    checks = shallow.json()["checks"]
    for name in ("tables", "queues", "blobs"):
        assert checks[name]["status"] == "unavailable", checks
        assert checks[name]["required"] is True
    queues = deep.json()["queues"]
    app_queues = {faults.env[name] for name in ("NOTIFICATIONS_QUEUE", "DELIVERIES_QUEUE")}
    assert {q["queue"] for q in queues} >= app_queues
    assert all(q["messages"] is None and q["poisonMessages"] is None for q in queues)
    assert recovered
