"""The UI's start-up config, its Content-Security-Policy, and the dev sign-in that can never be
switched on in Azure."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.adapters.clock import FixedClock
from shared.adapters.jwt_token_minter import JwtTokenMinter
from shared.adapters.jwt_token_verifier import JwtTokenVerifier
from shared.bootstrap import Container
from shared.config import Settings
from shared.domain.errors import NotFound
from shared.services.dev_sign_in import DevSignIn, DevSignInRequest
from shared.services.ui_config import UiSetup, dev_sign_in_allowed, msal_config
from tests.support.auth import AUDIENCE, ISSUER, key_pair
from tests.unit.test_infra import app_settings, literal

ENTRA = "https://login.microsoftonline.com/contoso-tenant"


def _setup(client_id: str | None) -> UiSetup:
    msal = msal_config(
        client_id=client_id, authority=None, scopes="", issuer=f"{ENTRA}/v2.0",
        audience="11111111-2222-3333-4444-555555555555",
    )  # fmt: skip
    return UiSetup(msal=msal, dev_sign_in=False, hot_window_hours=72, respond_window_days=14)


def test_msal_settings_default_to_the_issuer_and_the_apis_scope() -> None:
    config = _setup("spa-client").config()
    assert config.msal is not None
    assert config.msal.authority == ENTRA
    assert config.msal.scopes == ["api://11111111-2222-3333-4444-555555555555/access_as_user"]
    assert _setup(None).config().msal is None


def test_the_policy_allows_the_sign_in_origin_only_when_msal_is_used() -> None:
    strict = _setup(None).content_security_policy()
    assert "connect-src 'self';" in strict
    assert "frame-src 'none'" in strict
    assert "login.microsoftonline.com" not in strict
    with_msal = _setup("spa-client").content_security_policy()
    assert "connect-src 'self' https://login.microsoftonline.com;" in with_msal
    assert "frame-src https://login.microsoftonline.com" in with_msal
    for policy in (strict, with_msal):
        assert "script-src 'self';" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe" not in policy


@pytest.mark.parametrize(
    ("enabled", "has_key", "on_platform", "allowed"),
    [(True, True, False, True), (False, True, False, False), (True, False, False, False),
     (True, True, True, False)],
)  # fmt: skip
def test_dev_sign_in_needs_the_setting_the_key_and_no_platform(
    enabled: bool, has_key: bool, on_platform: bool, allowed: bool
) -> None:
    assert dev_sign_in_allowed(enabled=enabled, has_key=has_key, on_platform=on_platform) is allowed


def _settings(**values: str) -> Settings:
    return Settings.model_validate({
        "AzureWebJobsStorage": "UseDevelopmentStorage=true", "AUTH_ISSUER": ISSUER,
        "AUTH_AUDIENCE": AUDIENCE, "AUTH_PUBLIC_KEY": key_pair().public_pem,
        "DEV_SIGN_IN_ENABLED": "true", "DEV_SIGNING_KEY": key_pair().private_pem.decode(),
        **values,
    })  # fmt: skip


@pytest.mark.parametrize("platform", ["WEBSITE_INSTANCE_ID", "WEBSITE_SITE_NAME"])
@pytest.mark.parametrize("value", ["anything", ""])  # present at all, even empty
def test_on_the_platform_the_dev_sign_in_is_refused_whatever_the_setting(
    platform: str, value: str
) -> None:
    container = Container(_settings(**{platform: value}))
    assert container.dev_sign_in.available is False
    assert container.ui_setup.config().dev_sign_in is False
    with pytest.raises(NotFound):
        container.dev_sign_in.require_available()
    with pytest.raises(NotFound):
        container.dev_sign_in.sign_in(
            DevSignInRequest(partner_id="contoso", roles=["Referrals.Admin"])
        )


def test_locally_the_dev_token_is_one_the_api_verifies() -> None:
    container = Container(_settings(), clock=FixedClock(datetime.now(UTC)))
    assert container.ui_setup.config().dev_sign_in is True
    token = container.dev_sign_in.sign_in(
        DevSignInRequest(
            partner_id="contoso", roles=["Referrals.User", "Referrals.Admin"], name="Ana"
        )
    )
    principal = container.token_verifier.verify(token.access_token)
    assert principal.partner_id == "contoso"
    assert principal.roles == frozenset({"Referrals.Admin", "Referrals.User"})
    assert principal.name == "Ana"


def test_only_partner_roles_can_be_picked() -> None:
    with pytest.raises(ValueError, match="only partner roles"):
        DevSignInRequest(partner_id="contoso", roles=["Leads.Operator"])


def test_a_minter_signs_what_the_verifier_accepts() -> None:
    minter = JwtTokenMinter(
        private_key_pem=key_pair().private_pem.decode().replace("\n", "\\n"),
        issuer=ISSUER,
        audience=AUDIENCE,
    )
    service = DevSignIn(minter=minter, clock=FixedClock(datetime.now(UTC)))
    token = service.sign_in(DevSignInRequest(partner_id="p1", roles=["Referrals.Admin"]))
    verifier = JwtTokenVerifier(
        issuer=ISSUER, audience=AUDIENCE, public_key_pem=key_pair().public_pem, jwks_url=None
    )
    assert verifier.verify(token.access_token).partner_id == "p1"


def test_azure_turns_the_dev_sign_in_off_and_never_holds_its_key() -> None:
    settings = app_settings()
    assert literal(settings["DEV_SIGN_IN_ENABLED"]) == "false"
    assert "DEV_SIGNING_KEY" not in settings
