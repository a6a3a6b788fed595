"""Partners at a glance, from the Partners table alone: each partner's partition holds its
`profile`, its `summary` (written where the events happen), its users' `user|…` rows and its
failed notifications' `failed|…` rows, so one range query in partition order reads a page of
partners with everything the operators' listing shows, and never a lead.

    PartitionKey = partner id, RowKey = `summary`: LastLeadAt, RoutingOn, FailingWebhooks
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

from azure.data.tables import TableClient, UpdateMode

from shared.adapters.storage_errors import translate_storage_errors
from shared.adapters.table_partner_repository import PROFILE_ROW, partner_from_entity
from shared.adapters.table_preference_store import USER_PREFIX, preferences_from_entity
from shared.domain.errors import DependencyUnavailable
from shared.services.operator_ports import PartnerRecord, PartnerRecords, PartnerSummary

logger = logging.getLogger(__name__)
SUMMARY_ROW = "summary"
FAILED_PREFIX = "failed|"
# A busy partner's summary is rewritten at most this often per worker: "last lead received"
# to the minute is what an operator needs, and intake is spared a write per lead.
_ACTIVITY_EVERY = timedelta(minutes=1)
_SCAN_PAGE = 1000  # entities a query page (Table storage's maximum)
_ROWS_PER_PARTNER = 4


class TablePartnerOverview:
    def __init__(self, table: TableClient) -> None:
        self._table = table
        self._noted: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def page(self, after: str | None, limit: int) -> PartnerRecords:
        records: list[PartnerRecord] = []
        # About what a page needs (a profile, a summary and a few users each): a partner with
        # more rows only costs a further storage page.
        per_page = min(_SCAN_PAGE, (limit + 1) * _ROWS_PER_PARTNER)
        with translate_storage_errors():
            entities = (
                self._table.query_entities(
                    "PartitionKey gt @after",
                    parameters={"after": after},
                    results_per_page=per_page,
                )
                if after
                else self._table.list_entities(results_per_page=per_page)
            )
            for _, rows in groupby(entities, key=lambda entity: entity["PartitionKey"]):
                record = _record(list(rows))
                if record is None:
                    continue
                if len(records) == limit:  # one more exists: the page ends before it
                    return PartnerRecords(records, records[-1].partner.partner_id)
                records.append(record)
        return PartnerRecords(records, None)

    def one(self, partner_id: str) -> PartnerRecord | None:
        with translate_storage_errors():
            entities = list(
                self._table.query_entities("PartitionKey eq @p", parameters={"p": partner_id})
            )
        return _record(entities)

    # -- the summary row, written where the events happen ---------------------------------

    def lead_received(self, partner_id: str, at: datetime) -> None:
        with self._lock:
            noted = self._noted.get(partner_id)
            if noted is not None and at < noted + _ACTIVITY_EVERY:
                return
            if len(self._noted) > 10_000:  # bound memory: one entry per partner seen
                self._noted.clear()
            self._noted[partner_id] = at
        self._merge(partner_id, {"LastLeadAt": at})

    def set_routing(self, partner_id: str, *, on: bool) -> None:
        """For lead routing, when a partner turns it on or off."""
        self._merge(partner_id, {"RoutingOn": on})

    def set_failing_webhooks(self, partner_id: str, count: int) -> None:
        """For webhook delivery, when a subscription starts or stops failing."""
        self._merge(partner_id, {"FailingWebhooks": count})

    def _merge(self, partner_id: str, values: dict[str, Any]) -> None:
        entity = {"PartitionKey": partner_id, "RowKey": SUMMARY_ROW, **values}
        try:
            with translate_storage_errors():
                self._table.upsert_entity(entity, mode=UpdateMode.MERGE)
        except DependencyUnavailable as error:
            # The event itself is committed; the summary catches up with the next one.
            logger.warning("Partner %s summary not updated: %s", partner_id, error.detail)


def _record(rows: list[Any]) -> PartnerRecord | None:
    by_key = {row["RowKey"]: row for row in rows}
    profile = by_key.get(PROFILE_ROW)
    if profile is None:  # rows of a partner not (or no longer) registered
        return None
    summary = by_key.get(SUMMARY_ROW) or {}
    users = [preferences_from_entity(r) for k, r in by_key.items() if k.startswith(USER_PREFIX)]
    return PartnerRecord(
        partner=partner_from_entity(profile),
        summary=PartnerSummary(
            last_lead_at=_instant(summary.get("LastLeadAt")),
            routing_on=bool(summary.get("RoutingOn", False)),
            failing_webhooks=int(summary.get("FailingWebhooks") or 0),
        ),
        users=users,
        failed_notifications=sum(key.startswith(FAILED_PREFIX) for key in by_key),
    )


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return datetime.fromtimestamp(value.timestamp(), tz=value.tzinfo)
