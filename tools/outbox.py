"""`make outbox`: print the emails the app stored instead of sending (no SENDGRID_API_KEY).

Reads the blob container `<STORAGE_PREFIX>outbox` of the local Azurite with the same settings and
ports as `make run` (the environment, then local.settings.json; AZURITE_*_PORT), oldest first:
to, subject, text. `--html-dir DIR` (`make outbox HTML=DIR`) also writes each email's HTML part
to DIR/<blob name>.html, to open in a browser.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from azure.core.exceptions import AzureError, ResourceNotFoundError
from azure.storage.blob import BlobServiceClient

from tools.dev import azurite_connection_string, azurite_ports
from tools.dev_keys import local_setting

OUTBOX_CONTAINER = "outbox"


def connection_string() -> str:
    """The storage `make run` gives the host: the environment's AzureWebJobsStorage, else the
    Azurite it starts, on AZURITE_*_PORT (local.settings.json's value is not what it uses)."""
    value = os.environ.get("AzureWebJobsStorage", "").strip()  # noqa: SIM112  # the host's name
    if not value or value.replace(" ", "").lower().startswith("usedevelopmentstorage=true"):
        return azurite_connection_string(*azurite_ports())
    return value


def stored_emails(connection: str, prefix: str) -> list[dict[str, Any]]:
    """The stored emails, oldest first; each also carries its blob's name as `blob`."""
    container = BlobServiceClient.from_connection_string(connection).get_container_client(
        f"{prefix}{OUTBOX_CONTAINER}"
    )
    try:
        names = sorted(blob.name for blob in container.list_blobs())
    except ResourceNotFoundError:
        return []
    emails: list[dict[str, Any]] = []
    for name in names:
        document: dict[str, Any] = json.loads(container.download_blob(name).readall())
        emails.append({**document, "blob": name})
    return emails


def describe(email: dict[str, Any], *, html: bool = False) -> str:
    lines = [
        f"── {email.get('sentAt', '?')} · {email.get('kind', '?')} · {email.get('notificationId')}",
        f"To:      {', '.join(email.get('to', []))}",
        f"Subject: {email.get('subject', '')}",
        "",
        str(email.get("html" if html else "text", "")).rstrip(),
        "",
    ]
    return "\n".join(lines)


def write_html(email: dict[str, Any], folder: Path) -> Path:
    """The email's HTML part as a file named after its blob (sent-at, then notification id)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{Path(str(email['blob'])).stem}.html"
    path.write_text(str(email.get("html", "")), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--last", type=int, default=0, help="only the last N emails")
    parser.add_argument("--html", action="store_true", help="print the HTML part, not the text")
    parser.add_argument("--html-dir", type=Path, help="also write each HTML part to this folder")
    args = parser.parse_args(argv)
    try:
        emails = stored_emails(connection_string(), local_setting("STORAGE_PREFIX") or "")
    except AzureError as error:
        print(f"Cannot read the outbox (is `make run` up?): {error}", file=sys.stderr)
        return 1
    if args.last > 0:
        emails = emails[-args.last :]
    if not emails:
        print("The outbox is empty.")
    for email in emails:
        print(describe(email, html=args.html))
        if args.html_dir is not None:
            print(f"HTML:    {write_html(email, args.html_dir)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
