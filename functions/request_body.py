"""Request bodies, bounded: read no further than the route's limit, parse only tame JSON.

A hostile body must cost us no more than a well-formed one before it is refused: its declared or
received length past the limit ends the read at once (413), and the JSON parser, which recurses
per nesting level and converts digits in quadratic time, never sees deep nesting or huge numbers
(400). Everything here runs before the handler does any other work.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

from shared.domain.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType

# Our bodies nest four levels at most (a lead's team member's phone); the marketplace's two.
MAX_JSON_DEPTH = 32
# A number token longer than this is no amount, count or flag any route takes; Python refuses
# to convert integers of over 4,300 digits anyway, and converting long ones costs quadratic time.
MAX_NUMBER_CHARS = 40

# A JSON string (skipped whole, whatever brackets it holds), or one structural bracket.
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class BodyTooLarge(PayloadTooLarge):
    def __init__(self, limit: int) -> None:
        super().__init__(f"The body is over the {limit}-byte limit.")


def declared_too_large(content_length: str | None, limit: int) -> bool:
    """Whether the request announces more than `limit` bytes: refused without reading any."""
    declared = (content_length or "").strip()
    return declared.isdigit() and int(declared) > limit


async def read_bounded(chunks: AsyncIterator[bytes], limit: int) -> bytes:
    """The body, read chunk by chunk; stops (BodyTooLarge) at the first byte past `limit`."""
    received = bytearray()
    async for chunk in chunks:
        received += chunk
        if len(received) > limit:
            raise BodyTooLarge(limit)
    return bytes(received)


def parse_json_object(body: bytes, content_type: str | None) -> dict[str, Any]:
    """The body as a JSON object, refusing non-JSON (415) and malformed or hostile JSON (400)."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise UnsupportedMediaType("Send the body as application/json.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("The body is not valid JSON (not UTF-8).") from None
    _check_depth(text)
    try:
        data = json.loads(
            text, parse_int=_integer, parse_float=_decimal, parse_constant=_no_constant
        )
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"The body is not valid JSON (line {error.lineno}, column {error.colno})."
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.")
    return data


def _check_depth(text: str) -> None:
    depth = 0
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise InvalidInput(f"The body nests deeper than {MAX_JSON_DEPTH} levels.")
        elif token in ("]", "}"):
            depth -= 1


def _integer(token: str) -> int:
    _check_number(token)
    return int(token)


def _decimal(token: str) -> float:
    _check_number(token)
    return float(token)


def _check_number(token: str) -> None:
    if len(token) > MAX_NUMBER_CHARS:
        raise InvalidInput(f"The body holds a number longer than {MAX_NUMBER_CHARS} characters.")


def _no_constant(token: str) -> Any:
    # Python's parser takes NaN and Infinity; JSON has neither, and no field here wants them.
    raise InvalidInput(f"The body is not valid JSON ({token} is not a JSON value).")
