"""What a lead can be found by: prefixes of the customer's company, first or last name, email.

Case- and accent-insensitive: a term is casefolded and decomposed (NFKD) with its combining
marks dropped, so "Müller", "MÜLLER" and "muller" are the same term, and so is what a user
types. Terms become RowKey parts of the search index (`Q|<term>|<leadId>`), so the characters
Table storage refuses in keys (`/ \\ # ?`, control characters) are dropped too, and a term is
cut to a length that keeps the key well inside the 512 characters a key may have.
"""

from __future__ import annotations

import unicodedata

from shared.domain.lead_values import Customer

MAX_TERM_LENGTH = 100
_REFUSED_IN_KEYS = frozenset("/\\#?")


def normalise(text: str) -> str:
    """The form terms are stored and searched in: "  Zoë Ångström " → "zoe angstrom"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = (
        char
        for char in decomposed
        if not unicodedata.combining(char)
        and char not in _REFUSED_IN_KEYS
        and unicodedata.category(char) != "Cc"
    )
    # Casefold again: decomposition can reveal upper-case compatibility forms.
    return " ".join("".join(kept).casefold().split())[:MAX_TERM_LENGTH]


def search_terms(customer: Customer) -> frozenset[str]:
    """The normalised terms a lead is found by; contact fields are gone once it expires."""
    fields = (customer.company, customer.first_name, customer.last_name, customer.email)
    return frozenset(term for field in fields if field and (term := normalise(field)))


def first_match(terms: frozenset[str], prefix: str) -> str | None:
    """The smallest term starting with `prefix`: a lead is listed once, at that term."""
    return min((term for term in terms if term.startswith(prefix)), default=None)


def searchable(typed: str) -> str:
    """`typed` if it leaves a term to search for (a validator of `q`), else ValueError."""
    if not normalise(typed):
        raise ValueError("type at least one letter or digit to search for")
    return typed
