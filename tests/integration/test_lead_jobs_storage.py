"""The sweeps' storage against a real Azurite: due rows as copies, guarded writes, racing sweeps."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from azure.data.tables import TableClient, TableServiceClient, UpdateMode

from shared.adapters import lead_rows as rows
from shared.adapters.clock import FixedClock
from shared.adapters.table_due_leads import TableDueLeads
from shared.adapters.table_lead_repository import TableLeadRepository
from shared.domain.errors import ConcurrentModification
from shared.domain.lead import Actor
from shared.domain.lead_parts import Deal, Interaction
from shared.domain.lead_policy import LeadPolicy
from shared.domain.lead_values import CallToAction, LeadStatus, Outcome
from shared.services.job_ports import DueKind
from shared.services.lead_events import LeadEvents
from shared.services.lead_sweeps import EXPIRE, LeadSweep
from shared.services.reminder_sweeps import ReminderSweep
from tests.support.azurite import Azurite
from tests.support.leads import make_lead
from tests.unit.fakes import RecordingPublisher

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
P = "contoso"
CLOCK = FixedClock(T0 + timedelta(days=16))  # the real time the jobs run at
ALEX = Actor("Alex Admin", "u-1")


@pytest.fixture
def service(azurite: Azurite) -> TableServiceClient:
    return TableServiceClient.from_connection_string(azurite.connection_string)


@pytest.fixture
def table(service: TableServiceClient, unique_name: str) -> TableClient:
    return service.create_table(f"{unique_name}Leads")


@pytest.fixture
def repository(table: TableClient) -> TableLeadRepository:
    return TableLeadRepository(table)


@pytest.fixture
def due(table: TableClient, repository: TableLeadRepository) -> TableDueLeads:
    return TableDueLeads(table, repository)


def _expiry_sweep(
    due: TableDueLeads, repository: TableLeadRepository, publisher: RecordingPublisher
) -> LeadSweep:
    return LeadSweep(
        events=LeadEvents(policy=LeadPolicy()),
        rule=EXPIRE,
        due=due,
        leads=repository,
        publisher=publisher,
        clock=CLOCK,
    )


def _row(table: TableClient, key: str) -> dict[str, object]:
    return dict(table.get_entity(P, key))


def _keys(table: TableClient, prefix: str) -> list[str]:
    query = "PartitionKey eq @p and RowKey ge @start and RowKey lt @end"
    found = table.query_entities(
        query, parameters={"p": P, "start": prefix, "end": rows.key_after(prefix)}
    )
    return sorted(entity["RowKey"] for entity in found)


def test_due_rows_are_copies_rewritten_with_every_write(
    table: TableClient, repository: TableLeadRepository
) -> None:
    lead = repository.add(make_lead(P, at=T0))
    (expiry,) = _keys(table, rows.EXPIRY_DUE)
    before = table.get_entity(P, expiry)
    assert rows.lead_from_entity(before).model_dump() == lead.model_dump()

    stage = Interaction(action_code="INS", call_to_action=CallToAction.GET_IT_NOW, at=T0)
    changed = repository.get(P, lead.id)
    assert changed.add_stage(stage, requires_action=False, actor=ALEX, policy=LeadPolicy())
    repository.save(changed)

    after = table.get_entity(P, expiry)
    assert after.metadata["etag"] != before.metadata["etag"]
    assert len(rows.lead_from_entity(after).interactions) == 2
    changed = repository.get(P, lead.id)
    changed.accept(Deal(name="Fleet"), team=[], contacts=[], actor=ALEX, now=T0)
    repository.save(changed)
    assert _keys(table, rows.EXPIRY_DUE) == _keys(table, rows.REMINDER_DUE) == []


def test_a_due_range_returns_only_what_is_due_by_then(
    repository: TableLeadRepository, due: TableDueLeads
) -> None:
    early = repository.add(make_lead(P, at=T0))
    repository.add(make_lead(P, at=T0 + timedelta(seconds=1)))
    as_of = T0 + timedelta(days=14)
    found = list(due.due(P, DueKind.EXPIRY, since=None, through=as_of))
    assert [item.lead.id for item in found] == [early.id]
    assert found[0].etag


def test_a_guarded_write_loses_to_a_change_made_after_the_copy_was_read(
    repository: TableLeadRepository, due: TableDueLeads
) -> None:
    lead = repository.add(make_lead(P, at=T0))
    (item,) = due.due(P, DueKind.EXPIRY, since=None, through=T0 + timedelta(days=15))
    accepted = repository.get(P, lead.id)
    accepted.accept(Deal(name="Fleet"), team=[], contacts=[], actor=ALEX, now=T0)
    repository.save(accepted)

    assert item.lead.expire(T0 + timedelta(days=15))
    with pytest.raises(ConcurrentModification):
        due.commit(item, outbox=[])
    assert repository.get(P, lead.id).status is LeadStatus.ACCEPTED


def test_a_change_that_keeps_the_lead_due_is_not_overwritten_by_the_sweep(
    repository: TableLeadRepository, due: TableDueLeads
) -> None:
    lead = repository.add(make_lead(P, at=T0))
    as_of = T0 + timedelta(days=15)
    (item,) = due.due(P, DueKind.EXPIRY, since=None, through=as_of)
    changed = repository.get(P, lead.id)  # a new stage arrives after the sweep read the copy
    stage = Interaction(action_code="INS", call_to_action=CallToAction.GET_IT_NOW, at=T0)
    changed.add_stage(stage, requires_action=False, actor=ALEX, policy=LeadPolicy())
    repository.save(changed)

    assert item.lead.expire(as_of)
    with pytest.raises(ConcurrentModification):
        due.commit(item, outbox=[])  # its copy is stale: writing it would drop the stage

    job = _expiry_sweep(due, repository, RecordingPublisher())
    assert job.run_partner(P, as_of, limit=10).counts["expired"] == 1
    expired = repository.get(P, lead.id)
    assert (expired.outcome, len(expired.interactions)) == (Outcome.EXPIRED, 2)


def test_two_concurrent_sweeps_expire_and_notify_each_lead_once(
    table: TableClient, repository: TableLeadRepository, due: TableDueLeads
) -> None:
    ids = {repository.add(make_lead(P, at=T0 + timedelta(seconds=i))).id for i in range(40)}
    publishers = [RecordingPublisher(), RecordingPublisher()]
    start = threading.Barrier(2)

    def sweep(publisher: RecordingPublisher) -> Counter[str]:
        job = _expiry_sweep(due, repository, publisher)
        start.wait()
        return job.run_partner(P, T0 + timedelta(days=15), limit=1000).counts

    with ThreadPoolExecutor(2) as pool:
        counts = list(pool.map(sweep, publishers))

    assert sum(c["expired"] for c in counts) == 40
    assert sum(c["conflicts"] for c in counts) == 0
    published = [n for publisher in publishers for n in publisher.published]
    assert sorted(n.lead_id or "" for n in published) == sorted(ids)
    assert len(_keys(table, rows.OUTBOX)) == 40
    for lead_id in ids:
        lead = repository.get(P, lead_id)
        assert lead.outcome is Outcome.EXPIRED
        assert [h.action for h in lead.history].count("Expired") == 1
    assert _keys(table, rows.EXPIRY_DUE) == _keys(table, rows.REMINDER_DUE) == []
    assert len(_keys(table, rows.ARCHIVED)) == 40
    assert _keys(table, rows.ACTIVE) == _keys(table, rows.AWAITING) == []


def test_a_reminder_moves_the_lead_out_of_the_reminder_index_only(
    table: TableClient, repository: TableLeadRepository, due: TableDueLeads
) -> None:
    lead = repository.add(make_lead(P, at=T0))
    job = ReminderSweep(
        events=LeadEvents(policy=LeadPolicy()),
        reminder_before=timedelta(hours=48),
        due=due,
        leads=repository,
        publisher=RecordingPublisher(),
        clock=CLOCK,
    )
    assert job.run_partner(P, T0 + timedelta(days=12), limit=10).counts["reminded"] == 1
    assert _keys(table, rows.REMINDER_DUE) == []
    (expiry,) = _keys(table, rows.EXPIRY_DUE)
    assert rows.lead_from_entity(table.get_entity(P, expiry)).reminded_at is not None
    assert repository.get(P, lead.id).reminded_at == CLOCK.now()  # recorded in real time


def test_a_thin_due_row_written_before_copies_still_expires_its_lead(
    table: TableClient, repository: TableLeadRepository, due: TableDueLeads
) -> None:
    lead = repository.add(make_lead(P, at=T0))
    (expiry,) = _keys(table, rows.EXPIRY_DUE)
    table.upsert_entity(rows.index_entity(P, expiry, lead.id), mode=UpdateMode.REPLACE)

    job = _expiry_sweep(due, repository, RecordingPublisher())
    assert job.run_partner(P, T0 + timedelta(days=14), limit=10).counts["expired"] == 1
    assert repository.get(P, lead.id).outcome is Outcome.EXPIRED
    assert _keys(table, rows.EXPIRY_DUE) == []
