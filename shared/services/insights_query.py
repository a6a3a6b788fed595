"""The query string of `GET /api/insights` (`from`, `to`) and the window of arrivals it selects."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import Field

from shared.domain.errors import FieldError, InvalidInput
from shared.domain.model import ApiModel
from shared.services.lead_query import From, To

DEFAULT_WINDOW = timedelta(days=90)
# A leap year of bare dates (Jan 1 to Dec 31) fits; a longer window reads more of the archive
# than one request should, so callers ask year by year.
MAX_WINDOW = timedelta(days=366)


class InsightsQuery(ApiModel):
    """Leads created in [from, to]: bare dates are whole UTC days, instants need an offset."""

    created_from: From | None = Field(default=None, alias="from")
    created_to: To | None = Field(default=None, alias="to")
    code: str | None = None  # the Functions host's key parameter, when keys are enforced

    def window(self, now: datetime) -> tuple[datetime, datetime]:
        """The instants both ends included: by default the 90 days up to `now` (or up to `to`)."""
        end = self.created_to or now
        start = self.created_from or end - DEFAULT_WINDOW
        if start > end:
            raise InvalidInput(
                "The window ends before it starts.",
                [FieldError("from", "must not be after `to` (or after now, when `to` is absent)")],
            )
        if end - start > MAX_WINDOW:
            raise InvalidInput(
                f"The window is longer than {MAX_WINDOW.days} days.",
                [FieldError("to", f"at most {MAX_WINDOW.days} days after `from`")],
            )
        return start, end
