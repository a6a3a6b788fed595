"""Opaque, tamper-evident continuation tokens.

A token carries resume positions inside the caller's own partition, signed (HMAC-SHA256) and
bound to the query it continues: an edited token, or one replayed with other filters or by
another partner, is refused with a 400 rather than silently giving a wrong page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from typing import Any

from shared.domain.errors import FieldError, InvalidInput

_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", re.ASCII)


class PagingTokens:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def issue(self, scope: str, position: dict[str, Any]) -> str:
        payload = json.dumps({"s": _digest(scope), "p": position}, separators=(",", ":"))
        body = _encode(payload.encode("utf-8"))
        return f"{body}.{self._sign(body)}"

    def read(self, token: str, scope: str) -> dict[str, Any]:
        # Checked before any decoding: a token this API issued is base64url, one dot, ASCII only,
        # and anything else (non-ASCII text included) is refused as input, never a 500.
        if not _TOKEN_SHAPE.fullmatch(token):
            raise _invalid("is not one this API issued")
        body, _, signature = token.partition(".")
        if not hmac.compare_digest(signature, self._sign(body)):
            raise _invalid("is not one this API issued")
        try:
            payload = json.loads(_decode(body))
        except (ValueError, binascii.Error):
            raise _invalid("is not one this API issued") from None
        if not isinstance(payload, dict) or payload.get("s") != _digest(scope):
            raise _invalid("belongs to another query: keep the filters of the first page")
        position: dict[str, Any] = payload["p"]
        return position

    def _sign(self, body: str) -> str:
        return _encode(hmac.new(self._secret, body.encode("ascii"), hashlib.sha256).digest())


def _digest(scope: str) -> str:
    return hashlib.sha256(scope.encode("utf-8")).hexdigest()[:16]


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _invalid(why: str) -> InvalidInput:
    return InvalidInput(
        f"The continuation token {why}.", [FieldError("continuationToken", f"token {why}")]
    )
