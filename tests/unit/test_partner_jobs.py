"""Fan-out of the partner jobs: timers enqueue batches, handlers keep to a budget, ops run all."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.delivery import Delivery
from shared.domain.errors import DependencyUnavailable, NotFound
from shared.domain.redelivery import Redelivery
from shared.domain.work_order import WorkOrder
from shared.services import job_names
from shared.services.job_ports import PartnerRun
from shared.services.partner_jobs import PartnerJobs
from tests.unit.fakes import SteppingClock
from tests.unit.job_fakes import RecordingWorkQueue, StaticPartnerDirectory
from tests.unit.retry_fakes import RecordingRedeliveries, retries
from tests.unit.test_infra import REPO

AS_OF = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


@dataclass
class BacklogJob:
    """Each partner has `due[partner]` leads due; a run changes up to `limit` of them."""

    due: dict[str, int]
    calls: list[tuple[str, int]] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)  # partners whose storage is down

    @property
    def reports(self) -> tuple[str, ...]:
        return ("done", "skipped")

    def run_partner(self, partner_id: str, as_of: datetime, *, limit: int) -> PartnerRun:
        assert as_of == AS_OF
        self.calls.append((partner_id, limit))
        if partner_id in self.failing:
            raise DependencyUnavailable("Storage answered 503; try again shortly.")
        changed = min(limit, self.due.get(partner_id, 0))
        self.due[partner_id] = self.due.get(partner_id, 0) - changed
        return PartnerRun(Counter(done=changed), changed, more=self.due[partner_id] > 0)


def _jobs(
    job: BacklogJob,
    partners: list[str],
    queue: RecordingWorkQueue,
    later: RecordingRedeliveries | None = None,
    clock: SteppingClock | None = None,
) -> PartnerJobs:
    return PartnerJobs(
        jobs={"backlog": job},
        partners=StaticPartnerDirectory(partners),
        queue=queue,
        retries=retries(later or RecordingRedeliveries()),
        clock=clock or SteppingClock(AS_OF),
        partners_per_order=25,
        leads_per_order=100,
    )


def _first(order: WorkOrder) -> Delivery:
    return Delivery("m1", 1, order.redelivery)


def test_a_timer_run_enqueues_one_order_per_batch_of_partners() -> None:
    partners = [f"p{i:02d}" for i in range(60)]
    queue = RecordingWorkQueue()
    job = BacklogJob({})
    assert _jobs(job, partners, queue).dispatch("backlog", AS_OF) == {
        "partners": 60,
        "workOrders": 3,
    }
    assert [len(order.partner_ids) for order in queue.orders] == [25, 25, 10]
    assert [p for order in queue.orders for p in order.partner_ids] == partners
    assert job.calls == []  # the timer does no work itself


def test_an_order_keeps_to_its_budget_and_enqueues_the_rest() -> None:
    queue = RecordingWorkQueue()
    job = BacklogJob({"a": 30, "b": 250, "c": 5})
    jobs = _jobs(job, [], queue)

    order = WorkOrder.for_partners("backlog", AS_OF, ["a", "b", "c"])
    first = jobs.handle(order, _first(order))

    assert first == {"partners": 2, "done": 100, "continued": 1}
    assert job.calls == [("a", 100), ("b", 70)]
    (rest,) = queue.orders
    assert (rest.job, rest.as_of, rest.partner_ids) == ("backlog", AS_OF, ("b", "c"))

    jobs.handle(rest, _first(rest))
    jobs.handle(queue.orders[1], _first(queue.orders[1]))
    assert job.due == {"a": 0, "b": 0, "c": 0}
    assert len(queue.orders) == 2  # the last order finished without a continuation


def test_an_order_that_ends_on_its_budget_passes_on_the_untouched_partners() -> None:
    queue = RecordingWorkQueue()
    job = BacklogJob({"a": 100, "b": 1})
    order = WorkOrder.for_partners("backlog", AS_OF, ["a", "b"])
    _jobs(job, [], queue).handle(order, _first(order))
    assert [order.partner_ids for order in queue.orders] == [("b",)]


def test_a_storage_failure_puts_the_partners_not_done_back_with_back_off() -> None:
    job = BacklogJob({"a": 5, "b": 5, "c": 5})
    job.failing = {"b"}
    later, clock = RecordingRedeliveries(), SteppingClock(AS_OF)
    jobs = _jobs(job, [], RecordingWorkQueue(), later, clock)
    order = WorkOrder.for_partners("backlog", AS_OF, ["a", "b", "c"])

    assert jobs.handle(order, _first(order)) == {"partners": 2, "done": 5, "deferred": 1}
    copy, delay = later.take()
    assert isinstance(copy, WorkOrder)
    assert (copy.id, copy.partner_ids, delay) == (order.id, ("b", "c"), timedelta(minutes=1))
    assert copy.redelivery == Redelivery(attempt=2, first_attempt_at=AS_OF, chain="m1")

    job.failing = set()
    clock.advance(minutes=1)
    assert jobs.handle(copy, Delivery("m2", 1, copy.redelivery))["done"] == 10
    assert job.due == {"a": 0, "b": 0, "c": 0}


def test_a_work_order_failing_for_24_hours_is_parked() -> None:
    job = BacklogJob({"a": 5})
    job.failing = {"a"}
    later, clock = RecordingRedeliveries(), SteppingClock(AS_OF)
    jobs = _jobs(job, [], RecordingWorkQueue(), later, clock)
    order = WorkOrder.for_partners("backlog", AS_OF, ["a"])
    jobs.handle(order, _first(order))
    while later.later_calls:
        copy, delay = later.take()
        assert isinstance(copy, WorkOrder)
        clock.advance(seconds=delay.total_seconds())
        jobs.handle(copy, Delivery("m", 1, copy.redelivery))
    assert clock.now() - AS_OF >= timedelta(hours=24)
    (parked,) = later.parked
    assert parked == order  # without its retry state: put back, it starts afresh


def test_an_operator_run_goes_to_the_end_and_answers_every_count() -> None:
    job = BacklogJob({"a": 250})
    counts = _jobs(job, ["a", "b"], RecordingWorkQueue()).run("backlog", AS_OF)
    assert counts == {"partners": 2, "done": 250, "skipped": 0}
    assert job.calls == [("a", 100), ("a", 100), ("a", 100), ("b", 100)]


def test_an_unknown_job_is_not_found() -> None:
    jobs = _jobs(BacklogJob({}), ["a"], RecordingWorkQueue())
    with pytest.raises(NotFound):
        jobs.dispatch("nope", AS_OF)
    unknown = WorkOrder.for_partners("nope", AS_OF, ["a"])
    with pytest.raises(NotFound):
        jobs.handle(unknown, _first(unknown))


def test_a_work_order_round_trips_as_camel_case_json() -> None:
    order = WorkOrder.for_partners(job_names.EXPIRE_LEADS, AS_OF, ["a", "b"])
    body = json.loads(order.model_dump_json(by_alias=True))
    assert set(body) == {"id", "job", "asOf", "partnerIds", "redelivery"}
    assert WorkOrder.model_validate_json(order.model_dump_json(by_alias=True)) == order


def test_the_decorators_bind_each_job_to_its_schedule_setting_and_the_work_queue() -> None:
    bindings = {
        name: binding
        for name, function_json in _indexed().items()
        for binding in json.loads(function_json)["bindings"]
        if binding["type"] in ("timerTrigger", "queueTrigger")
    }
    assert {name: bindings[name].get("schedule") for name in _TIMERS} == _TIMERS
    assert all(bindings[name]["runOnStartup"] is False for name in _TIMERS)
    assert bindings["process_work"]["queueName"] == "%WORK_QUEUE%"
    assert bindings["process_work"]["connection"] == "AzureWebJobsStorage"


_TIMERS = {
    "expire_leads": "%EXPIRE_LEADS_SCHEDULE%",
    "archive_informational_leads": "%ARCHIVE_INFORMATIONAL_SCHEDULE%",
    "send_digests": "%SEND_DIGESTS_SCHEDULE%",
    "remind_expiring": "%REMIND_EXPIRING_SCHEDULE%",
    "escalate_stale_leads": "%ESCALATE_STALE_LEADS_SCHEDULE%",
}


def _indexed() -> dict[str, str]:
    """Function name -> function.json, as the host indexes the app (a fresh import: the SDK
    indexes an app object once)."""
    code = (
        "import json, function_app; print(json.dumps({f.get_function_name(): "
        "f.get_function_json() for f in function_app.app.get_functions()}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    indexed: dict[str, str] = json.loads(done.stdout)
    return indexed
