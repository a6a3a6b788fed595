"""`GET /api/notifications`: the caller's partner's in-app feed, newest first, a page at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from shared.domain.errors import FieldError, InvalidInput
from shared.domain.model import ApiModel
from shared.domain.principal import PARTNER_READERS, Principal
from shared.services.notification_ports import FeedReader
from shared.services.paging import PagingTokens

_FEED_KEY_PREFIX = "N|"


class FeedQuery(ApiModel):
    page_size: Annotated[int, Field(ge=1, le=200)] = 50
    continuation_token: Annotated[str, Field(min_length=1, max_length=2000)] | None = None


class FeedEntry(ApiModel):
    id: str
    kind: str
    lead_id: str | None
    title: str
    created_at: datetime


class FeedPageView(ApiModel):
    items: list[FeedEntry]
    continuation_token: str | None


class NotificationFeed:
    def __init__(self, *, reader: FeedReader, tokens: PagingTokens) -> None:
        self._reader = reader
        self._tokens = tokens

    def page(self, principal: Principal, query: FeedQuery) -> FeedPageView:
        partner_id = principal.require_partner(PARTNER_READERS)
        scope = f"notifications:{partner_id}"  # a token of another partner is refused
        after = None
        if query.continuation_token:
            after = self._tokens.read(query.continuation_token, scope).get("after")
            if not isinstance(after, str) or not after.startswith(_FEED_KEY_PREFIX):
                raise InvalidInput(
                    "The continuation token is not one this API issued.",
                    [FieldError("continuationToken", "token is not one this API issued")],
                )
        page = self._reader.page(partner_id, after=after, limit=query.page_size)
        token = self._tokens.issue(scope, {"after": page.next_key}) if page.next_key else None
        return FeedPageView(
            items=[
                FeedEntry(
                    id=item.notification_id,
                    kind=item.kind,
                    lead_id=item.lead_id,
                    title=item.title,
                    created_at=item.created_at,
                )
                for item in page.items
            ],
            continuation_token=token,
        )
