"""Test signing keys and tokens: real RS256 JWTs, as the partner UI and Entra ID would send."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tools.token import mint_token

ISSUER = "https://issuer.test/leads"
AUDIENCE = "api://leads-test"


@dataclass(frozen=True)
class KeyPair:
    private_pem: bytes
    public_pem: str


def key_pair(name: str = "trusted") -> KeyPair:
    """A key pair per name: "trusted" is the one the app under test is configured with."""
    return _generated_key_pair(name)  # one cache key per name, however it is called


@cache
def _generated_key_pair(name: str) -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return KeyPair(
        private_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        public_pem=key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode(),
    )


def token(
    *roles: str,
    partner: str | None = None,
    user: str = "user-1",
    signer: str = "trusted",
    issuer: str = ISSUER,
    audience: str = AUDIENCE,
    ttl_seconds: int = 600,
) -> str:
    return mint_token(
        private_key_pem=key_pair(signer).private_pem,
        issuer=issuer,
        audience=audience,
        roles=list(roles),
        partner_id=partner,
        user_id=user,
        name=f"Test {user}",
        email=f"{user}@partner.test",
        ttl_seconds=ttl_seconds,
    )


def bearer(*roles: str, partner: str | None = None, user: str = "user-1") -> dict[str, str]:
    return {"Authorization": f"Bearer {token(*roles, partner=partner, user=user)}"}
