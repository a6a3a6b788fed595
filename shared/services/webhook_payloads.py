"""What goes over the wire for one delivery: the body in the subscription's format, signed.

Every format carries the Standard Webhooks headers (`webhook-id` = the event id, so a receiver
drops a retried duplicate; `webhook-timestamp`; `webhook-signature`), signed with the
`standardwebhooks` library under each secret that signs now (two for a day after a rotation).
Teams and Slack ignore them; a proxy in front of those can still verify.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from standardwebhooks.webhooks import Webhook

from shared.domain.webhooks import WebhookFormat
from shared.services.event_ports import EVENT_TYPE_PREFIX, PING_EVENT_TYPE

_HEADLINES = {
    "received": "New lead",
    "stageAdded": "Lead came back",
    "assigned": "Lead assigned",
    "accepted": "Lead accepted",
    "updated": "Lead updated",
    "teamChanged": "Lead team changed",
    "declined": "Lead declined",
    "won": "Lead won",
    "lost": "Lead lost",
    "expired": "Lead expired",
    "agedOut": "Lead archived after six months",
    "reminderDue": "Lead about to expire",
}


@dataclass(frozen=True, slots=True)
class Outgoing:
    body: bytes
    headers: dict[str, str]


def outgoing(
    event: Mapping[str, Any],
    fmt: WebhookFormat,
    *,
    secrets: tuple[str, ...],
    now: datetime,
    ui_base_url: str,
) -> Outgoing:
    if fmt is WebhookFormat.STANDARD:
        payload: Any = event
        content_type = "application/cloudevents+json; charset=utf-8"
    else:
        card = ChatCard.of(event, ui_base_url)
        payload = card.teams() if fmt is WebhookFormat.TEAMS else card.slack()
        content_type = "application/json; charset=utf-8"
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    event_id = str(event.get("id", ""))
    signatures = " ".join(Webhook(secret).sign(event_id, now, text) for secret in secrets)
    headers = {
        "content-type": content_type,
        "webhook-id": event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signatures,
        "user-agent": "partner-leads-webhooks/1",
    }
    return Outgoing(text.encode(), headers)


@dataclass(frozen=True, slots=True)
class ChatCard:
    """A lead event told to people: headline, hot flag, respond-by and a link to the lead."""

    headline: str
    hot: bool
    respond_by: str | None
    link: str

    @classmethod
    def of(cls, event: Mapping[str, Any], ui_base_url: str) -> ChatCard:
        data = _mapping(event.get("data"))
        event_type = str(event.get("type", ""))
        if event_type == PING_EVENT_TYPE:
            return cls("Test message from Partner leads: this channel is connected.",
                       False, None, f"{ui_base_url}/")  # fmt: skip
        kind = event_type.removeprefix(EVENT_TYPE_PREFIX)
        lead_id = str(data.get("id") or event.get("subject") or "")
        respond_by = data.get("respondBy")
        return cls(
            headline=f"{_HEADLINES.get(kind, 'Lead changed')}: {_who(data)}",
            hot=bool(data.get("hot")),
            respond_by=str(respond_by) if respond_by else None,
            link=f"{ui_base_url}/leads/{lead_id}",
        )

    def _facts(self) -> list[tuple[str, str]]:
        facts = [("Hot", "Yes: the customer asked to be contacted" if self.hot else "No")]
        if self.respond_by:
            facts.append(("Respond by", self.respond_by))
        return facts

    def teams(self) -> dict[str, Any]:
        """A message for a Teams Workflows webhook ("When a Teams webhook request is received"):
        one Adaptive Card attachment."""
        card = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": [
                {"type": "TextBlock", "text": self.headline, "weight": "Bolder",
                 "size": "Medium", "wrap": True},
                {"type": "FactSet",
                 "facts": [{"title": name, "value": value} for name, value in self._facts()]},
            ],
            "actions": [{"type": "Action.OpenUrl", "title": "Open lead", "url": self.link}],
        }  # fmt: skip
        attachment = {
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": None,
            "content": card,
        }
        return {"type": "message", "attachments": [attachment]}

    def slack(self) -> dict[str, Any]:
        """A Slack incoming-webhook message: Block Kit blocks, and `text` for notifications."""
        fields = [{"type": "mrkdwn", "text": f"*{name}*\n{_slack_escape(value)}"}
                  for name, value in self._facts()]  # fmt: skip
        button = {"type": "button", "text": {"type": "plain_text", "text": "Open lead"},
                  "url": self.link}  # fmt: skip
        return {
            "text": self.headline,
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": self.headline[:150]}},
                {"type": "section", "fields": fields},
                {"type": "actions", "elements": [button]},
            ],
        }


def _who(data: Mapping[str, Any]) -> str:
    customer, offer = _mapping(data.get("customer")), _mapping(data.get("offer"))
    names = (customer.get("firstName"), customer.get("lastName"))
    name = " ".join(str(part) for part in names if part)
    who = customer.get("company") or name or "a customer"
    title = offer.get("title")
    return f"{who} ({title})" if title else str(who)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
