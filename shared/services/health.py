"""Is the app able to serve? Every probe runs; the report names each dependency's state."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from shared.domain.errors import DependencyUnavailable
from shared.domain.model import ApiModel
from shared.services.ports import HealthProbe


class HealthReport(ApiModel):
    status: str
    checks: dict[str, str]


def check_health(probes: Sequence[HealthProbe]) -> HealthReport:
    """Run the probes side by side, so a dead dependency costs one timeout, not one each."""
    with ThreadPoolExecutor(max_workers=max(1, len(probes))) as pool:
        states = list(pool.map(_state, probes))
    checks = {probe.name: state for probe, state in zip(probes, states, strict=True)}
    healthy = all(state == "ok" for state in checks.values())
    return HealthReport(status="ok" if healthy else "unavailable", checks=checks)


def _state(probe: HealthProbe) -> str:
    try:
        probe.check()
    except DependencyUnavailable:
        return "unavailable"
    return "ok"
