"""Actions without If-Match are re-applied on the fresh lead until written: a lost race is
never a 409 (that means the lead's state does not allow the action)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from shared.adapters.clock import FixedClock
from shared.domain.errors import DependencyUnavailable
from shared.domain.lead import Actor, Lead
from shared.domain.lead_parts import Deal
from shared.domain.lead_policy import LeadPolicy
from shared.domain.notification import Notification
from shared.domain.principal import Principal
from shared.services import lead_actions
from shared.services.event_ports import LeadChangeEvent
from shared.services.lead_actions import LeadActions
from shared.services.lead_commands import EditDeal
from shared.services.lead_events import LeadEvents
from shared.services.ports import PoolTurn
from tests.support.leads import make_lead
from tests.unit.fakes import InMemoryLeadRepository, NoFavorites, RecordingPublisher

P = "contoso"
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ADMIN = Principal(user_id="u-1", roles=frozenset({"Referrals.Admin"}), partner_id=P)


@dataclass
class RivalledRepository(InMemoryLeadRepository):
    """Before each of our saves, a rival edits the lead first, `rivals` times."""

    rivals: int = 0
    rival_notes: list[str] = field(default_factory=list)

    def save(
        self,
        lead: Lead,
        *,
        outbox: Sequence[Notification] = (),
        events: Sequence[LeadChangeEvent] = (),
        turn: PoolTurn | None = None,
    ) -> Lead:
        if self.rivals:
            self.rivals -= 1
            rival = self.get(lead.partner_id, lead.id)
            note = f"rival {self.rivals}"
            rival.edit(Deal(name="Deal", notes=note), team=None, actor=Actor("Rival"), now=T0)
            super().save(rival)
            self.rival_notes.append(note)
        return super().save(lead, outbox=outbox, events=events, turn=turn)


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lead_actions, "_back_off", lambda attempt: None)


def _world(rivals: int) -> tuple[LeadActions, RivalledRepository, str]:
    repository = RivalledRepository()
    lead = make_lead(P, at=T0)
    lead.accept(Deal(name="Deal", notes="n"), team=[], contacts=[], actor=Actor("A"), now=T0)
    repository.add(lead)
    repository.rivals = rivals
    actions = LeadActions(
        events=LeadEvents(policy=LeadPolicy()),
        leads=repository, favorites=NoFavorites(), publisher=RecordingPublisher(),
        clock=FixedClock(T0), policy=LeadPolicy(),
    )  # fmt: skip
    return actions, repository, lead.id


def test_an_edit_losing_race_after_race_is_applied_on_the_fresh_lead() -> None:
    actions, repository, lead_id = _world(rivals=30)  # far more than a few retries
    edited = actions.edit(ADMIN, lead_id, EditDeal.model_validate({"crmId": "CRM-7"}), None)
    assert edited.deal is not None
    assert edited.deal.crm_id == "CRM-7"
    assert edited.deal.notes == repository.rival_notes[-1]  # the rivals' change is kept too
    edits = [entry for entry in edited.history if entry.action == "Deal edited"]
    assert len(edits) == 31


def test_a_lead_that_never_stops_changing_is_a_503_not_a_409() -> None:
    actions, _, lead_id = _world(rivals=10_000)
    with pytest.raises(DependencyUnavailable):
        actions.edit(ADMIN, lead_id, EditDeal.model_validate({"crmId": "CRM-7"}), None)
