"""Reading one key range of lead copies a page at a time, resumable from a continuation token.

A cursor keeps what storage returned and was not listed yet; its token says where the next
request goes on: after the last lead listed (a `RowKey gt` condition, since the store's own
continuation points past the leads still buffered), or at the store's continuation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from shared.services.ports import LeadBatch, ListedLead, Resume

Fetch = Callable[[Resume | None], LeadBatch]
Keep = Callable[[ListedLead], bool]

DONE = "done"


@dataclass
class RangeCursor:
    """One key range being read: what was fetched and not yet listed, and where to go on."""

    fetch_from: Resume | None  # where the next storage page begins (None: the range's start)
    exhausted: bool = False  # storage has nothing past `fetch_from`
    buffer: list[ListedLead] = field(default_factory=list)
    listed_up_to: Resume | None = None  # after the last lead this request listed
    began_at: Resume | None = None

    @classmethod
    def from_token(cls, saved: object) -> RangeCursor:
        if saved == DONE:
            return cls(None, exhausted=True)
        if isinstance(saved, dict):
            resume = Resume(saved.get("after"), saved.get("continuation"))
            return cls(resume, began_at=resume)
        return cls(None)

    def to_token(self) -> object:
        """Where the next request goes on: after what was listed, else where this one began."""
        if self.buffer:
            position = self.listed_up_to or self.began_at
        elif self.exhausted:
            return DONE
        else:
            position = self.fetch_from
        if position is None:
            return None
        return {"after": position.after, "continuation": position.continuation}

    def fill(self, fetch: Fetch, keep: Keep | None = None) -> None:
        """Fetch while nothing is buffered and storage has more (filters may empty a page)."""
        while not self.buffer and not self.exhausted:
            batch = fetch(self.fetch_from)
            self.buffer = [item for item in batch.items if keep is None or keep(item)]
            self.fetch_from = batch.resume
            self.exhausted = batch.resume is None

    def pop(self) -> ListedLead:
        item = self.buffer.pop(0)
        self.listed_up_to = Resume(after=item.key)
        return item

    def take(self, fetch: Fetch, limit: int, keep: Keep | None = None) -> list[ListedLead]:
        """Up to `limit` leads of this range, in key order."""
        taken: list[ListedLead] = []
        while len(taken) < limit:
            self.fill(fetch, keep)
            if not self.buffer:
                break
            taken.append(self.pop())
        return taken
