"""The list query's date bounds: ISO 8601 instants with an offset, or bare dates, nothing else."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.domain.errors import InvalidInput
from shared.domain.model import parse_model
from shared.services.lead_query import LeadQuery


@pytest.mark.parametrize("value", ["0.5", "1", "-3", "1e5", " 1700000000 "])
def test_a_number_is_refused_not_read_as_unix_seconds(value: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_model(LeadQuery, {"createdTo": value})
    assert [error.field for error in refused.value.errors] == ["createdTo"]


def test_instants_and_bare_dates_are_taken() -> None:
    query = parse_model(
        LeadQuery, {"createdFrom": "2026-01-01", "createdTo": "2026-01-31T12:00:00+01:00"}
    )
    assert query.created_from == datetime(2026, 1, 1, tzinfo=UTC)
    assert query.created_to == datetime(2026, 1, 31, 11, 0, tzinfo=UTC)
