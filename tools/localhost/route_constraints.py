"""Inline route constraints (`{id:int}`, `{id:regex(^x$)}`) with ASP.NET Core's meaning of each.

Each constraint also reports what the start-up overlap check needs: its kind (two parameters
whose kinds exclude each other can never take one value) and the value lengths it allows.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

NUMERIC, ALPHA, BOOL, GUID, OTHER = "numeric", "alpha", "bool", "guid", "other"
# Kinds no single value satisfies together: a number has digits, a bool is "true" or "false",
# a GUID 32 hex digits. (Not number and GUID: 32 zeros are both, leading zeros parse.)
EXCLUSIVE_KINDS = {frozenset({NUMERIC, ALPHA}), frozenset({NUMERIC, BOOL}), frozenset({BOOL, GUID})}
UNBOUNDED = 1 << 30


@dataclass(frozen=True)
class Constraint:
    text: str  # as written in the template, for messages
    kind: str
    accepts: Callable[[str], bool]
    lengths: tuple[int, int] = (0, UNBOUNDED)  # the value lengths it allows, inclusive


def _as_long(value: str) -> int | None:
    # ASP.NET's int/long constraints are TryParse into a 32/64-bit integer: range matters.
    if re.fullmatch(r"[+-]?\d+", value) is None:
        return None
    number = int(value)
    return number if -(1 << 63) <= number < (1 << 63) else None


def _is_int(value: str, bits: int) -> bool:
    number = _as_long(value)
    return number is not None and -(1 << (bits - 1)) <= number < (1 << (bits - 1))


def _is_guid(value: str) -> bool:
    # uuid.UUID accepts the same spellings Guid.TryParse does: hyphens, braces or bare hex.
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _in_range(low: int, high: int) -> Callable[[str], bool]:
    def accepts(value: str) -> bool:
        number = _as_long(value)
        return number is not None and low <= number <= high

    return accepts


def _regex(pattern: str) -> Callable[[str], bool]:
    # RegexRouteConstraint: IgnoreCase | CultureInvariant, and IsMatch, which is NOT anchored:
    # a route must write ^...$ itself. Python's `re` reads the usual .NET syntax the same way.
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as error:
        raise ValueError(f"regex '{pattern}' does not compile: {error}") from None
    return lambda value: compiled.search(value) is not None


def _integers(argument: str, count: tuple[int, ...]) -> list[int]:
    parts = [part.strip() for part in argument.split(",")]
    if len(parts) not in count or not all(re.fullmatch(r"-?\d+", part) for part in parts):
        raise ValueError("expects integer arguments")
    return [int(part) for part in parts]


_SIMPLE: dict[str, tuple[str, Callable[[str], bool], tuple[int, int]]] = {
    "int": (NUMERIC, lambda value: _is_int(value, 32), (1, UNBOUNDED)),
    "long": (NUMERIC, lambda value: _is_int(value, 64), (1, UNBOUNDED)),
    "alpha": (ALPHA, lambda value: re.fullmatch(r"[A-Za-z]+", value) is not None, (1, UNBOUNDED)),
    "guid": (GUID, _is_guid, (32, 38)),
    "bool": (BOOL, lambda value: value.lower() in ("true", "false"), (4, 5)),
}
_WITH_ARGUMENT = ("regex", "length", "minlength", "maxlength", "min", "max", "range")
SUPPORTED = (*_SIMPLE, *_WITH_ARGUMENT)


def build_constraint(name: str, argument: str | None) -> Constraint:
    """The constraint `name` or `name(argument)`; ValueError says what is wrong with it."""
    key = name.lower()
    text = name if argument is None else f"{name}({argument})"
    if key in _SIMPLE:
        if argument is not None:
            raise ValueError(f"constraint '{text}' takes no argument")
        kind, accepts, lengths = _SIMPLE[key]
        return Constraint(text, kind, accepts, lengths)
    if key not in _WITH_ARGUMENT:
        raise ValueError(
            f"constraint '{name}' is not supported by the local host "
            f"(supported: {', '.join(SUPPORTED)})"
        )
    if argument is None:
        raise ValueError(f"constraint '{name}' needs an argument, e.g. {name}(...)")
    try:
        return _with_argument(key, argument, text)
    except ValueError as error:
        raise ValueError(f"constraint '{text}': {error}") from None


def _with_argument(key: str, argument: str, text: str) -> Constraint:
    if key == "regex":
        return Constraint(text, OTHER, _regex(argument))
    if key in ("min", "max", "range"):
        values = _integers(argument, (2,) if key == "range" else (1,))
        low, high = {"min": (values[0], 1 << 63), "max": (-(1 << 63), values[0])}.get(
            key, (values[0], values[-1])
        )
        return Constraint(text, NUMERIC, _in_range(low, high), (1, UNBOUNDED))
    values = _integers(argument, (1, 2) if key == "length" else (1,))
    low, high = {
        "minlength": (values[0], UNBOUNDED),
        "maxlength": (0, values[0]),
    }.get(key, (values[0], values[-1]))
    return Constraint(text, OTHER, lambda value: low <= len(value) <= high, (low, high))
