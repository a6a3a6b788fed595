"""The Lead aggregate: what a partner received, and its lifecycle (docs/behaviour.md).

Received → Accepted → Archived, or Received → Archived. Methods take `now` (the domain never
reads a clock) and record events; services decide what to notify and store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from shared.domain.errors import Conflict
from shared.domain.lead_action import LeadAction, allowed_actions, lifecycle_refusal
from shared.domain.lead_limits import MAX_HISTORY, MAX_INTERACTIONS, clip
from shared.domain.lead_parts import (
    Closing,
    Closure,
    Deal,
    HistoryEntry,
    Interaction,
    Person,
    Sender,
)
from shared.domain.lead_policy import LeadPolicy
from shared.domain.lead_values import (
    CallToAction,
    Customer,
    EmailValidity,
    LeadFlag,
    LeadStatus,
    LeadType,
    Offer,
    Outcome,
    PhoneValidity,
    Qualification,
    Quality,
    Storefront,
    View,
)
from shared.domain.principal import Principal


class LeadEventKind(StrEnum):
    RECEIVED = "Received"
    STAGE_ADDED = "StageAdded"
    BECAME_ACTION_REQUIRED = "BecameActionRequired"
    ACCEPTED = "Accepted"
    DECLINED = "Declined"
    EDITED = "Edited"
    TEAM_MEMBER_ADDED = "TeamMemberAdded"
    WON = "Won"
    LOST = "Lost"
    EXPIRED = "Expired"
    AGED_OUT = "AgedOut"
    REMINDED = "Reminded"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did something to a lead: a user, the marketplace or the system."""

    name: str
    user_id: str | None = None

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        return cls(principal.display_name, principal.user_id)


MARKETPLACE = Actor("Marketplace")
SYSTEM = Actor("System")


@dataclass(frozen=True, slots=True)
class LeadEvent:
    kind: LeadEventKind
    at: datetime


class LeadDetails(BaseModel):
    """Everything intake learns about a new lead, before the lifecycle starts."""

    model_config = ConfigDict(frozen=True)

    view: View
    lead_type: LeadType
    qualification: Qualification | None = None
    source: Storefront | None = None
    raw_source: str | None = None
    interaction: Interaction
    offer: Offer | None = None
    customer: Customer
    description: str | None = None
    email_validity: EmailValidity = EmailValidity.UNKNOWN
    phone_validity: PhoneValidity = PhoneValidity.UNKNOWN
    quality: Quality
    requires_action: bool
    contact_requested: bool = False
    sender: Sender | None = None
    is_test: bool = False
    flags: tuple[LeadFlag, ...] = ()
    deal: Deal | None = None  # a referral's estimate, a marketplace campaign, before accepting
    tracking_parameters: dict[str, str] = Field(default_factory=dict)  # storefront URL params


