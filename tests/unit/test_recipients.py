"""Recipients: the profile's contacts, each under the preference of the user signing in as them."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.domain.partner import Contact
from shared.domain.recipients import EmailPreferences, is_contact, recipients

ANA = Contact(name="Ana", email="ana@contoso.example")
BEN = Contact(name="Ben", email="ben@contoso.example")


def _pref(sign_in: str | None, **values: object) -> EmailPreferences:
    return EmailPreferences.model_validate({"user_id": "u", "sign_in_email": sign_in, **values})


def test_without_preferences_every_contact_is_emailed_once() -> None:
    twice = Contact(name="Ana again", email="ANA@contoso.example")
    assert recipients([ANA, BEN, twice], []) == ["ana@contoso.example", "ben@contoso.example"]


def test_a_user_switches_email_off_or_elsewhere_by_sign_in_address() -> None:
    off = _pref("Ana@Contoso.example", email_enabled=False)
    elsewhere = _pref("ben@contoso.example", email="ben@home.example")
    assert recipients([ANA, BEN], [off, elsewhere]) == ["ben@home.example"]


def test_a_preference_of_someone_not_listed_adds_nobody() -> None:
    stranger = _pref("eve@contoso.example", email="eve@home.example")
    assert recipients([ANA], [stranger, _pref(None)]) == ["ana@contoso.example"]


def test_the_latest_preference_wins_when_two_users_share_an_address() -> None:
    old = _pref(
        "ana@contoso.example", email_enabled=False, updated_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    new = _pref("ana@contoso.example", updated_at=datetime(2026, 2, 1, tzinfo=UTC))
    assert recipients([ANA], [new, old]) == ["ana@contoso.example"]


def test_is_contact_matches_case_insensitively() -> None:
    assert is_contact([ANA], "ANA@contoso.example")
    assert not is_contact([ANA], None)
    assert not is_contact([ANA], "eve@contoso.example")
