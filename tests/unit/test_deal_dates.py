"""A deal's estimatedCloseDate is an ISO 8601 date: a number is a 400, not a day of 1970."""

from __future__ import annotations

from datetime import date

import pytest

from shared.domain.errors import InvalidInput
from shared.domain.model import parse_model
from shared.services.lead_commands import AcceptLead, EditDeal

ACCEPT = {"dealName": "Fleet", "notes": "400 vans"}


@pytest.mark.parametrize("value", [0, "0", 86400, "86400", "2027-2-1", "01.02.2027"])
def test_anything_but_an_iso_date_is_refused(value: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_model(AcceptLead, {**ACCEPT, "estimatedCloseDate": value})
    assert [error.field for error in refused.value.errors] == ["estimatedCloseDate"]


def test_an_iso_date_or_null_is_taken() -> None:
    accepted = parse_model(AcceptLead, {**ACCEPT, "estimatedCloseDate": "2027-02-01"})
    assert accepted.estimated_close_date == date(2027, 2, 1)
    assert parse_model(EditDeal, {"estimatedCloseDate": None}).estimated_close_date is None
