"""Signing secrets sealed with Fernet (AES-128-CBC + HMAC-SHA256) under keys from the settings.

A webhook secret must be readable to sign, so it cannot be stored as a hash like the intake key.
It is encrypted under `WEBHOOK_SECRET_KEYS` (a Key Vault reference in Azure): someone who reads
the table (a backup, a leaked SAS) learns nothing without the key. Several keys may be given,
newest first: the first seals, every one opens, so the key can be rotated without losing a
subscription (MultiFernet).
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from shared.domain.errors import ConfigurationError

# Local runs and tests only: the composition root refuses it on the platform.
DEV_WEBHOOK_KEY = "ZGV2LW9ubHktd2ViaG9vay1zZWNyZXQta2V5LTMyYiE="


class FernetSecretBox:
    def __init__(self, keys: str) -> None:
        try:
            self._fernet = MultiFernet([Fernet(key) for key in keys.split()])
        except ValueError:
            raise ConfigurationError(
                "WEBHOOK_SECRET_KEYS must be Fernet keys (url-safe base64 of 32 bytes), "
                "separated by spaces"
            ) from None

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise ConfigurationError(
                "A webhook secret cannot be opened with WEBHOOK_SECRET_KEYS: was a key removed?"
            ) from None
