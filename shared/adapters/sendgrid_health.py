"""Whether the app can send email through SendGrid, judged from its settings alone.

No call to SendGrid: an availability test probes health every few minutes from several
regions, and each probe would spend the account's API quota and tell little a failed send
does not (the notifier retries those, and failed notifications raise their own alert).
"""

from __future__ import annotations

from shared.config import Settings
from shared.services.health_ports import DependencyStatus, Probed

# App Service leaves a Key Vault reference it cannot resolve (identity without access, secret
# missing) in the setting as its literal text: the app would send that as the key.
_UNRESOLVED_REFERENCE = "@Microsoft.KeyVault("


class SendGridSettingsProbe:
    name = "sendgrid"
    required = False  # without it, emails are kept in the blob outbox: the app still serves

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def check(self) -> Probed:
        key = self._settings.sendgrid_api_key
        if key is None:
            return Probed(
                DependencyStatus.NOT_CONFIGURED,
                "No SENDGRID_API_KEY: emails are stored in the blob container outbox.",
            )
        if key.get_secret_value().startswith(_UNRESOLVED_REFERENCE):
            return Probed(
                DependencyStatus.UNAVAILABLE,
                "SENDGRID_API_KEY is an unresolved Key Vault reference: check the app's "
                "identity can read the secret.",
            )
        return Probed(detail="Configured; sends are checked when they happen.")
