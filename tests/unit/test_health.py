"""The health check: probes run at once, each bounded; required ones decide the answer."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from shared.adapters.sendgrid_health import SendGridSettingsProbe
from shared.config import Settings
from shared.domain.errors import DependencyUnavailable
from shared.services.health import HealthCheck
from shared.services.health_ports import DependencyStatus, Probed
from shared.services.queue_watch import POISON_EVENT, QueueWatch

BUDGET = 0.3


@dataclass
class FakeProbe:
    name: str
    required: bool = True
    outcome: Probed | Exception = field(default_factory=Probed)
    hang: threading.Event | None = None  # blocks until set, as a storage call that never ends
    delay: float = 0.0
    meet: threading.Barrier | None = None  # passed only once every probe sharing it is running

    def check(self) -> Probed:
        time.sleep(self.delay)
        if self.meet is not None:
            self.meet.wait()
        if self.hang is not None:
            self.hang.wait()
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


@dataclass
class FakeGauge:
    counts: dict[str, int]
    down: set[str] = field(default_factory=set)

    def approximate_count(self, queue: str) -> int:
        if queue in self.down:
            raise DependencyUnavailable(f"Queue {queue} did not answer.")
        return self.counts.get(queue, 0)


@pytest.fixture
def hung() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()  # frees the probe's thread once the test is done with it


def _check(*probes: FakeProbe, gauge: FakeGauge | None = None) -> HealthCheck:
    return HealthCheck(
        probes, gauge or FakeGauge({}), ["notifications", "work"], budget_seconds=BUDGET
    )


def test_a_hung_required_probe_is_unavailable_at_the_deadline_and_the_others_are_reported(
    hung: threading.Event,
) -> None:
    check = _check(FakeProbe("tables", hang=hung), FakeProbe("queues"), FakeProbe("blobs"))
    started = time.monotonic()
    report = check.report()
    elapsed = time.monotonic() - started

    assert elapsed < BUDGET + 0.2  # not waiting for the hung probe
    assert report.status == "unavailable"
    tables = report.checks["tables"]
    assert (tables.status, tables.detail) == (
        DependencyStatus.UNAVAILABLE,
        "No answer within 0.3 s.",
    )
    assert tables.latency_ms >= BUDGET * 1000
    assert report.checks["queues"].status == DependencyStatus.OK
    assert report.checks["queues"].latency_ms < BUDGET * 1000
    assert report.queues is None


def test_probes_run_side_by_side_so_slow_ones_cost_one_wait() -> None:
    # Each probe answers only once all three are running: run in sequence, the first would
    # wait at the barrier until the deadline and be reported unavailable.
    meet = threading.Barrier(3, timeout=2)
    slow = [FakeProbe(name, meet=meet) for name in ("tables", "queues", "blobs")]
    report = _check(*slow).report()
    assert report.status == "ok"
    assert {check.status for check in report.checks.values()} == {DependencyStatus.OK}


def test_an_optional_dependency_down_is_reported_but_the_app_serves() -> None:
    sendgrid = FakeProbe("sendgrid", required=False, outcome=Probed(DependencyStatus.UNAVAILABLE))
    report = _check(FakeProbe("tables"), sendgrid).report()
    assert report.status == "ok"
    assert report.checks["sendgrid"].status == DependencyStatus.UNAVAILABLE
    assert report.checks["sendgrid"].required is False


def test_storage_errors_and_surprises_are_unavailable_never_raised() -> None:
    report = _check(
        FakeProbe("tables", outcome=DependencyUnavailable("Storage answered 503.")),
        FakeProbe("queues", outcome=RuntimeError("a bug")),
    ).report()
    assert report.status == "unavailable"
    assert report.checks["tables"].detail == "Storage answered 503."
    assert report.checks["queues"].detail == "The check failed unexpectedly."


def test_deep_counts_each_queue_and_its_poison_queue() -> None:
    gauge = FakeGauge({"notifications": 4, "work-poison": 2}, down={"notifications-poison"})
    report = _check(FakeProbe("tables"), gauge=gauge).report(deep=True)
    assert report.queues is not None
    counts = {q.queue: (q.messages, q.poison_messages) for q in report.queues}
    assert counts == {"notifications": (4, None), "work": (0, 2)}  # None: did not answer
    assert report.status == "ok"  # queue depths inform; the probes decide


def test_the_report_speaks_camel_case() -> None:
    body = _check(FakeProbe("tables")).report(deep=True).model_dump(by_alias=True)
    assert body["checks"]["tables"].keys() == {"status", "required", "latencyMs", "detail"}
    assert body["queues"][0].keys() == {"queue", "messages", "poisonMessages"}


@pytest.mark.parametrize(
    ("key", "status"),
    [
        (None, DependencyStatus.NOT_CONFIGURED),
        ("SG.real-looking-key", DependencyStatus.OK),
        ("@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/sg/)", "unavailable"),
    ],
)
def test_sendgrid_is_judged_from_its_settings(key: str | None, status: str) -> None:
    values = {
        "AzureWebJobsStorage": "UseDevelopmentStorage=true",
        "AUTH_ISSUER": "https://issuer.test",
        "AUTH_AUDIENCE": "api://test",
        "AUTH_PUBLIC_KEY": "unused here",
    }
    if key is not None:
        values |= {"SENDGRID_API_KEY": key, "EMAIL_FROM": "leads@example.com"}
    probe = SendGridSettingsProbe(Settings.model_validate(values))
    assert probe.required is False
    assert probe.check().status == status


def test_the_queue_watch_warns_for_each_poison_queue_holding_messages(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gauge = FakeGauge({"work": 7, "work-poison": 2}, down={"notifications-poison"})
    with caplog.at_level(logging.INFO):
        counts = QueueWatch(gauge, ["notifications", "work"]).run()
    assert counts == {"notifications": 0, "work": 7, "work-poison": 2}
    poisoned = [r for r in caplog.records if getattr(r, "event", None) == POISON_EVENT]
    assert [(r.levelno, r.queue, r.messages) for r in poisoned] == [  # type: ignore[attr-defined]
        (logging.WARNING, "work-poison", 2)
    ]
    uncounted = [r for r in caplog.records if getattr(r, "event", None) == "queue.uncounted"]
    assert [r.queue for r in uncounted] == ["notifications-poison"]  # type: ignore[attr-defined]
