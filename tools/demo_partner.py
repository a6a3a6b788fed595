"""`make run`'s demo partner, registered straight through the core package.

No token is involved, so this works whichever issuer the app trusts: the local dev key, or an
`AUTH_PUBLIC_KEY` / `AUTH_JWKS_URL` that a real issuer set in the environment and whose private
key the dev tools never hold. Run as `python -m tools.demo_partner` with the host's environment;
it prints the demo partner's intake URL (a new key each run: only hashes are stored).
"""

from __future__ import annotations

import os
import sys

from shared.bootstrap import Container
from shared.config import load_settings
from shared.domain.errors import Conflict
from shared.domain.partner import Contact
from shared.services.partners import IntakeCredentials, RegisterPartner
from tools.dev_keys import REPO_ROOT
from tools.localhost.settings_file import load_local_settings

DEMO_PARTNER = RegisterPartner(
    partner_id="contoso",
    name="Contoso Ltd",
    contacts=[Contact(name="Contoso sales desk", email="sales@contoso.example")],
    time_zone="Europe/London",
)


def issue_demo_credentials(container: Container) -> IntakeCredentials:
    """Register the demo partner, or rotate its intake key if it exists."""
    try:
        return container.partners.register(DEMO_PARTNER)
    except Conflict:
        return container.partners.rotate_intake_key(DEMO_PARTNER.partner_id)


def main() -> int:
    # The same settings the host reads: the environment first, then local.settings.json.
    load_local_settings(REPO_ROOT / "local.settings.json", os.environ)
    credentials = issue_demo_credentials(Container(load_settings()))
    print(credentials.intake_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
