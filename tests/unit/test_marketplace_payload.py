"""The marketplace's HTTPS-endpoint lead body: fixtures, LeadSource, cleaning, 400s, fuzzing."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.errors import InvalidInput
from shared.domain.lead_values import CallToAction, LeadFlag, Storefront
from shared.domain.marketplace_payload import MarketplaceDelivery, parse_marketplace_payload

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "marketplace"
CUSTOMER_NAMES = ["FirstName", "LastName", "Email", "Phone", "Country", "Company", "Title"]
TOP_NAMES = ["UserDetails", "LeadSource", "ActionCode", "OfferTitle", "Description"]

MIA = ("Mia", "Schmidt", "mia.schmidt@fabrikam.de", "+49 30 901820", "DE", "Fabrikam GmbH")
MSFT = "MSFT_TEST_636573304831318844"
# file → (storefront, call to action, (offer id, publisher, title), customer values, is_test)
EXPECTED: dict[str, tuple[Any, ...]] = {
    "appsource-contact-me-combined-source.json": (
        Storefront.APPSOURCE,
        CallToAction.CONTACT_ME,
        ("fabrikam.fleet-insights", "fabrikam", "Fleet Insights"),
        (*MIA, "Head of IT"),
        False,
    ),
    "https-endpoint-example.json": (
        Storefront.AZURE_MARKETPLACE,
        CallToAction.GET_IT_NOW,
        (None, None, "Test Microsoft"),
        ("Some", "One", "someone@contoso.com", "16175555555", "USA", "Contoso", "Esquire"),
        False,
    ),
    "portal-create-lowercase-keys.json": (
        Storefront.AZURE_PORTAL,
        CallToAction.GET_IT_NOW,
        ("contoso.secure-gateway", "contoso", "Secure Gateway"),
        (
            "Kenji",
            "Watanabe",
            "k.watanabe@example.co.jp",
            "03-1234-5678",
            "JP",
            "Example KK",
            "CTO",
        ),
        False,
    ),
    "test-drive-partial-details.json": (
        Storefront.AZURE_MARKETPLACE,
        CallToAction.TEST_DRIVE,
        ("northwind.erp-connector", "northwind", "ERP Connector"),
        ("Ana", None, "ana@northwind.example", None, "BR", None, None),
        False,
    ),
    "validate-test-lead.json": (
        Storefront.AZURE_MARKETPLACE,
        CallToAction.GET_IT_NOW,
        (None, None, "Contoso Test"),
        (MSFT, MSFT, f"{MSFT}@test.com", "1234567890", "US", MSFT, MSFT),
        True,
    ),
}


def _fixture(name: str) -> dict[str, object]:
    if not FIXTURES.is_dir():
        pytest.fail(f"marketplace fixtures not found at {FIXTURES}")
    body: dict[str, object] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return body


def _customer_values(delivery: MarketplaceDelivery) -> tuple[str | None, ...]:
    c = delivery.customer
    return (c.first_name, c.last_name, c.email, c.phone, c.country, c.company, c.title)


def test_every_fixture_file_has_expectations() -> None:
    if not FIXTURES.is_dir():
        pytest.fail(f"marketplace fixtures not found at {FIXTURES}")
    assert {path.name for path in FIXTURES.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_parses_to_the_expected_lead(name: str) -> None:
    storefront, call_to_action, offer, customer, is_test = EXPECTED[name]
    delivery = parse_marketplace_payload(_fixture(name))
    assert delivery.storefront is storefront
    assert delivery.call_to_action is call_to_action
    assert (delivery.offer.id, delivery.offer.publisher_id, delivery.offer.title) == offer
    assert _customer_values(delivery) == customer
    assert delivery.is_test is is_test
    assert delivery.requires_action is (call_to_action is CallToAction.CONTACT_ME)
    assert delivery.flags == ()


def test_fixture_details_beyond_the_table() -> None:
    contact_me = parse_marketplace_payload(_fixture("appsource-contact-me-combined-source.json"))
    assert (contact_me.raw_source, contact_me.action_code) == ("AppSource (SPZA)", "PLT")
    assert contact_me.description == "We run 400 vans and want a demo next week."
    portal = parse_marketplace_payload(_fixture("portal-create-lowercase-keys.json"))
    assert (portal.action_code, portal.description) == ("Create", None)


AM, AP, AS = Storefront.AZURE_MARKETPLACE, Storefront.AZURE_PORTAL, Storefront.APPSOURCE
NOW, TRIAL = CallToAction.GET_IT_NOW, CallToAction.FREE_TRIAL
CONTACT, DRIVE = CallToAction.CONTACT_ME, CallToAction.TEST_DRIVE
CHECKPOINT = "checkpoint.check-point-r77-10sg-byol"


@pytest.mark.parametrize(
    ("lead_source", "action_code", "expected"),
    [
        (f"AzureMarketplace-INS|{CHECKPOINT}", None, (AM, "INS", NOW, CHECKPOINT)),
        ("AzureMarketplace-INS", None, (AM, "INS", NOW, None)),
        ("azureportal-create|a.b", "PLT", (AP, "create", NOW, "a.b")),  # combined wins
        ("AzureMarketplace", "plt", (AM, "plt", CONTACT, None)),
        ("AppSource", "StartFreeTrial", (AS, "StartFreeTrial", TRIAL, None)),
        ("SPZA-Trial|p.o", None, (AS, "Trial", TRIAL, "p.o")),
        ("AppSource-SPZA|p.o", "FreeTrial", (AS, "FreeTrial", TRIAL, "p.o")),
        ("TestDrive|p.o", None, (AM, None, DRIVE, "p.o")),
        ("AzureMarketplace-StartTestDrive", None, (AM, "StartTestDrive", DRIVE, None)),
        ("AzureMarketplace-DNC|p.o", None, (AM, "DNC", None, "p.o")),
        (" AppSource (SPZA) - PLT | p.o ", None, (AS, "PLT", CONTACT, "p.o")),
    ],
)
def test_lead_source_forms(
    lead_source: str, action_code: str | None, expected: tuple[object, ...]
) -> None:
    body: dict[str, object] = {"LeadSource": lead_source, "OfferTitle": "Offer"}
    if action_code is not None:
        body["ActionCode"] = action_code
    delivery = parse_marketplace_payload(body)
    offer_id = delivery.offer.id
    assert (
        delivery.storefront,
        delivery.action_code,
        delivery.call_to_action,
        offer_id,
    ) == expected
    assert delivery.flags == ()


def test_offer_without_a_dot_has_no_publisher_and_missing_offer_is_flagged() -> None:
    lone = parse_marketplace_payload({"LeadSource": "AzureMarketplace-INS|lonely"})
    assert (lone.offer.id, lone.offer.publisher_id) == ("lonely", None)
    bare = parse_marketplace_payload({"LeadSource": "AzureMarketplace", "ActionCode": "INS"})
    assert bare.offer.id is None
    assert bare.offer.title is None
    assert bare.flags == (LeadFlag.MISSING_OFFER,)


def test_property_names_match_in_any_case_and_unknown_ones_are_ignored() -> None:
    body = {
        "USERDETAILS": {"firstname": "Ana", "EMAIL": "ana@x.example", "Extra": 5},
        "leadsource": "AZUREPORTAL-create|p.o",
        "offertitle": "T",
        "SomethingNew": {"nested": [1, 2]},
    }
    delivery = parse_marketplace_payload(body)
    assert (delivery.customer.first_name, delivery.customer.email) == ("Ana", "ana@x.example")
    assert (delivery.storefront, delivery.offer.title) == (Storefront.AZURE_PORTAL, "T")


def test_unknown_source_and_action_are_kept_verbatim_and_flagged() -> None:
    delivery = parse_marketplace_payload({"LeadSource": "Dynamics365-Poke|p.o", "OfferTitle": "T"})
    assert (delivery.storefront, delivery.raw_source) == (None, "Dynamics365-Poke")
    assert delivery.call_to_action is None
    assert delivery.flags == (LeadFlag.UNKNOWN_SOURCE, LeadFlag.UNKNOWN_ACTION_CODE)
    known_source = parse_marketplace_payload({"LeadSource": "AppSource-Poke", "OfferTitle": "T"})
    assert (known_source.storefront, known_source.action_code) == (Storefront.APPSOURCE, "Poke")
    assert known_source.flags == (LeadFlag.UNKNOWN_ACTION_CODE,)


def test_missing_everything_is_a_lead_with_every_flag() -> None:
    delivery = parse_marketplace_payload({})
    assert delivery.storefront is None
    assert delivery.call_to_action is None
    assert delivery.flags == (
        LeadFlag.UNKNOWN_SOURCE,
        LeadFlag.UNKNOWN_ACTION_CODE,
        LeadFlag.MISSING_OFFER,
    )
    assert _customer_values(delivery) == (None,) * 7


def _bad_fields(body: Mapping[str, object]) -> set[str]:
    with pytest.raises(InvalidInput) as caught:
        parse_marketplace_payload(body)
    return {error.field for error in caught.value.errors}


def test_non_strings_are_refused_naming_each_field() -> None:
    body = {
        "userDetails": {"email": 5, "Phone": 16175555555, "Company": ["a"], "Title": {"x": 1}},
        "leadSource": True,
        "ActionCode": 1.5,
        "OfferTitle": "fine",
    }
    expected = {
        "UserDetails.Email",
        "UserDetails.Phone",
        "UserDetails.Company",
        "UserDetails.Title",
    }
    assert _bad_fields(body) == expected | {"LeadSource", "ActionCode"}


@pytest.mark.parametrize("details", ["a string", 3, [{"Email": "a@b.example"}], True])
def test_user_details_must_be_an_object(details: object) -> None:
    assert _bad_fields({"UserDetails": details, "LeadSource": "AzureMarketplace"}) == {
        "UserDetails"
    }


def test_nulls_count_as_absent() -> None:
    delivery = parse_marketplace_payload(
        {"UserDetails": None, "LeadSource": None, "ActionCode": None}
    )
    assert delivery.customer.email is None
    assert delivery.raw_source is None


def test_length_limits_apply_after_cleaning() -> None:
    padded = "  " + "x" * 1024 + "\u200b\x00  "
    ok = parse_marketplace_payload({"UserDetails": {"Company": padded}, "Description": "d" * 8000})
    assert ok.customer.company == "x" * 1024
    body = {
        "UserDetails": {"Company": "x" * 1025},
        "OfferTitle": "t" * 1025,
        "Description": "d" * 8001,
    }
    assert _bad_fields(body) == {"UserDetails.Company", "OfferTitle", "Description"}


def test_control_characters_are_stripped_but_description_keeps_lines_and_tabs() -> None:
    body = {
        "UserDetails": {"FirstName": " \x00Mi\u200ba\x1b\n", "Email": "\t\r\n", "Company": "A\tB"},
        "Description": "\u202eLine one\n\tLine two\r\x07 ",
    }
    delivery = parse_marketplace_payload(body)
    assert delivery.customer.first_name == "Mia"
    assert delivery.customer.email is None
    assert delivery.customer.company == "AB"
    assert delivery.description == "Line one\n\tLine two"


@pytest.mark.parametrize("field", ["FirstName", "Email", "Company"])
def test_any_msft_test_value_marks_a_test_lead(field: str) -> None:
    delivery = parse_marketplace_payload({"UserDetails": {field: "msft_test_42"}})
    assert delivery.is_test
    assert parse_marketplace_payload({"Description": "MSFT_TEST run"}).is_test
    assert not parse_marketplace_payload({"UserDetails": {field: "Not MSFT_TEST"}}).is_test


# --- properties -------------------------------------------------------------------------------


def _random_case(name: str) -> st.SearchStrategy[str]:
    flips = st.lists(st.booleans(), min_size=len(name), max_size=len(name))
    return flips.map(
        lambda ups: "".join(c.upper() if up else c.lower() for c, up in zip(name, ups, strict=True))
    )


property_names = st.one_of(
    st.sampled_from(TOP_NAMES + CUSTOMER_NAMES).flatmap(_random_case), st.text(max_size=12)
)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(property_names, inner, max_size=6),
    max_leaves=12,
)


def _outcome(body: Mapping[str, object]) -> MarketplaceDelivery | InvalidInput:
    try:
        return parse_marketplace_payload(body)
    except InvalidInput as error:
        return error


@settings(max_examples=120, deadline=None)
@given(st.dictionaries(property_names, json_values, max_size=8))
def test_any_json_object_is_a_delivery_or_invalid_input(body: dict[str, Any]) -> None:
    outcome = _outcome(body)  # any other exception fails the test
    if isinstance(outcome, InvalidInput):
        assert outcome.errors, "a 400 names at least one field"


def _cleaned(text: str, keep: str = "") -> str | None:
    """An independent statement of the cleaning rule, for the round trip."""
    stripped = "".join(
        c for c in text if c in keep or unicodedata.category(c) not in {"Cc", "Cf", "Cs"}
    )
    return stripped.strip() or None


field_text = st.text(max_size=60)


@settings(max_examples=150, deadline=None)
@given(
    customer=st.fixed_dictionaries({name: field_text for name in CUSTOMER_NAMES}),
    title=field_text,
    description=st.text(max_size=200),
    lead_source=st.tuples(
        st.sampled_from(["AzureMarketplace", "AzurePortal", "AppSource (SPZA)"]),
        st.sampled_from(["INS", "PLT", "Create", "StartTestDrive"]),
        st.text(alphabet="abcdefghij.-", min_size=1, max_size=20),
    ),
)
def test_string_fields_round_trip_cleaned(
    customer: dict[str, str], title: str, description: str, lead_source: tuple[str, str, str]
) -> None:
    source, action, offer = lead_source
    body = {
        "userdetails": customer,
        "LEADSOURCE": f"{source}-{action}|{offer}",
        "OfferTitle": title,
        "Description": description,
    }
    delivery = parse_marketplace_payload(body)
    expected = tuple(_cleaned(customer[name]) for name in CUSTOMER_NAMES)
    assert _customer_values(delivery) == expected
    assert delivery.offer.title == _cleaned(title)
    assert delivery.offer.id == offer
    assert delivery.description == _cleaned(description, keep="\n\t")
    assert (delivery.raw_source, delivery.action_code) == (source, action)
    values = [*expected, delivery.description]
    assert delivery.is_test == any(v and v.casefold().startswith("msft_test") for v in values)
