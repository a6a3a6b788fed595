"""The export's CSV goes out in bounded pieces: memory follows the piece, not the file."""

from __future__ import annotations

from collections.abc import Iterator

from hypothesis import given
from hypothesis import strategies as st

from shared.services.lead_export import csv_chunks

LINES = st.lists(st.text(max_size=300).map(lambda text: text + "\r\n"), max_size=200)


@given(LINES, st.integers(min_value=1, max_value=4096))
def test_the_chunks_are_the_lines_in_utf8_and_none_outgrows_its_bound(
    lines: list[str], chunk_bytes: int
) -> None:
    chunks = list(csv_chunks(lines, chunk_bytes=chunk_bytes))
    assert b"".join(chunks) == "".join(lines).encode("utf-8")
    longest_line = max((len(line.encode("utf-8")) for line in lines), default=0)
    assert all(0 < len(chunk) < chunk_bytes + longest_line for chunk in chunks)


def test_lines_are_read_only_as_chunks_are_taken() -> None:
    taken: list[int] = []

    def lines() -> Iterator[str]:
        for number in range(1_000):
            taken.append(number)
            yield f"{number:09d}\r\n"

    chunks = csv_chunks(lines(), chunk_bytes=100)
    next(chunks)
    assert len(taken) <= 10  # about 100 bytes of lines, not the thousand
