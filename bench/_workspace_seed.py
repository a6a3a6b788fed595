"""A partner with a long archive and a working set of active leads, written straight to storage.

Leads are built by the domain (so they are what the app would have stored) and only the copies
listing, search and export read are written: the listing copies (`U|…`, `A|…`, `Z|…`) and the index
copies (`E|`, `G|`, `R|`, `Q|`), in batches of 100; not the lead rows or the dedup rows.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import islice
from typing import Any

from azure.data.tables import TableClient

from shared.adapters import lead_rows as rows
from shared.adapters.lead_batches import index_keys, stored_entity
from shared.bootstrap import LEADS_TABLE, Container
from shared.config import Settings
from shared.domain.lead import MARKETPLACE, Actor, Lead, LeadDetails
from shared.domain.lead_parts import Closure, Deal, Interaction
from shared.domain.lead_policy import LeadPolicy
from shared.domain.lead_values import (
    CallToAction,
    Customer,
    EmailValidity,
    LeadType,
    PhoneValidity,
    Quality,
    QualityRating,
    ReasonCode,
    Storefront,
    View,
)
from shared.domain.principal import Principal

PARTNER = "bench-workspace"
POLICY = LeadPolicy()
ADMIN = Principal("bench-admin", frozenset({"Referrals.Admin"}), partner_id=PARTNER)
ACTOR = Actor("Bench Admin", "bench-admin")
RARE_COMPANY = "Fabrikam"  # one lead in 400: what a `customer=` prefix search looks for
_BATCH = 100  # the most one entity-group transaction takes
_WRITERS = 8


def _lead(number: int, created_at: datetime, *, contact_me: bool) -> Lead:
    company = RARE_COMPANY if number % 400 == 0 else f"Contoso {number % 50}"
    details = LeadDetails(
        view=View.MARKETPLACE,
        lead_type=LeadType.OFFER,
        source=Storefront.APPSOURCE,
        interaction=Interaction(
            action_code="PLT" if contact_me else "INS",
            call_to_action=CallToAction.CONTACT_ME if contact_me else CallToAction.GET_IT_NOW,
            source=Storefront.APPSOURCE,
            at=created_at,
        ),
        customer=Customer(
            first_name="Mia", last_name="Schmidt", email=f"mia{number}@contoso.example",
            phone="+4930901820", country="DE", company=company, title="Head of IT",
        ),
        email_validity=EmailValidity.VALID,
        phone_validity=PhoneValidity.VALID,
        quality=Quality(rating=QualityRating.LOW if number % 3 == 0 else QualityRating.HIGH),
        requires_action=contact_me,
        contact_requested=contact_me,
        description="We run 400 vans and want a demo next week.",
    )  # fmt: skip
    return Lead.receive(
        lead_id=f"lead-{number:06d}", partner_id=PARTNER, dedup_key=f"dedup-{number}",
        details=details, actor=MARKETPLACE, now=created_at, policy=POLICY,
    )  # fmt: skip


def archived_lead(number: int, now: datetime) -> Lead:
    """Older than any active lead, 45 minutes apart; Won, Lost, Declined, Expired or AgedOut."""
    created = now - timedelta(days=15, minutes=45 * number)
    kind = number % 10
    lead = _lead(number, created, contact_me=kind < 8)
    later = created + timedelta(hours=5)
    if kind < 2:
        deal = Deal(name="Fleet rollout", estimated_value=Decimal(25000), currency="EUR")
        lead.accept(deal, team=[], contacts=[], actor=ACTOR, now=later)
        if kind == 0:
            lead.win(value=Decimal(31000), notes="Signed", actor=ACTOR, now=later)
        else:
            closure = Closure(reason=ReasonCode.BUDGET_NOT_ADEQUATE)
            lead.lose(closure, value=None, actor=ACTOR, now=later)
    elif kind < 5:
        lead.decline(Closure(reason=ReasonCode.TIMELINE_TOO_SHORT), actor=ACTOR, now=later)
    elif kind < 8:
        assert lead.expire(created + POLICY.respond_window)
    else:
        assert lead.age_out(POLICY.archive_at(created))
    return lead


def active_lead(number: int, now: datetime) -> Lead:
    """Three hours apart from `now` back (the first 24 are hot); one in five accepted."""
    lead = _lead(number, now - timedelta(hours=3 * number), contact_me=True)
    if number % 5 == 4:
        deal = Deal(name="Pilot", estimated_value=Decimal(5000), currency="EUR")
        lead.accept(deal, team=[], contacts=[], actor=ACTOR, now=now)
    return lead


def seed_in_child(env: dict[str, str], *, archived: int, active: int, now: datetime) -> None:
    """`seed` in a process of its own, so the measuring process starts from a clean heap."""
    context = multiprocessing.get_context("spawn")
    child = context.Process(target=_seed_from_env, args=(env, archived, active, now))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise RuntimeError(f"seeding failed (exit code {child.exitcode})")


def _seed_from_env(env: dict[str, str], archived: int, active: int, now: datetime) -> None:
    container = Container(Settings.model_validate(env))
    seed(container.storage.table(LEADS_TABLE), archived=archived, active=active, now=now)


def seed(table: TableClient, *, archived: int, active: int, now: datetime) -> None:
    def leads() -> Iterator[Lead]:
        yield from (active_lead(n, now) for n in range(active))
        yield from (archived_lead(n, now) for n in range(active, active + archived))

    def entities() -> Iterator[dict[str, Any]]:
        for lead in leads():
            keys = index_keys(lead)
            yield rows.lead_entity(lead, keys[0])
            yield from (stored_entity(lead, keys, key) for key in keys[1:])

    def write(batch: tuple[dict[str, Any], ...]) -> None:
        table.submit_transaction([("upsert", entity) for entity in batch])

    # Built and written a few batches at a time (not `pool.map`, which would take them all at
    # once): the seed never holds the archive in memory.
    everything = entities()
    in_flight: set[Future[None]] = set()
    with ThreadPoolExecutor(_WRITERS) as pool:
        while batch := tuple(islice(everything, _BATCH)):
            if len(in_flight) >= 2 * _WRITERS:
                finished, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in finished:
                    future.result()
            in_flight.add(pool.submit(write, batch))
        for future in in_flight:
            future.result()
