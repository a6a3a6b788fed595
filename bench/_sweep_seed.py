"""The expiry benchmark's seed: partners and their leads written straight to storage in batches
of 100, built by the domain and laid out by lead_rows.py as the repository writes them; only the
rows a sweep reads or rewrites: the lead (`L|`), its listing copy (`U|` while it awaits an
answer, `Z|` once archived) and its expiry row (`E|`, a copy). Leads are seeded as already
reminded (no `R|` row): 48 hours before their expiry, they would be.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from azure.data.tables import TableClient

from bench._write_control import control_rows
from shared.adapters import lead_rows as rows
from shared.adapters.lead_batches import index_keys, stored_entity
from shared.adapters.table_partner_repository import TablePartnerRepository
from shared.domain.lead import Lead
from shared.domain.partner import Partner
from tests.support.leads import make_lead

_BATCH = 100  # the most one entity-group transaction takes
_WRITERS = 4


@dataclass(frozen=True)
class Store:
    """What a partner's partition holds, over `partners` partners: `due` leads past respondBy,
    `active` more awaiting an answer (None: every other lead), the rest archived long ago."""

    label: str
    stored: int
    due: int
    active: int | None = None


def seed(
    leads: TableClient,
    partners: TablePartnerRepository,
    *,
    partner_ids: Sequence[str],
    store: Store,
    as_of: datetime,
) -> tuple[int, list[str]]:
    """Write the store, as of `as_of`; answers the entities written and the keys of the control
    rows (_write_control.py) seeded next to each partner's due leads."""
    count = len(partner_ids)
    per_partner, due_per_partner = store.stored // count, store.due // count
    waiting = per_partner - due_per_partner if store.active is None else store.active // count
    archived = per_partner - due_per_partner - waiting
    window = timedelta(days=14)
    step = (window - timedelta(minutes=1)) / max(1, waiting)
    written, controls = 0, []
    with ThreadPoolExecutor(_WRITERS) as pool:
        for number, partner_id in enumerate(partner_ids):
            partners.add(_partner(partner_id, as_of))
            entities: list[dict[str, Any]] = []
            batches: list[list[dict[str, Any]]] = []
            keys = [f"{number:03d}-{n:04d}" for n in range(due_per_partner)]
            for i in range(per_partner):
                if i < archived:  # expired long ago: the lead and its archived listing copy
                    arrived = as_of - 2 * window - timedelta(minutes=5 * (archived - i))
                elif i < archived + due_per_partner:  # respondBy up to an hour before as_of
                    n = i - archived + 1
                    arrived = as_of - window - timedelta(seconds=3600 * n / due_per_partner)
                else:  # respondBy after as_of, spread over the coming two weeks
                    n = i - archived - due_per_partner
                    arrived = as_of - window + timedelta(minutes=1) + step * n
                lead = make_lead(partner_id, at=arrived, lead_id=f"lead{i:07d}")
                if i < archived and lead.respond_by:
                    lead.expire(lead.respond_by)
                entities += _rows(lead)
                if i == archived + due_per_partner - 1:  # right after the due leads
                    batches = _batches(entities) + _batches(control_rows(keys, lead_doc(lead)))
                    entities = []
            batches += _batches(entities)
            for _ in pool.map(_submit(leads), batches):
                pass
            written += sum(map(len, batches)) - len(keys) * 3
            controls += keys
    return written, controls


def lead_doc(lead: Lead) -> str:
    doc: str = rows.lead_entity(lead, "x")["Doc0"]
    return doc


def _batches(entities: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [entities[i : i + _BATCH] for i in range(0, len(entities), _BATCH)]


def _rows(lead: Lead) -> list[dict[str, Any]]:
    lead.reminded_at = lead.remind_at
    keys = index_keys(lead)  # the listing copy, and the expiry row while the lead waits
    return [
        stored_entity(lead, keys, rows.lead_key(lead.id)),
        rows.lead_entity(lead, keys[0]),
        *(stored_entity(lead, keys, key) for key in keys[1:]),
    ]


def _submit(table: TableClient) -> Any:
    def submit(batch: list[dict[str, Any]]) -> None:
        table.submit_transaction([("create", entity) for entity in batch])

    return submit


def _partner(partner_id: str, now: datetime) -> Partner:
    return Partner(
        partner_id=partner_id,
        name=partner_id,
        intake_key_hash="0" * 64,
        created_at=now,
        intake_key_rotated_at=now,
    )
