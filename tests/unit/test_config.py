"""Settings: defaults of docs/behaviour.md, overrides from the environment, named failures."""

from __future__ import annotations

import pytest

from shared.config import (
    MAX_DIGEST_THRESHOLD,
    PLATFORM_MARKERS,
    Settings,
    env_name,
    load_settings,
)
from shared.domain.errors import ConfigurationError

REQUIRED = {
    "AzureWebJobsStorage": "UseDevelopmentStorage=true",
    "AUTH_ISSUER": "https://issuer.test",
    "AUTH_AUDIENCE": "api://test",
    "AUTH_PUBLIC_KEY": "-----BEGIN PUBLIC KEY-----",
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in Settings.model_fields:
        monkeypatch.delenv(env_name(name), raising=False)
    for key, value in REQUIRED.items():
        monkeypatch.setenv(key, value)
    return monkeypatch


def test_product_numbers_default_to_the_spec(env: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert settings.respond_window_days == 14
    assert settings.hot_window_hours == 72
    assert settings.informational_retention_months == 6
    assert settings.digest_threshold == 10


def test_every_setting_is_overridable_from_the_environment(env: pytest.MonkeyPatch) -> None:
    env.setenv("RESPOND_WINDOW_DAYS", "7")
    env.setenv("SENDGRID_API_HOST", "http://127.0.0.1:9999")
    settings = load_settings()
    assert settings.respond_window_days == 7
    assert settings.sendgrid_api_host == "http://127.0.0.1:9999"


@pytest.mark.parametrize("missing", ["AUTH_ISSUER", "AUTH_AUDIENCE"])
def test_missing_required_setting_is_named(env: pytest.MonkeyPatch, missing: str) -> None:
    env.delenv(missing)
    with pytest.raises(ConfigurationError, match=f"missing required setting {missing}"):
        load_settings()


def test_storage_needs_a_connection_string_or_every_service_uri(env: pytest.MonkeyPatch) -> None:
    env.delenv("AzureWebJobsStorage")
    env.setenv("AzureWebJobsStorage__tableServiceUri", "https://acct.table.core.windows.net")
    with pytest.raises(ConfigurationError, match="AzureWebJobsStorage__queueServiceUri"):
        load_settings()
    env.setenv("AzureWebJobsStorage__queueServiceUri", "https://acct.queue.core.windows.net")
    env.setenv("AzureWebJobsStorage__blobServiceUri", "https://acct.blob.core.windows.net")
    assert load_settings().storage_connection_string is None


def test_a_key_or_jwks_url_is_required(env: pytest.MonkeyPatch) -> None:
    env.delenv("AUTH_PUBLIC_KEY")
    with pytest.raises(ConfigurationError, match="AUTH_JWKS_URL or AUTH_PUBLIC_KEY"):
        load_settings()
    env.setenv("AUTH_JWKS_URL", "https://login.example/keys")
    assert load_settings().auth_jwks_url == "https://login.example/keys"


def test_invalid_number_is_named(env: pytest.MonkeyPatch) -> None:
    env.setenv("DIGEST_THRESHOLD", "many")
    with pytest.raises(ConfigurationError, match="invalid setting DIGEST_THRESHOLD"):
        load_settings()


def test_base_url_prefers_explicit_then_azure_hostname(env: pytest.MonkeyPatch) -> None:
    assert load_settings().base_url == "http://localhost:7071"
    env.setenv("WEBSITE_HOSTNAME", "leads.azurewebsites.net")
    assert load_settings().base_url == "https://leads.azurewebsites.net"
    env.setenv("PUBLIC_BASE_URL", "https://leads.contoso.example/")
    assert load_settings().base_url == "https://leads.contoso.example"


def test_email_links_default_to_the_ui_this_app_serves(env: pytest.MonkeyPatch) -> None:
    env.setenv("WEBSITE_HOSTNAME", "leads.azurewebsites.net")
    assert load_settings().ui_base_url == "https://leads.azurewebsites.net/api/ui"
    env.setenv("PARTNER_UI_BASE_URL", "https://partners.contoso.example/")
    assert load_settings().ui_base_url == "https://partners.contoso.example"


OPTIONAL = sorted(
    name
    for name, field in Settings.model_fields.items()
    if not field.is_required() and env_name(name) not in PLATFORM_MARKERS
)


# Settings that are optional one of a group: the group's other way is given.
COMPANIONS = {
    "AUTH_PUBLIC_KEY": {"AUTH_JWKS_URL": "https://login.example/keys"},
    "AzureWebJobsStorage": {
        f"AzureWebJobsStorage__{service}ServiceUri": f"https://acct.{service}.core.windows.net"
        for service in ("table", "queue", "blob")
    },
}


@pytest.mark.parametrize("field_name", OPTIONAL, ids=env_name)
def test_an_empty_optional_setting_is_not_set(env: pytest.MonkeyPatch, field_name: str) -> None:
    for name, value in COMPANIONS.get(env_name(field_name), {}).items():
        env.setenv(name, value)
    env.setenv(env_name(field_name), "")
    assert getattr(load_settings(), field_name) == Settings.model_fields[field_name].default


@pytest.mark.parametrize("missing", ["AUTH_ISSUER", "AUTH_AUDIENCE"])
def test_an_empty_required_setting_is_missing(env: pytest.MonkeyPatch, missing: str) -> None:
    env.setenv(missing, "")
    with pytest.raises(ConfigurationError, match=f"missing required setting {missing}"):
        load_settings()


@pytest.mark.parametrize("marker", PLATFORM_MARKERS)
@pytest.mark.parametrize("value", ["", "anything"])
def test_a_platform_marker_present_at_all_means_on_the_platform(
    env: pytest.MonkeyPatch, marker: str, value: str
) -> None:
    assert load_settings().on_platform is False
    env.setenv(marker, value)
    assert load_settings().on_platform is True


def test_the_digest_threshold_is_bounded(env: pytest.MonkeyPatch) -> None:
    env.setenv("DIGEST_THRESHOLD", str(MAX_DIGEST_THRESHOLD))
    assert load_settings().digest_threshold == MAX_DIGEST_THRESHOLD
    env.setenv("DIGEST_THRESHOLD", str(MAX_DIGEST_THRESHOLD + 1))
    with pytest.raises(ConfigurationError, match="invalid setting DIGEST_THRESHOLD"):
        load_settings()
