"""The one format of a lead id: 32 lowercase hex digits (a UUID4 without hyphens).

Routes constrain `{leadId}` to it and handlers check it again, so an id outside it (`a/b`,
`export`, anything a RowKey cannot hold) is a 404 before any storage call.
"""

from __future__ import annotations

import re
import uuid

LEAD_ID_PATTERN = r"^[0-9a-f]{32}$"
_LEAD_ID = re.compile(LEAD_ID_PATTERN)


def new_lead_id() -> str:
    return uuid.uuid4().hex


def is_lead_id(text: str) -> bool:
    # fullmatch: `$` alone would also accept a trailing newline.
    return _LEAD_ID.fullmatch(text) is not None
