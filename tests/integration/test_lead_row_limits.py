"""No volume grows a row past Table storage's limits: the busiest lead still writes (Azurite).

A string property holds 32 K UTF-16 units, an entity 1 MiB in 252 properties, a batch 4 MiB.
Azurite rejects a string past its limit, not an entity past 1 MiB, so sizes are checked here.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from azure.data.tables import TableClient, TableServiceClient

from shared.adapters.table_daily_counter import TableDailyCounter, count_key
from shared.adapters.table_lead_repository import TableLeadRepository
from shared.domain.errors import Conflict
from shared.domain.lead import Actor, Lead
from shared.domain.lead_limits import MAX_HISTORY, MAX_INTERACTIONS, MAX_TEAM
from shared.domain.lead_parts import Deal, Interaction, Person
from shared.domain.lead_policy import LeadPolicy
from shared.domain.lead_values import CallToAction
from shared.services.lead_events import LeadEvents
from tests.support.azurite import Azurite
from tests.support.leads import make_lead

P = "contoso"
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MAX_STRING = 32 * 1024
MAX_ENTITY_BYTES = 1024 * 1024
MAX_BATCH_BYTES = 4 * 1024 * 1024
MAX_PROPERTIES = 252
POLICY = LeadPolicy()


@pytest.fixture
def table(azurite: Azurite, unique_name: str) -> Iterator[TableClient]:
    service = TableServiceClient.from_connection_string(azurite.connection_string)
    yield service.create_table(f"{unique_name}Leads")
    service.delete_table(f"{unique_name}Leads")


def _size(value: Any) -> int:
    """A property's stored size, as Azure counts it (strings in UTF-16)."""
    if isinstance(value, str):
        return 4 + len(value.encode("utf-16-le"))
    return 8


def _entity_bytes(entity: Any) -> int:
    return 4 + sum(8 + 2 * len(name) + _size(value) for name, value in entity.items())


def _fits(entity: Any) -> bool:
    strings = [value for value in entity.values() if isinstance(value, str)]
    return (
        len(entity) <= MAX_PROPERTIES
        and _entity_bytes(entity) <= MAX_ENTITY_BYTES
        and all(len(text.encode("utf-16-le")) // 2 <= MAX_STRING for text in strings)
    )


def _busiest_lead() -> Lead:
    """A lead with everything as large as requests allow, then thousands of changes."""
    long = "\U0001d518" * 600  # astral: two UTF-16 units each, past 1,024 once doubled
    lead = make_lead(P, at=T0, company="C" * 1024)
    lead.description = "d" * 8000
    for n in range(5_000):  # re-deliveries at ever new, unknown stages
        stage = Interaction(action_code=f"X{n}", at=T0 + timedelta(seconds=n))
        lead.add_stage(stage, requires_action=True, actor=Actor(long), policy=POLICY)
    for cta in (CallToAction.FREE_TRIAL, CallToAction.TEST_DRIVE, CallToAction.GET_IT_NOW):
        lead.add_stage(
            Interaction(action_code=None, call_to_action=cta, at=T0),
            requires_action=True, actor=Actor("Marketplace"), policy=POLICY,
        )  # fmt: skip
    people = [Person(name="N" * 200, email=f"{i}@x.example", phone="+49309018") for i in range(50)]
    deal = Deal(name="D" * 200, notes="n" * 8000, crm_id="c" * 200, campaign_id="k" * 200)
    lead.accept(deal, team=people, contacts=people, actor=Actor(long, "u" * 500), now=T0)
    for n in range(5_000):  # edits without end
        lead.edit(deal, team=None, actor=Actor(long, f"user-{n}"), now=T0 + timedelta(hours=n))
    return lead


def test_a_lead_after_thousands_of_stages_and_edits_is_bounded_and_writes(
    table: TableClient,
) -> None:
    lead = _busiest_lead()
    repository = TableLeadRepository(table)
    # The batch carries the event of the last change too: the whole lead once more.
    last_change = lead.pull_events()[-1:]
    repository.add(lead, events=LeadEvents(policy=POLICY).of(lead, last_change))
    stored = repository.get(P, lead.id)

    assert len(stored.history) == MAX_HISTORY
    assert stored.history[0].action == "Lead received"  # how it arrived is kept
    assert stored.history[-1].actor_id == "user-4999"  # and the latest
    # Received, the stages up to the cap, three call-to-action stages, Accepted, 5,000 edits.
    recorded = 1 + (MAX_INTERACTIONS - 1) + 3 + 1 + 5_000
    assert stored.history_omitted == recorded - MAX_HISTORY
    stages = {i.call_to_action or i.action_code for i in stored.interactions}
    assert len(stored.interactions) <= MAX_INTERACTIONS + 4
    assert {CallToAction.FREE_TRIAL, CallToAction.TEST_DRIVE, CallToAction.GET_IT_NOW} <= stages
    with pytest.raises(Conflict, match="team is full"):
        stored.add_team_member(Person(name="One more"), actor=Actor("A"), now=T0)
    assert len(stored.team) == MAX_TEAM

    written = list(table.query_entities("PartitionKey eq @p", parameters={"p": P}))
    assert all(_fits(row) for row in written), [_entity_bytes(row) for row in written]
    assert sum(_entity_bytes(row) for row in written) < MAX_BATCH_BYTES  # one batch wrote them
    # Among them a search-index copy per term: company, first name, last name, email.
    assert sum(row["RowKey"].startswith("Q|") for row in written) == 4
    assert sum(row["RowKey"].startswith("T|") for row in written) == 1


def test_a_day_counter_written_before_the_chunking_grows_past_one_property(
    table: TableClient,
) -> None:
    day = date(2026, 11, 23)
    ids = [uuid.uuid4().hex for _ in range(950)]  # 33,250 characters of JSON: past one string
    legacy = {"PartitionKey": P, "RowKey": count_key(day), "Count": 900}
    table.create_entity(legacy | {"Counted": json.dumps(ids[:900])})  # what one string holds
    counter = TableDailyCounter(table)
    for notification_id in ids[900:]:
        assert counter.take_slot(P, day, notification_id, 2_000)
    assert counter.take_slot(P, day, ids[0], 2_000)  # the legacy ids still count
    row = table.get_entity(P, count_key(day))
    assert row["Count"] == 950
    assert _fits(row)
