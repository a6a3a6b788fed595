"""Which leads were stored under an older index layout (`lead_batches.INDEX_LAYOUT`).

One query over the partner's lead rows (`L|`), projected to two columns: a partition of 20,000
leads costs the keys, not the documents (up to ~200 KB each). A lead written before the layout
number was stored has none, which counts as older.
"""

from __future__ import annotations

from collections.abc import Iterator

from azure.data.tables import TableClient

from shared.adapters import lead_rows as rows
from shared.adapters.lead_batches import INDEX_LAYOUT
from shared.adapters.storage_errors import translate_storage_errors

_RANGE = "PartitionKey eq @partner and RowKey ge @low and RowKey lt @high"
# The character after "|" ends the L| range.
_RANGE_END = rows.LEAD[:-1] + chr(ord(rows.LEAD[-1]) + 1)


class TableLeadIndexAudit:
    def __init__(self, table: TableClient) -> None:
        self._table = table

    def outdated(self, partner_id: str) -> Iterator[str]:
        parameters = {"partner": partner_id, "low": rows.LEAD, "high": _RANGE_END}
        with translate_storage_errors():
            found = self._table.query_entities(
                _RANGE, parameters=parameters, select=["RowKey", "IndexLayout"]
            )
            for entity in found:
                if (entity.get("IndexLayout") or 0) < INDEX_LAYOUT:
                    yield str(entity["RowKey"])[len(rows.LEAD) :]