class Lead(BaseModel):
    model_config = ConfigDict(validate_assignment=False)

    id: str
    partner_id: str
    dedup_key: str
    view: View
    lead_type: LeadType
    qualification: Qualification | None = None
    source: Storefront | None = None
    raw_source: str | None = None
    action_code: str | None = None
    call_to_action: CallToAction | None = None
    offer: Offer | None = None
    customer: Customer
    description: str | None = None
    email_validity: EmailValidity
    phone_validity: PhoneValidity
    quality: Quality
    requires_action: bool
    contact_requested: bool
    status: LeadStatus = LeadStatus.RECEIVED
    outcome: Outcome | None = None
    created_at: datetime
    action_required_since: datetime | None = None
    respond_by: datetime | None = None
    remind_at: datetime | None = None  # when the partner is warned that respond_by nears
    reminded_at: datetime | None = None
    archive_at: datetime | None = None
    accepted_at: datetime | None = None
    closed_at: datetime | None = None
    deal: Deal | None = None
    team: list[Person] = Field(default_factory=list)
    contacts: list[Person] = Field(default_factory=list)
    decline_reason: Closure | None = None
    lost_reason: Closure | None = None
    closing: Closing | None = None  # Won or Lost: final notes and value, beside the deal's own
    interactions: list[Interaction] = Field(default_factory=list)
    sender: Sender | None = None
    is_test: bool = False
    flags: list[LeadFlag] = Field(default_factory=list)
    tracking_parameters: dict[str, str] = Field(default_factory=dict)
    history: list[HistoryEntry] = Field(default_factory=list)
    history_omitted: int = 0  # entries dropped between the first and the latest (lead_limits.py)
    etag: str | None = Field(default=None, exclude=True)  # storage version

    _events: list[LeadEvent] = PrivateAttr(default_factory=list)
    # Storage bookkeeping, like `etag`: the index rows last written, so a save can move them.
    _stored_index_keys: tuple[str, ...] = PrivateAttr(default=())
    # Likewise the log events of its changes that carry its contact, until it can no longer expire
    # or age out: those are scrubbed in the batch that removes the contact from the lead.
    _stored_event_keys: tuple[str, ...] = PrivateAttr(default=())

    @classmethod
    def receive(
        cls,
        *,
        lead_id: str,
        partner_id: str,
        dedup_key: str,
        details: LeadDetails,
        actor: Actor,
        now: datetime,
        policy: LeadPolicy,
    ) -> Lead:
        lead = cls(
            id=lead_id,
            partner_id=partner_id,
            dedup_key=dedup_key,
            **details.model_dump(exclude={"interaction", "requires_action", "flags"}),
            action_code=details.interaction.action_code,
            call_to_action=details.interaction.call_to_action,
            requires_action=False,
            interactions=[details.interaction],
            flags=list(details.flags),
            created_at=now,
        )
        lead._record(
            LeadEventKind.RECEIVED, now, actor, "Lead received", _stage(details.interaction)
        )
        if details.requires_action:
            lead._require_action(now)
        else:
            lead.archive_at = policy.archive_at(now)
        lead._apply_respond_window(policy)
        return lead

    @property
    def is_archived(self) -> bool:
        return self.status is LeadStatus.ARCHIVED

    @property
    def stages(self) -> frozenset[str]:
        """The journey stages seen so far: a re-delivery of one of them changes nothing."""
        return frozenset(stage_key(interaction) for interaction in self.interactions)

    def add_stage(
        self, interaction: Interaction, *, requires_action: bool, actor: Actor, policy: LeadPolicy
    ) -> bool:
        """Record a later stage of the customer's journey; False if it was already seen."""
        if stage_key(interaction) in self.stages or self.is_archived:
            return False
        if interaction.call_to_action is None and len(self.interactions) >= MAX_INTERACTIONS:
            return False  # a flood of unknown stages: the lead keeps what it has (lead_limits.py)
        now = interaction.at
        self.interactions.append(interaction)
        if interaction.description:  # the latest message leads; each visit keeps its own
            self.description = interaction.description
        self._record(LeadEventKind.STAGE_ADDED, now, actor, "Stage added", _stage(interaction))
        if interaction.call_to_action is CallToAction.CONTACT_ME:
            self.call_to_action, self.action_code = (
                interaction.call_to_action,
                interaction.action_code,
            )
            self.contact_requested = True
        if requires_action and not self.requires_action:
            self._require_action(now)
            self._apply_respond_window(policy)
        return True

    @property
    def version(self) -> int:
        """How many changes the lead has been through: one more with every recorded step, so a
        receiver of its events can drop one older than what it has (ETags are storage's own)."""
        return len(self.history) + self.history_omitted

    @property
    def stored_index_keys(self) -> tuple[str, ...]:
        return self._stored_index_keys

    def remember_index_keys(self, keys: tuple[str, ...]) -> None:
        self._stored_index_keys = keys

    @property
    def stored_event_keys(self) -> tuple[str, ...]:
        return self._stored_event_keys

    def remember_event_keys(self, keys: tuple[str, ...]) -> None:
        self._stored_event_keys = keys

    def pull_events(self) -> list[LeadEvent]:
        events, self._events = self._events, []
        return events

    def _require_action(self, now: datetime) -> None:
        self.requires_action = True
        self.action_required_since = now
        self.archive_at = None
        self._events.append(LeadEvent(LeadEventKind.BECAME_ACTION_REQUIRED, now))

    def _apply_respond_window(self, policy: LeadPolicy) -> None:
        if self.requires_action and self.action_required_since is not None:
            self.respond_by = policy.respond_by(self.action_required_since)
            self.remind_at = policy.remind_at(self.action_required_since, self.respond_by)

    # -- the lifecycle (docs/behaviour.md): Received → Accepted → Archived, or Received → Archived

    def accept(
        self, deal: Deal, *, team: list[Person], contacts: list[Person], actor: Actor, now: datetime
    ) -> None:
        self._require(LeadAction.ACCEPT)
        campaign = self.deal.campaign_id if self.deal else None
        if deal.campaign_id is None and campaign is not None:  # the campaign it arrived with
            deal = deal.model_copy(update={"campaign_id": campaign})
        self.status, self.accepted_at, self.deal = LeadStatus.ACCEPTED, now, deal
        self.team, self.contacts = list(team), list(contacts)
        self._record(LeadEventKind.ACCEPTED, now, actor, "Accepted", deal.name)

    def decline(self, closure: Closure, *, actor: Actor, now: datetime) -> None:
        self._require(LeadAction.DECLINE)
        self.decline_reason = closure
        self._archive(Outcome.DECLINED, now)
        self._record(LeadEventKind.DECLINED, now, actor, "Declined", closure.reason)

    def edit(self, deal: Deal, *, team: list[Person] | None, actor: Actor, now: datetime) -> None:
        self._require(LeadAction.EDIT)
        self.deal = deal
        if team is not None:
            self.team = list(team)
        self._record(LeadEventKind.EDITED, now, actor, "Deal edited", None)

    def add_team_member(self, person: Person, *, actor: Actor, now: datetime) -> None:
        self._require(LeadAction.ADD_TEAM_MEMBER)  # a full team is refused there too
        self.team.append(person)
        self._record(LeadEventKind.TEAM_MEMBER_ADDED, now, actor, "Team member added", person.name)

    def win(
        self,
        *,
        value: Decimal | None,
        notes: str | None,
        actor: Actor,
        now: datetime,
        currency: str | None = None,
    ) -> None:
        self._require(LeadAction.MARK_WON)
        self.closing = self._closing(value, currency, notes)
        self._archive(Outcome.WON, now)
        self._record(LeadEventKind.WON, now, actor, "Won", self.closing.summary())

    def lose(
        self,
        closure: Closure,
        *,
        value: Decimal | None,
        actor: Actor,
        now: datetime,
        currency: str | None = None,
    ) -> None:
        self._require(LeadAction.MARK_LOST)
        self.closing = self._closing(value, currency, closure.notes)
        self.lost_reason = closure
        self._archive(Outcome.LOST, now)
        detail = " · ".join(filter(None, [closure.reason.value, self.closing.summary()]))
        self._record(LeadEventKind.LOST, now, actor, "Lost", detail)

    # The timed steps below take `as_of`, the instant that decides whether the step is due (a
    # job may replay any instant), and `now`, the real time the change is recorded at.

    def expire(self, as_of: datetime, now: datetime | None = None) -> bool:
        """No answer within the respond window: archived, contact details removed."""
        due = self.status is LeadStatus.RECEIVED and self.requires_action
        if not due or self.respond_by is None or as_of < self.respond_by:
            return False
        now = now or as_of
        self._archive(Outcome.EXPIRED, now)
        self.customer = self.customer.without_contact()
        self._record(LeadEventKind.EXPIRED, now, SYSTEM, "Expired", "No response in time")
        return True

    def remind(self, as_of: datetime, now: datetime | None = None) -> bool:
        """Warn once that the respond window closes soon; False when not (or no longer) due."""
        due = self.status is LeadStatus.RECEIVED and self.requires_action
        if not due or self.reminded_at is not None or self.remind_at is None:
            return False
        if as_of < self.remind_at or self.respond_by is None or as_of >= self.respond_by:
            return False  # too early, or too late: expiry, not a reminder, is due
        now = now or as_of
        self.reminded_at = now
        self._record(LeadEventKind.REMINDED, now, SYSTEM, "Reminded", "Respond window closes soon")
        return True

    def age_out(self, as_of: datetime, now: datetime | None = None) -> bool:
        """An informational lead past its retention: archived, contact details removed."""
        due = not self.is_archived and not self.requires_action
        if not due or self.archive_at is None or as_of < self.archive_at:
            return False
        now = now or as_of
        self._archive(Outcome.AGED_OUT, now)
        self.customer = self.customer.without_contact()
        self._record(LeadEventKind.AGED_OUT, now, SYSTEM, "Archived", "Informational lead aged out")
        return True

    @property
    def shows_contact(self) -> bool:
        return self.outcome not in (Outcome.EXPIRED, Outcome.AGED_OUT)

    def allowed_actions(self, principal: Principal) -> list[LeadAction]:
        """What the caller may do to this lead now: exactly what would not be refused."""
        return allowed_actions(self, principal)

    def _require(self, action: LeadAction) -> None:
        refusal = lifecycle_refusal(self, action)
        if refusal is not None:
            raise Conflict(refusal)

    def _closing(self, value: Decimal | None, currency: str | None, notes: str | None) -> Closing:
        """The deal's own notes and estimate are left as they were: closing is a record apart."""
        if value is not None and currency is None:  # the deal's currency, when it named one
            currency = self.deal.currency if self.deal else None
        return Closing(notes=notes or None, value=value, currency=currency)

    def _archive(self, outcome: Outcome, now: datetime) -> None:
        self.status, self.outcome, self.closed_at = LeadStatus.ARCHIVED, outcome, now

    def _record(
        self, kind: LeadEventKind, now: datetime, actor: Actor, action: str, detail: str | None
    ) -> None:
        self._events.append(LeadEvent(kind, now))
        self.history.append(
            HistoryEntry(
                at=now,
                actor=clip(actor.name) or "",
                actor_id=clip(actor.user_id),
                action=action,
                detail=clip(detail),
            )
        )
        if len(self.history) > MAX_HISTORY:  # keep how it arrived, and the latest
            dropped = len(self.history) - MAX_HISTORY
            del self.history[1 : 1 + dropped]
            self.history_omitted += dropped


def stage_key(interaction: Interaction) -> str:
    if interaction.call_to_action is not None:
        return interaction.call_to_action.value
    return (interaction.action_code or "unknown").upper()


def _stage(interaction: Interaction) -> str:
    return interaction.call_to_action or interaction.action_code or "unknown action"
