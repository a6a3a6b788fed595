"""A real TableClient that counts the entities its queries hand out: what storage examined, for
queries with key conditions only (the event log's, the listings')."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from azure.data.tables import TableClient


class CountingTable:
    def __init__(self, table: TableClient) -> None:
        self._table = table
        self.examined = 0

    def query_entities(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for entity in self._table.query_entities(*args, **kwargs):
            self.examined += 1
            yield entity

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)
