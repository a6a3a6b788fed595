"""Decide, per kind of notification, who is told what: the email (or why none), the feed entry.

Reads only; the notifier claims, sends and records. A plan without an email is recorded as
Skipped with its reason (docs/behaviour.md: no recipient is not a failure).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, assert_never
from zoneinfo import ZoneInfo

from shared.domain.delivery import FeedItem
from shared.domain.errors import NotFound
from shared.domain.lead import Lead
from shared.domain.lead_policy import LeadPolicy
from shared.domain.lead_values import EmailValidity, LeadStatus, ReasonCode
from shared.domain.notification import Notification, NotificationKind
from shared.domain.partner import Partner
from shared.domain.recipients import recipients
from shared.services.email_context import EmailLinks, feed_title, lead_context, local_time
from shared.services.notification_ports import EmailMessage, EmailRenderer, PreferenceStore
from shared.services.owner_notices import (
    TeamSettings,
    digest_recipients,
    escalation_recipients,
    new_lead_recipients,
    owner_address,
)
from shared.services.ports import LeadRepository, PartnerRepository

# Addresses declined as abuse, or known bad, get no email: it would only be backscatter.
_NO_CUSTOMER_EMAIL = frozenset({EmailValidity.INVALID, EmailValidity.SPAM})


_HANDLED = "lead already handled"
# The kinds about one lead (a digest is about a day's leads).
LeadKind = Literal[
    NotificationKind.NEW_LEAD,
    NotificationKind.EXPIRY_REMINDER,
    NotificationKind.LEAD_EXPIRED,
    NotificationKind.LEAD_DECLINED,
    NotificationKind.LEAD_ASSIGNED,
    NotificationKind.FOLLOW_UP_OVERDUE,
]


@dataclass(frozen=True, slots=True)
class Plan:
    email: EmailMessage | None = None
    skip_reason: str | None = None
    feed: FeedItem | None = None
    volume_day: date | None = None  # a new-lead email counts against this day of the partner
    volume_recipient: str = ""  # ...of its owner (a member id), or of the contacts ("")
    lead_id: str | None = None


@dataclass(frozen=True, slots=True)
class _Draft:
    """Everything about a plan but the rendering."""

    template: str
    to: list[str]
    context: dict[str, Any] = field(default_factory=dict)
    volume_recipient: str = ""


class NotificationPlanner:
    def __init__(
        self,
        *,
        partners: PartnerRepository,
        leads: LeadRepository,
        preferences: PreferenceStore,
        renderer: EmailRenderer,
        policy: LeadPolicy,
        links: EmailLinks,
        vendor_email: str | None,
        team: TeamSettings | None = None,
    ) -> None:
        self._team_settings = team
        self._partners = partners
        self._leads = leads
        self._preferences = preferences
        self._renderer = renderer
        self._policy = policy
        self._links = links
        self._vendor_email = vendor_email

    def plan(self, notification: Notification, now: datetime) -> Plan:
        partner = self._partners.find(notification.partner_id)
        if partner is None:
            return Plan(skip_reason="partner not found")
        # Every kind is named: a new kind is a mypy error here (assert_never), not a decline.
        match kind := notification.kind:
            case NotificationKind.DAILY_DIGEST:
                return self._digest(notification, partner, now)
            case NotificationKind.EXPIRY_REMINDER if notification.lead_ids:
                return self._reminder(notification, partner, now)
            case (
                NotificationKind.NEW_LEAD
                | NotificationKind.EXPIRY_REMINDER
                | NotificationKind.LEAD_EXPIRED
                | NotificationKind.LEAD_DECLINED
                | NotificationKind.LEAD_ASSIGNED
                | NotificationKind.FOLLOW_UP_OVERDUE
            ):
                return self._about_lead(notification, kind, partner, now)
            case _:
                assert_never(kind)

    def _about_lead(
        self, notification: Notification, kind: LeadKind, partner: Partner, now: datetime
    ) -> Plan:
        lead = self._lead(partner, notification.lead_id)
        if lead is None:
            return Plan(skip_reason="lead not found", lead_id=notification.lead_id)
        context = {
            "partner": partner.name,
            "lead": lead_context(
                lead, now=now, policy=self._policy, time_zone=partner.time_zone, links=self._links
            ),
            "marketplace_url": self._links.marketplace_url,
        }
        feed, draft, reason = self._by_kind(notification, kind, partner, lead, context)
        plan = Plan(feed=feed, skip_reason=reason, lead_id=lead.id)
        if draft is None:
            return plan
        if not draft.to:
            return Plan(feed=feed, skip_reason="no recipient", lead_id=lead.id)
        day = None
        if kind is NotificationKind.NEW_LEAD:
            day = notification.created_at.astimezone(ZoneInfo(partner.time_zone)).date()
        return Plan(
            email=self._render(notification, draft),
            feed=feed,
            volume_day=day,
            volume_recipient=draft.volume_recipient,
            lead_id=lead.id,
        )

    def _by_kind(
        self,
        notification: Notification,
        kind: LeadKind,
        partner: Partner,
        lead: Lead,
        context: dict[str, Any],
    ) -> tuple[FeedItem | None, _Draft | None, str | None]:
        match kind:
            case NotificationKind.NEW_LEAD:
                return self._to_owners(notification, kind, partner, lead, context)
            case NotificationKind.LEAD_ASSIGNED | NotificationKind.FOLLOW_UP_OVERDUE:
                return self._to_owners(notification, kind, partner, lead, context)
            case NotificationKind.EXPIRY_REMINDER:
                feed = self._feed(notification, lead, "Respond soon")
                # A reminder queued before reminders were grouped: a list of one.
                context["leads"] = [context["lead"]]
                draft = _Draft("expiry_reminder", self._team(partner), context)
                waiting = lead.status is LeadStatus.RECEIVED
                return feed, (draft if waiting else None), (None if waiting else _HANDLED)
            case NotificationKind.LEAD_EXPIRED:
                sender = lead.sender.email if lead.sender and lead.sender.email else None
                to = [address] if (address := sender or self._vendor_email) else []
                expired_at = lead.closed_at or notification.created_at
                context["expired"] = local_time(expired_at, partner.time_zone)
                return (
                    self._feed(notification, lead, "Lead expired"),
                    _Draft("lead_expired", to, context),
                    None,
                )
            case NotificationKind.LEAD_DECLINED:  # to the customer, who may pick another partner
                return None, self._declined(lead, context), None
            case _:
                assert_never(kind)

    def _declined(self, lead: Lead, context: dict[str, Any]) -> _Draft:
        address = lead.customer.email
        reason = lead.decline_reason.reason if lead.decline_reason else None
        if (
            lead.is_test
            or reason is ReasonCode.ABUSE_SPAM_OR_PHISHING
            or lead.email_validity in _NO_CUSTOMER_EMAIL
        ):
            address = None
        context["first_name"] = lead.customer.first_name
        return _Draft("lead_declined", [address] if address else [], context)

    def _digest(self, notification: Notification, partner: Partner, now: datetime) -> Plan:
        leads = [self._lead(partner, lead_id) for lead_id in notification.lead_ids]
        waiting = [
            lead for lead in leads if lead is not None and lead.status is LeadStatus.RECEIVED
        ]
        if not waiting:
            return Plan(skip_reason="no lead of the digest still waits")
        summaries = [
            lead_context(
                lead, now=now, policy=self._policy, time_zone=partner.time_zone, links=self._links
            )
            for lead in waiting
        ]
        day = notification.digest_day
        context = {
            "partner": partner.name,
            "day": day.strftime("%d %b %Y") if day else None,
            "leads": summaries,
            "hot_count": sum(1 for summary in summaries if summary["hot"]),
            "leads_url": self._links.leads_url(),
        }
        to = self._digest_recipients(partner, waiting)
        if not to:
            return Plan(skip_reason="no recipient")
        return Plan(email=self._render(notification, _Draft("daily_digest", to, context)))

    def _digest_recipients(self, partner: Partner, waiting: list[Lead]) -> list[str]:
        """The contacts, as before routing; with routing, the owners of its leads too, and the
        contacts only if some lead is unowned or the partner asks them to be told."""
        if self._team_settings is None or all(lead.owner is None for lead in waiting):
            return self._team(partner)
        routing, _ = self._team_settings.get(partner.partner_id)
        preferences = self._preferences.for_partner(partner.partner_id)
        return digest_recipients(partner, waiting, routing, preferences)

    def _reminder(self, notification: Notification, partner: Partner, now: datetime) -> Plan:
        """One email for the leads a reminder run recorded at this notification's instant."""
        leads = [self._lead(partner, lead_id) for lead_id in notification.lead_ids]
        reminded = [
            lead
            for lead in leads
            if lead is not None
            and lead.reminded_at == notification.created_at
            and lead.status is LeadStatus.RECEIVED
        ]
        if not reminded:
            return Plan(skip_reason="lead already handled")
        only = reminded[0] if len(reminded) == 1 else None
        title = feed_title("Respond soon", only) if only else f"Respond soon: {len(reminded)} leads"
        feed = FeedItem(
            notification_id=notification.id,
            kind=notification.kind.value,
            lead_id=only.id if only else None,
            title=title,
            created_at=notification.created_at,
        )
        summaries = [
            lead_context(
                lead, now=now, policy=self._policy, time_zone=partner.time_zone, links=self._links
            )
            for lead in sorted(reminded, key=lambda lead: (lead.respond_by or now, lead.id))
        ]
        context = {
            "partner": partner.name,
            "lead": summaries[0],
            "leads": summaries,
            "leads_url": self._links.leads_url(),
        }
        to = self._team(partner)
        if not to:
            return Plan(feed=feed, skip_reason="no recipient", lead_id=only.id if only else None)
        email = self._render(notification, _Draft("expiry_reminder", to, context))
        return Plan(email=email, feed=feed, lead_id=only.id if only else None)

    def _to_owners(
        self,
        notification: Notification,
        kind: NotificationKind,
        partner: Partner,
        lead: Lead,
        context: dict[str, Any],
    ) -> tuple[FeedItem | None, _Draft | None, str | None]:
        """The kinds whose recipients depend on the lead's owner (owner_notices.py)."""
        if kind is NotificationKind.LEAD_ASSIGNED:
            owner = lead.owner.name if lead.owner else "nobody"
            feed = self._feed(notification, lead, f"Assigned to {owner}")
            context["assigned_by"] = lead.history[-1].actor if lead.history else "Someone"
            to = owner_address(lead, self._preferences.for_partner(partner.partner_id))
            if lead.is_archived:
                return feed, None, "lead already handled"
            return feed, _Draft("lead_assigned", to, context), None
        waiting = lead.status is LeadStatus.RECEIVED
        if kind is NotificationKind.FOLLOW_UP_OVERDUE:
            feed = self._feed(notification, lead, "No follow-up yet")
            if not waiting:
                return feed, None, "lead already handled"
            return feed, self._overdue(partner, lead, context), None
        feed = self._feed(notification, lead, "New lead")
        if not waiting or lead.is_test:
            return feed, None, "lead already handled"
        to, counted_for = self._new_lead_recipients(partner, lead)
        return feed, _Draft("new_lead", to, context, counted_for), None

    def _new_lead_recipients(self, partner: Partner, lead: Lead) -> tuple[list[str], str]:
        preferences = self._preferences.for_partner(partner.partner_id)
        if self._team_settings is None or lead.owner is None:
            return recipients(partner.contacts, preferences), ""
        routing, _ = self._team_settings.get(partner.partner_id)
        return new_lead_recipients(partner, lead, routing, preferences)

    def _overdue(self, partner: Partner, lead: Lead, context: dict[str, Any]) -> _Draft:
        preferences = self._preferences.for_partner(partner.partner_id)
        team = self._team_settings.members(partner.partner_id) if self._team_settings else []
        since, due = lead.action_required_since, lead.follow_up_by
        context["hours"] = round((due - since).total_seconds() / 3600) if since and due else 0
        owner = lead.owner
        context["owner_text"] = f"{owner.name} has not acted on it" if owner else "nobody owns it"
        return _Draft(
            "follow_up_overdue", escalation_recipients(partner, team, preferences), context
        )

    def _team(self, partner: Partner) -> list[str]:
        return recipients(partner.contacts, self._preferences.for_partner(partner.partner_id))

    def _lead(self, partner: Partner, lead_id: str | None) -> Lead | None:
        if not lead_id:
            return None
        try:
            return self._leads.get(partner.partner_id, lead_id)
        except NotFound:
            return None

    def _render(self, notification: Notification, draft: _Draft) -> EmailMessage:
        rendered = self._renderer.render(draft.template, draft.context)
        return EmailMessage(
            notification_id=notification.id,
            kind=notification.kind.value,
            to=tuple(draft.to),
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
        )

    @staticmethod
    def _feed(notification: Notification, lead: Lead, prefix: str) -> FeedItem:
        return FeedItem(
            notification_id=notification.id,
            kind=notification.kind.value,
            lead_id=lead.id,
            title=feed_title(prefix, lead),
            created_at=notification.created_at,
        )
