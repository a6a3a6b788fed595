"""Bodies are read no further than their limit, and hostile JSON is a 400 before it is parsed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

import pytest

from functions.request_body import (
    MAX_JSON_DEPTH,
    declared_too_large,
    parse_json_object,
    read_bounded,
)
from shared.domain.errors import InvalidInput, PayloadTooLarge
from tests.support.event_loops import run_on_own_loop


class _Stream:
    """Chunks as a client sends them, counting how many the reader pulled."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = list(chunks)
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            self.pulled += 1
            yield chunk


def _read(stream: _Stream, limit: int) -> bytes:
    return run_on_own_loop(read_bounded(aiter(stream), limit))


def test_a_body_at_the_limit_is_read_whole() -> None:
    assert _read(_Stream([b"ab", b"cd"]), 4) == b"abcd"


def test_reading_stops_at_the_first_chunk_past_the_limit() -> None:
    stream = _Stream([b"x" * 1024] * 20_000)  # 20 MB
    with pytest.raises(PayloadTooLarge, match="1024-byte limit"):
        _read(stream, 1024)
    assert stream.pulled == 2


@pytest.mark.parametrize(
    ("declared", "refused"),
    [("70000", True), (" 65537 ", True), ("65536", False), ("", False), (None, False)],
)
def test_a_declared_length_past_the_limit_is_refused_unread(
    declared: str | None, refused: bool
) -> None:
    assert declared_too_large(declared, 65536) is refused


def test_nesting_at_the_bound_parses_and_past_it_is_invalid_input() -> None:
    inner = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    assert parse_json_object(f'{{"a": {inner}}}'.encode(), "application/json")["a"]
    with pytest.raises(InvalidInput, match="nests deeper"):
        parse_json_object(b'{"a": ' + b"[" * 30_000 + b"]" * 30_000 + b"}", "application/json")


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = '{"a": "' + "[{" * 1000 + '\\"[" }'
    assert parse_json_object(text.encode(), "application/json") == {"a": "[{" * 1000 + '"['}


@pytest.mark.parametrize(
    "body",
    [
        b'{"value": ' + b"9" * 5000 + b"}",
        b'{"value": 1.' + b"5" * 5000 + b"}",
        b'{"value": 1e' + b"9" * 50 + b"}",
    ],
)
def test_huge_numbers_are_invalid_input(body: bytes) -> None:
    with pytest.raises(InvalidInput, match="number longer"):
        parse_json_object(body, "application/json")


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_non_json_constants_are_invalid_input(constant: bytes) -> None:
    with pytest.raises(InvalidInput, match="not a JSON value"):
        parse_json_object(b'{"value": ' + constant + b"}", "application/json")


def test_ordinary_numbers_still_parse() -> None:
    body = b'{"value": 25000.5, "count": 12, "big": 123456789012345678}'
    assert parse_json_object(body, "application/json") == {
        "value": 25000.5,
        "count": 12,
        "big": 123456789012345678,
    }
