"""local.settings.json loading, with Core Tools' rule that the real environment wins."""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from tools.localhost.errors import StartupError


def _read(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as error:
        raise StartupError(f"Cannot read {path}: {error}") from error
    if not isinstance(document, dict):
        raise StartupError(f"{path} must hold a JSON object")
    return document


def local_http_port(path: Path) -> int | None:
    """`Host.LocalHttpPort` from local.settings.json, which Core Tools uses as its port."""
    if not path.is_file():
        return None
    port = (_read(path).get("Host") or {}).get("LocalHttpPort")
    return port if isinstance(port, int) and not isinstance(port, bool) else None


def load_local_settings(path: Path, environ: MutableMapping[str, str]) -> list[str]:
    """Copy `Values` from `path` into `environ`; return the notices to print.

    A variable that is already set is never overwritten, so a shell export or a CI secret always
    beats the checked-out file (Core Tools behaves the same). A missing file is not an error: the
    environment alone may carry every setting.
    """
    if not path.is_file():
        return []
    document = _read(path)
    if document.get("IsEncrypted") is True:
        raise StartupError(f"{path} is encrypted; the local host reads plain-text settings only")
    values = document.get("Values") or {}
    if not isinstance(values, dict):
        raise StartupError(f"'Values' in {path} must be a JSON object")
    notices: list[str] = []
    for name, value in values.items():
        if name in environ:
            notices.append(
                f"Skipping '{name}' from local.settings.json: already set in the environment"
            )
            continue
        # App settings are strings on Azure; JSON numbers and booleans become their JSON text.
        environ[name] = value if isinstance(value, str) else json.dumps(value)
    return notices
