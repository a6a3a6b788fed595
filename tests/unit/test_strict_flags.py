"""Body flags are JSON booleans: 0, 1 or "yes" is a 400, as the document's `boolean` says."""

from __future__ import annotations

from typing import Any

import pytest

from shared.domain.errors import InvalidInput
from shared.domain.model import parse_model
from shared.services.notification_settings import UpdatePreferences
from shared.services.referrals import ReferLead

REFERRAL: dict[str, Any] = {
    "qualification": "SalesQualified",
    "leadType": "Offer",
    "customer": {"email": "ola@adatum.example"},
    "offer": {"title": "Fleet Insights"},
}


@pytest.mark.parametrize("flag", [0, 1, "true", "yes"])
def test_a_flag_that_is_no_json_boolean_is_refused(flag: object) -> None:
    with pytest.raises(InvalidInput):
        parse_model(UpdatePreferences, {"emailEnabled": flag})
    with pytest.raises(InvalidInput):
        parse_model(ReferLead, {**REFERRAL, "contactRequested": flag})


def test_json_booleans_are_taken() -> None:
    assert parse_model(UpdatePreferences, {"emailEnabled": False}).email_enabled is False
    assert parse_model(ReferLead, {**REFERRAL, "contactRequested": True}).contact_requested
