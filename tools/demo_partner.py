"""`make run`'s demo partner, registered straight through the core package.

No token is involved, so this works whichever issuer the app trusts: the local dev key, or an
`AUTH_PUBLIC_KEY` / `AUTH_JWKS_URL` that a real issuer set in the environment and whose private
key the dev tools never hold. Run as `python -m tools.demo_partner` with the host's environment;
it prints the demo partner's intake URL.

Only the key's hash is stored, so the key itself is kept in `.local/demo-intake-key`
(git-ignored; `DEMO_INTAKE_KEY_FILE` moves it): the next run reuses it while it still
authenticates, so a saved URL keeps working across restarts. Otherwise (first run, another
Azurite data folder, a key rotated meanwhile) the key is rotated and the new one saved.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from shared.bootstrap import Container
from shared.config import load_settings
from shared.domain.errors import Conflict, Unauthenticated
from shared.domain.partner import Contact
from shared.services.partners import IntakeCredentials, PartnerService, RegisterPartner
from tools.dev_keys import LOCAL_DIR, REPO_ROOT
from tools.localhost.settings_file import load_local_settings

DEMO_PARTNER = RegisterPartner(
    partner_id="contoso",
    name="Contoso Ltd",
    contacts=[Contact(name="Contoso sales desk", email="sales@contoso.example")],
    time_zone="Europe/London",
)
KEY_FILE_SETTING = "DEMO_INTAKE_KEY_FILE"


def key_file() -> Path:
    return Path(os.environ.get(KEY_FILE_SETTING) or LOCAL_DIR / "demo-intake-key")


def saved_key(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def save_key(path: Path, key: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # A secret, if only a local one: readable by its owner only.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(key + "\n")


def issue_demo_credentials(partners: PartnerService, kept_key: str | None) -> IntakeCredentials:
    """The kept key while it authenticates; else register the partner, or rotate its key."""
    partner_id = DEMO_PARTNER.partner_id
    if kept_key:
        try:
            partners.authenticate_intake(partner_id, kept_key)
            return partners.intake_credentials(partner_id, kept_key)
        except Unauthenticated:
            pass  # another data folder, or rotated by hand: issue a new one
    try:
        return partners.register(DEMO_PARTNER)
    except Conflict:
        return partners.rotate_intake_key(partner_id)


def main() -> int:
    # The same settings the host reads: the environment first, then local.settings.json.
    load_local_settings(REPO_ROOT / "local.settings.json", os.environ)
    path = key_file()
    kept = saved_key(path)
    credentials = issue_demo_credentials(Container(load_settings()).partners, kept)
    if credentials.intake_key != kept:
        save_key(path, credentials.intake_key)
    print(credentials.intake_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
