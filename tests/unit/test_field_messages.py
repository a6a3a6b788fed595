"""Every validation message the API gives is a sentence for a person: no pydantic or
email-validator wording, no regular expressions, and never the value that was sent."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import BaseModel

from shared.domain.errors import InvalidInput
from shared.domain.model import parse_model
from shared.services.lead_commands import AcceptLead, DeclineLead, EditDeal, LoseLead, WinLead
from shared.services.lead_query import LeadQuery
from shared.services.operator_jobs import JobRequest
from shared.services.partners import RegisterPartner
from shared.services.referrals import ReferLead

MACHINE_WORDING = re.compile(
    r"Input should|String should|Value error|List should|Field required|pattern|\^\[|regex|"
    r"value is not a valid|@-sign|valid decimal|type=|Extra inputs"
)
SECRET = "zz-secret-zz"  # a value that must never come back in a message

BAD_BODIES: list[tuple[type[BaseModel], dict[str, Any]]] = [
    (AcceptLead, {"dealName": "", "notes": SECRET * 500, "estimatedValue": "60.000,00",
                  "currency": "EURO", "estimatedCloseDate": "31/12/2026", "crmId": 5,
                  "teamMembers": [{"name": "Jo", "email": f"{SECRET}@", "phone": "12"}] * 51,
                  "surprise": SECRET}),
    (AcceptLead, {"dealName": "x", "notes": "n", "estimatedValue": "1.234", "currency": "EUR"}),
    (AcceptLead, {"dealName": "x", "notes": "n", "estimatedValue": -1, "currency": "EUR"}),
    (AcceptLead, {"dealName": "x", "notes": "n", "estimatedValue": 5}),
    (DeclineLead, {"reason": SECRET}),
    (LoseLead, {"reason": "Other", "value": [1], "currency": "eu"}),
    (WinLead, {"value": "abc", "notes": 3}),
    (EditDeal, {"notes": None, "teamMembers": "Jo"}),
    (LeadQuery, {"pageSize": 0, "hot": "maybe", "createdFrom": "2026-13-01", "sort": "x"}),
    (RegisterPartner, {"partnerId": "Not A Valid Id!", "name": "",
                       "contacts": [{"name": "a", "email": "a@b"}], "timeZone": "Mars/Base"}),
    (ReferLead, {"qualification": "Hot", "leadType": "Profile", "customer": {"email": "x@"}}),
]  # fmt: skip


@pytest.mark.parametrize(("model", "body"), BAD_BODIES, ids=lambda value: str(value)[:40])
def test_every_message_is_written_for_people(model: type[BaseModel], body: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_model(model, body)
    assert refused.value.errors
    for error in refused.value.errors:
        assert error.message[:1].isupper(), error
        assert error.message.endswith((".", "?")), error
        assert not MACHINE_WORDING.search(error.message), error
        assert SECRET not in error.message, error


def test_the_fields_say_what_would_be_right() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_model(AcceptLead, BAD_BODIES[0][1])
    messages = {error.field: error.message for error in refused.value.errors}
    assert messages["dealName"] == "This is required."
    assert messages["estimatedValue"].startswith("Enter a number, such as 25000")
    assert messages["currency"] == "Enter a three-letter currency code, such as EUR or USD."
    assert messages["estimatedCloseDate"] == "Enter a date as year-month-day, such as 2026-12-31."
    assert messages["teamMembers"] == "Give at most 50 items."
    assert messages["surprise"] == "This field is not part of this request."


def test_a_pattern_says_what_it_asks_for() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_model(RegisterPartner, {"partnerId": "Not A Valid Id!", "name": "C"})
    (error,) = [e for e in refused.value.errors if e.field == "partnerId"]
    assert error.message.startswith("Use up to 64 lowercase letters, digits and hyphens")


def test_the_detail_names_the_problem_for_a_query_as_for_a_body() -> None:
    # A caller reading only `detail` (an operator's curl) sees what to change: the field and
    # its message, never "the request body" for a query string.
    with pytest.raises(InvalidInput) as refused:
        parse_model(JobRequest, {"asOf": "2026-11-29T23:59:00"})
    assert str(refused.value) == (
        "asOf: Needs a UTC offset (Z or +hh:mm): a bare local time is ambiguous."
    )
    with pytest.raises(InvalidInput) as refused:
        parse_model(AcceptLead, BAD_BODIES[0][1])
    detail = str(refused.value)
    assert detail.startswith("Invalid fields: ")
    assert "dealName" in detail
    assert "surprise" in detail
    assert SECRET not in detail
