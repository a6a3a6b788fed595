"""The reindex-leads job against a real Azurite: a lead stored under an older index layout (no
search or owner rows, listed in the range the layout had then) gets the current rows, once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from azure.data.tables import TableClient, TableServiceClient, UpdateMode

from shared.adapters import lead_rows as rows
from shared.adapters.table_lead_index_audit import TableLeadIndexAudit
from shared.adapters.table_lead_repository import TableLeadRepository
from shared.services.dry_run_ports import DryLeads
from shared.services.lead_reindex import REINDEXED, LeadReindex
from tests.support.azurite import Azurite
from tests.support.leads import make_lead

P = "contoso"
AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def table(azurite: Azurite, unique_name: str) -> TableClient:
    service = TableServiceClient.from_connection_string(azurite.connection_string)
    return service.create_table(f"{unique_name}Leads")


def _keys(table: TableClient) -> set[str]:
    return {entity["RowKey"] for entity in table.list_entities(select=["RowKey"])}


def _as_an_older_layout_left_it(table: TableClient, lead_id: str) -> None:
    """What a lead written before the search and owner indexes and the awaiting range looks
    like: only its lead row, listed under A|, with no layout number."""
    lead_row = dict(table.get_entity(P, rows.lead_key(lead_id)))
    current = [key for key in _keys(table) if key.endswith(lead_id) and key[:2] != rows.LEAD]
    older = [key.replace(rows.AWAITING, rows.ACTIVE, 1) for key in current if key[:2] == "U|"]
    for key in current:
        if key[:2] != rows.DEDUP:
            table.delete_entity(P, key)
    del lead_row["IndexLayout"]
    lead_row["IndexKeys"] = f'["{older[0]}"]'
    table.upsert_entity(lead_row, mode=UpdateMode.REPLACE)
    table.upsert_entity({**lead_row, "RowKey": older[0]}, mode=UpdateMode.REPLACE)


def test_an_outdated_lead_gets_the_current_rows_and_a_second_run_finds_nothing(
    table: TableClient,
) -> None:
    repository = TableLeadRepository(table)
    old, current = make_lead(P, at=AT), make_lead(P, at=AT)
    for lead in (old, current):
        repository.add(lead)
    expected = _keys(table)
    _as_an_older_layout_left_it(table, old.id)
    assert not any(key[:2] in ("Q|", "W|", "U|") and key.endswith(old.id) for key in _keys(table))

    audit = TableLeadIndexAudit(table)
    assert list(audit.outdated(P)) == [old.id]
    job = LeadReindex(audit=audit, leads=repository)
    assert job.run_partner(P, AT, limit=10).counts[REINDEXED] == 1
    assert _keys(table) == expected  # search, owner and awaiting rows back; the A| copy gone
    assert repository.get(P, old.id).version == old.version  # rewritten, not changed
    assert job.run_partner(P, AT, limit=10).counts[REINDEXED] == 0


def test_a_dry_run_counts_and_writes_nothing(table: TableClient) -> None:
    repository = TableLeadRepository(table)
    lead = make_lead(P, at=AT)
    repository.add(lead)
    _as_an_older_layout_left_it(table, lead.id)
    before = _keys(table)
    audit = TableLeadIndexAudit(table)
    job = LeadReindex(audit=audit, leads=DryLeads(repository))  # as the dry ports wire it
    assert job.run_partner(P, AT, limit=10).counts[REINDEXED] == 1
    assert _keys(table) == before
    assert list(audit.outdated(P)) == [lead.id]
