"""Search terms (the `Q|` index and `q`), and which leads the respondBy order reads from `E|`."""

from __future__ import annotations

import pytest

from shared.adapters import lead_rows
from shared.adapters.lead_batches import index_keys
from shared.domain.lead_values import Customer
from shared.domain.search_terms import MAX_TERM_LENGTH, first_match, normalise, search_terms
from shared.services.lead_matching import awaits_answer
from tests.unit.test_allowed_actions import STATES


@pytest.mark.parametrize(
    ("typed", "term"),
    [
        ("Müller", "muller"),
        ("MÜLLER", "muller"),
        ("  Zoë   Ångström ", "zoe angstrom"),
        ("Straße", "strasse"),  # casefold, not lower
        ("ﬁrma", "firma"),  # a compatibility ligature
        ("Łódź", "łodz"),  # Ł has no decomposition: kept, only the marks go
        ("a/b\\c#d?e\x07", "abcde"),  # what a RowKey may not hold
        ("Ab@Example.COM", "ab@example.com"),
    ],
)
def test_a_term_is_casefolded_and_stripped_of_accents(typed: str, term: str) -> None:
    assert normalise(typed) == term


def test_a_term_is_cut_to_fit_a_row_key() -> None:
    assert len(normalise("x" * 1000)) == MAX_TERM_LENGTH


def test_a_lead_is_found_by_company_names_and_email_and_not_by_other_fields() -> None:
    customer = Customer(
        first_name="Zoë", last_name="Ångström", email="zoe@muller.example", company="Müller",
        phone="+4930901820", title="CTO", country="DE",
    )  # fmt: skip
    assert search_terms(customer) == {"zoe", "angstrom", "zoe@muller.example", "muller"}
    assert search_terms(customer.without_contact()) == {"muller"}
    assert first_match(search_terms(customer), "zo") == "zoe"
    assert first_match(search_terms(customer), "x") is None


@pytest.mark.parametrize("state", sorted(STATES))
def test_search_rows_follow_the_lead_and_go_with_its_contact_details(state: str) -> None:
    lead = STATES[state]()
    rows = [key for key in index_keys(lead) if key.startswith(lead_rows.SEARCH)]
    expected = {f"Q|{term}|{lead.id}" for term in search_terms(lead.customer)}
    assert set(rows) == expected
    if state in ("expired", "aged-out"):  # contact removed: only the company can be searched
        assert all(normalise(lead.customer.company or "") in key for key in rows)


@pytest.mark.parametrize("state", sorted(STATES))
def test_the_respond_by_order_reads_exactly_the_leads_the_expiry_index_holds(state: str) -> None:
    lead = STATES[state]()
    in_expiry_index = any(key.startswith(lead_rows.EXPIRY_DUE) for key in lead_rows.due_keys(lead))
    assert awaits_answer(lead) == in_expiry_index
