"""Continuation tokens: what this API issued reads back; anything else is a 400 naming the field."""

from __future__ import annotations

import pytest

from shared.domain.errors import InvalidInput
from shared.services.paging import PagingTokens

TOKENS = PagingTokens(b"secret")


def test_an_issued_token_reads_back_for_its_scope() -> None:
    token = TOKENS.issue("scope", {"after": "A|1"})
    assert TOKENS.read(token, "scope") == {"after": "A|1"}


@pytest.mark.parametrize(
    "token",
    [
        "é",
        "abc.défg",
        "ünïcode.ünïcode",
        "\x00.\x00",
        "no-dot-at-all",
        "a.b.c",
        ".",
        "a b.c",
        "Zm9v.",
        "W10.bad-signature",
    ],
)
def test_a_malformed_token_is_invalid_input_naming_the_parameter(token: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        TOKENS.read(token, "scope")
    assert [error.field for error in refused.value.errors] == ["continuationToken"]


def test_a_token_signed_with_another_key_or_for_another_scope_is_refused() -> None:
    foreign = PagingTokens(b"other").issue("scope", {"after": "A|1"})
    with pytest.raises(InvalidInput):
        TOKENS.read(foreign, "scope")
    with pytest.raises(InvalidInput, match="another query"):
        TOKENS.read(TOKENS.issue("scope", {}), "other scope")
