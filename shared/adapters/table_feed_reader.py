"""A partner's in-app feed (lead_rows.py, `N|<newest-first>|<id>`), a page at a time."""

from __future__ import annotations

from itertools import islice
from typing import Any

from azure.data.tables import TableClient

from shared.adapters import lead_rows as rows
from shared.adapters.storage_errors import translate_storage_errors
from shared.domain.delivery import FeedItem
from shared.services.notification_ports import FeedPage

_COLUMNS = ["RowKey", "NotificationId", "Kind", "LeadId", "Title", "CreatedAt"]


class TableFeedReader:
    def __init__(self, table: TableClient) -> None:
        self._table = table

    def page(self, partner_id: str, *, after: str | None, limit: int) -> FeedPage:
        query = "PartitionKey eq @partner and RowKey gt @after and RowKey lt @end"
        parameters = {
            "partner": partner_id,
            "after": after or rows.FEED,
            "end": rows.key_after(rows.FEED),
        }
        with translate_storage_errors():
            # One more than asked tells whether a next page exists; the SDK follows the
            # service's continuation (a page may come back short) until it has them.
            entities = list(
                islice(
                    self._table.query_entities(
                        query, parameters=parameters, select=_COLUMNS, results_per_page=limit + 1
                    ),
                    limit + 1,
                )
            )
        items = [_item(entity) for entity in entities[:limit]]
        more = len(entities) > limit
        return FeedPage(items=items, next_key=entities[limit - 1]["RowKey"] if more else None)


def _item(entity: Any) -> FeedItem:
    return FeedItem(
        notification_id=entity["NotificationId"],
        kind=entity["Kind"],
        lead_id=entity.get("LeadId") or None,
        title=entity["Title"],
        created_at=entity["CreatedAt"],
    )
