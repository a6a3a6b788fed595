"""How much of a lead's ever-growing parts is kept, so that it always fits its table row.

A lead is stored as JSON over several string properties (adapters/lead_rows.py), and a row holds
at most 1 MiB in 252 properties; a batch writes the lead up to five times (its row, its listing
copy, its due copies) and carries at most 4 MiB. Every list a lead carries is therefore bounded,
whatever the volume of deliveries or actions:

- history: the first entry (how the lead arrived) and the latest MAX_HISTORY - 1; the number of
  entries left out in between is counted in `history_omitted`;
- interactions: every call-to-action stage (four at most) and up to MAX_INTERACTIONS in all;
  a further stage without a call to action is not recorded (treated like one already seen);
- team: MAX_TEAM people (a full team refuses another member: 409);
- the text of a history entry: actor names and details are cut to MAX_HISTORY_TEXT.

Requests are bounded too (notes 8,000 characters, lists of 50 people, marketplace fields 1,024),
so the largest lead is a few hundred KB (tests/integration/test_lead_row_limits.py).
"""

from __future__ import annotations

MAX_HISTORY = 100
MAX_INTERACTIONS = 20
MAX_TEAM = 50
MAX_HISTORY_TEXT = 200


def clip(text: str | None) -> str | None:
    """A history text cut to MAX_HISTORY_TEXT characters."""
    if text is None or len(text) <= MAX_HISTORY_TEXT:
        return text
    return text[: MAX_HISTORY_TEXT - 1] + "…"
