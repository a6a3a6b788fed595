"""Bearer token verification with real RS256 tokens (PyJWT is a library, not a service)."""

from __future__ import annotations

import pytest

from shared.adapters.jwt_token_verifier import JwtTokenVerifier
from shared.domain.errors import ConfigurationError, Forbidden, Unauthenticated
from shared.domain.principal import OPERATORS, PARTNER_ACTORS, Role
from tests.support.auth import AUDIENCE, ISSUER, key_pair, token


@pytest.fixture
def verifier() -> JwtTokenVerifier:
    return JwtTokenVerifier(issuer=ISSUER, audience=AUDIENCE, public_key_pem=key_pair().public_pem)


def test_valid_token_gives_the_principal(verifier: JwtTokenVerifier) -> None:
    principal = verifier.verify(token("Referrals.Admin", partner="contoso", user="u-7"))
    assert principal.user_id == "u-7"
    assert principal.partner_id == "contoso"
    assert principal.roles == {"Referrals.Admin"}
    assert principal.email == "u-7@partner.test"
    assert principal.require_partner(PARTNER_ACTORS) == "contoso"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"signer": "attacker"}, "not valid"),
        ({"ttl_seconds": -3600}, "expired"),
        ({"audience": "api://other"}, "another audience"),
        ({"issuer": "https://other"}, "another issuer"),
    ],
)
def test_untrusted_tokens_are_refused(
    verifier: JwtTokenVerifier, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(Unauthenticated, match=message):
        verifier.verify(token("Leads.Operator", **kwargs))  # type: ignore[arg-type]


def test_garbage_is_refused(verifier: JwtTokenVerifier) -> None:
    with pytest.raises(Unauthenticated):
        verifier.verify("a.b.c")


def test_escaped_newlines_in_the_pem_setting_are_accepted() -> None:
    escaped = key_pair().public_pem.replace("\n", "\\n")
    verifier = JwtTokenVerifier(issuer=ISSUER, audience=AUDIENCE, public_key_pem=escaped)
    assert verifier.verify(token("Leads.Operator")).roles == {"Leads.Operator"}


def test_a_bad_pem_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="AUTH_PUBLIC_KEY"):
        JwtTokenVerifier(issuer=ISSUER, audience=AUDIENCE, public_key_pem="not a key")


def test_wrong_role_is_forbidden(verifier: JwtTokenVerifier) -> None:
    principal = verifier.verify(token("Referrals.User", partner="contoso"))
    with pytest.raises(Forbidden):
        principal.require_any(OPERATORS)
    with pytest.raises(Forbidden):
        principal.require_partner(PARTNER_ACTORS)


def test_partner_role_without_partner_claim_is_forbidden(verifier: JwtTokenVerifier) -> None:
    principal = verifier.verify(token(Role.REFERRALS_ADMIN))
    with pytest.raises(Forbidden, match="partner_id"):
        principal.require_partner()
