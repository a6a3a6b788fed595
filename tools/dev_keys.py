"""The local development signing key (RS256), generated once under .local/ and never committed."""

from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

REPO_ROOT = Path(__file__).resolve().parents[1]
LOCAL_DIR = REPO_ROOT / ".local"
PRIVATE_KEY_FILE = LOCAL_DIR / "dev-signing-key.pem"
PUBLIC_KEY_FILE = LOCAL_DIR / "dev-signing-key.pub.pem"


def ensure_dev_key() -> tuple[bytes, str]:
    """The dev key pair (private PEM bytes, public PEM text), created on first use."""
    if not PRIVATE_KEY_FILE.exists():
        LOCAL_DIR.mkdir(exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        PRIVATE_KEY_FILE.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        PRIVATE_KEY_FILE.chmod(0o600)
        PUBLIC_KEY_FILE.write_bytes(
            key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
    return PRIVATE_KEY_FILE.read_bytes(), PUBLIC_KEY_FILE.read_text()


def local_setting(name: str) -> str | None:
    """A setting as the app sees it locally: the environment, then local.settings(.example)."""
    if name in os.environ:
        return os.environ[name]
    for candidate in ("local.settings.json", "local.settings.example.json"):
        path = REPO_ROOT / candidate
        if path.exists():
            value = json.loads(path.read_text()).get("Values", {}).get(name)
            if value is not None:
                return str(value)
    return None
