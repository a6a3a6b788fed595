"""Validation messages written for people: what is wrong with a field, and what would be right.

Pydantic's own messages are written for developers ("Input should be a valid decimal", "String
should match pattern '^[a-z0-9]…'"); the API's `errors[].message` is shown as is in the partner
UI and read by integrators, so each error type pydantic raises on our models is said again here.
Messages never repeat the input: it may be personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

# A constraint's pattern → what it asks for, in words (a regex says nothing to a salesperson).
PATTERN_HINTS: dict[str, str] = {}


def describe_pattern(pattern: str, hint: str) -> str:
    """Register the words that explain `pattern`; returns the pattern, to use inline."""
    PATTERN_HINTS[pattern] = hint
    return pattern


def _one_of(ctx: Mapping[str, Any]) -> str:
    expected = str(ctx.get("expected", "")).replace("'", "")
    return f"Choose one of {expected}." if expected else "Choose one of the listed values."


def _pattern(ctx: Mapping[str, Any]) -> str:
    hint = PATTERN_HINTS.get(str(ctx.get("pattern", "")))
    return hint or "This is not in the expected format."


def _plural(count: object, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


_NUMBER = "Enter a number, such as 25000 or 25000.50 (no currency sign or thousands separator)."
_EMAIL = "Enter an email address such as name@example.com."
_DATE = "Enter a date as year-month-day, such as 2026-12-31."
_DATETIME = "Enter a date and time with its UTC offset, such as 2026-12-31T09:00:00Z."

_MESSAGES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda ctx: "This is required.",
    "extra_forbidden": lambda ctx: "This field is not part of this request.",
    "string_too_short": lambda ctx: (
        "This is required."
        if ctx.get("min_length") == 1
        else f"Enter at least {_plural(ctx.get('min_length'), 'character')}."
    ),
    "string_too_long": lambda ctx: f"Enter at most {_plural(ctx.get('max_length'), 'character')}.",
    "string_type": lambda ctx: "Enter text here.",
    "string_pattern_mismatch": _pattern,
    "decimal_parsing": lambda ctx: _NUMBER,
    "decimal_type": lambda ctx: _NUMBER,
    "float_parsing": lambda ctx: _NUMBER,
    "float_type": lambda ctx: _NUMBER,
    "finite_number": lambda ctx: _NUMBER,
    "decimal_max_digits": lambda ctx: f"Enter at most {ctx.get('max_digits')} digits.",
    "decimal_whole_digits": lambda ctx: (
        f"Enter at most {ctx.get('whole_digits')} digits before the decimal point."
    ),
    "decimal_max_places": lambda ctx: (
        f"Enter at most {_plural(ctx.get('decimal_places'), 'digit')} after the decimal point."
    ),
    "int_parsing": lambda ctx: "Enter a whole number, such as 25.",
    "int_type": lambda ctx: "Enter a whole number, such as 25.",
    "int_from_float": lambda ctx: "Enter a whole number, such as 25.",
    "greater_than_equal": lambda ctx: f"Enter {ctx.get('ge')} or more.",
    "greater_than": lambda ctx: f"Enter more than {ctx.get('gt')}.",
    "less_than_equal": lambda ctx: f"Enter {ctx.get('le')} or less.",
    "less_than": lambda ctx: f"Enter less than {ctx.get('lt')}.",
    "bool_parsing": lambda ctx: "Use true or false.",
    "bool_type": lambda ctx: "Use true or false.",
    "date_parsing": lambda ctx: _DATE,
    "date_from_datetime_parsing": lambda ctx: _DATE,
    "date_from_datetime_inexact": lambda ctx: _DATE,
    "date_type": lambda ctx: _DATE,
    "datetime_parsing": lambda ctx: _DATETIME,
    "datetime_from_date_parsing": lambda ctx: _DATETIME,
    "datetime_type": lambda ctx: _DATETIME,
    "enum": _one_of,
    "literal_error": _one_of,
    "list_type": lambda ctx: "This should be a list.",
    "too_long": lambda ctx: f"Give at most {_plural(ctx.get('max_length'), 'item')}.",
    "too_short": lambda ctx: f"Give at least {_plural(ctx.get('min_length'), 'item')}.",
    "model_type": lambda ctx: "This should be an object with named fields.",
    "model_attributes_type": lambda ctx: "This should be an object with named fields.",
    "dict_type": lambda ctx: "This should be an object with named fields.",
}


def human_message(error: Mapping[str, Any]) -> str:
    """The sentence for one pydantic error; a ValueError raised by our validators is ours."""
    kind = error["type"]
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):
        if "reason" in ctx:  # pydantic's EmailStr: the reason is email-validator's, not ours
            return _EMAIL
        text = str(ctx.get("error") or error["msg"]).strip()
        return _sentence(text.removeprefix("Value error, "))
    describe = _MESSAGES.get(kind)
    return describe(ctx) if describe else "This value is not valid."


def _sentence(text: str) -> str:
    """Our validators say "must be a valid email address": shown as a sentence."""
    if text.startswith("must "):
        text = "This " + text
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
