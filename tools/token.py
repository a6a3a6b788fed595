"""Mint a bearer token signed with the local dev key: `make token PARTNER=contoso ROLES=...`."""

from __future__ import annotations

import argparse
import time
import uuid

import jwt

from tools.dev_keys import ensure_dev_key, local_setting


def mint_token(
    *,
    private_key_pem: bytes,
    issuer: str,
    audience: str,
    roles: list[str],
    partner_id: str | None = None,
    user_id: str = "dev-user",
    name: str | None = "Dev User",
    email: str | None = "dev.user@example.com",
    ttl_seconds: int = 8 * 3600,
) -> str:
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": issuer,
        "aud": audience,
        "sub": user_id,
        "oid": user_id,
        "roles": roles,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    if partner_id:
        claims["partner_id"] = partner_id
    if name:
        claims["name"] = name
    if email:
        claims["email"] = email
    return jwt.encode(claims, private_key_pem, algorithm="RS256")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--partner", default="", help="partner_id claim (partner users)")
    parser.add_argument("--roles", default="Referrals.Admin", help="comma-separated app roles")
    parser.add_argument("--user", default="dev-user", help="oid/sub claim")
    parser.add_argument("--name", default="Dev User")
    parser.add_argument("--email", default="dev.user@example.com")
    parser.add_argument("--ttl", type=int, default=8 * 3600, help="lifetime in seconds")
    args = parser.parse_args()
    private_pem, _ = ensure_dev_key()
    print(
        mint_token(
            private_key_pem=private_pem,
            issuer=local_setting("AUTH_ISSUER") or "https://leads.local/dev",
            audience=local_setting("AUTH_AUDIENCE") or "api://partner-leads-dev",
            roles=[role.strip() for role in args.roles.split(",") if role.strip()],
            partner_id=args.partner or None,
            user_id=args.user,
            name=args.name,
            email=args.email,
            ttl_seconds=args.ttl,
        )
    )


if __name__ == "__main__":
    main()
