"""Which email sender the composition root builds, from the settings as Azure passes them."""

from __future__ import annotations

import pytest

from shared.adapters.blob_outbox_email_sender import BlobOutboxEmailSender
from shared.adapters.sendgrid_email_sender import SendGridEmailSender
from shared.bootstrap import Container
from shared.config import Settings, env_name, load_settings
from tests.support.auth import AUDIENCE, ISSUER, key_pair
from tests.support.azurite import Azurite


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, azurite: Azurite, unique_name: str) -> pytest.MonkeyPatch:
    for name in Settings.model_fields:
        monkeypatch.delenv(env_name(name), raising=False)
    monkeypatch.setenv("AzureWebJobsStorage", azurite.connection_string)
    monkeypatch.setenv("STORAGE_PREFIX", unique_name)
    monkeypatch.setenv("AUTH_ISSUER", ISSUER)
    monkeypatch.setenv("AUTH_AUDIENCE", AUDIENCE)
    monkeypatch.setenv("AUTH_PUBLIC_KEY", key_pair().public_pem)
    return monkeypatch


def test_an_empty_sendgrid_key_stores_emails_in_the_blob_outbox(env: pytest.MonkeyPatch) -> None:
    env.setenv("SENDGRID_API_KEY", "")  # what the Bicep template sets when no key is given
    env.setenv("EMAIL_FROM", "")
    assert isinstance(Container(load_settings()).email_sender, BlobOutboxEmailSender)


def test_a_sendgrid_key_sends_through_sendgrid(env: pytest.MonkeyPatch) -> None:
    env.setenv("SENDGRID_API_KEY", "SG.key")
    env.setenv("EMAIL_FROM", "leads@contoso.example")
    assert isinstance(Container(load_settings()).email_sender, SendGridEmailSender)
