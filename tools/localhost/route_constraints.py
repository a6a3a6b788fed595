"""Inline route constraints (`{id:int}`) with ASP.NET Core's meaning of each name."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable


def _is_int(value: str, bits: int) -> bool:
    # ASP.NET's int/long constraints are TryParse into a 32/64-bit integer: range matters.
    if re.fullmatch(r"[+-]?\d+", value) is None:
        return False
    return -(1 << (bits - 1)) <= int(value) < (1 << (bits - 1))


def _is_guid(value: str) -> bool:
    # uuid.UUID accepts the same spellings Guid.TryParse does: hyphens, braces or bare hex.
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


CONSTRAINTS: dict[str, Callable[[str], bool]] = {
    "int": lambda value: _is_int(value, 32),
    "long": lambda value: _is_int(value, 64),
    "alpha": lambda value: re.fullmatch(r"[A-Za-z]+", value) is not None,
    "guid": _is_guid,
    "bool": lambda value: value.lower() in ("true", "false"),
}
