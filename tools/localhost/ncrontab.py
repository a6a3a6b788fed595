"""NCRONTAB schedules as the Functions timer trigger reads them: six fields, seconds first, UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from croniter import croniter

from tools.localhost.errors import StartupError


class NCrontab:
    """`{second} {minute} {hour} {day} {month} {day-of-week}`, evaluated in UTC.

    NCrontab requires both day fields to match when both are restricted (unlike Vixie cron's
    "either"), hence `day_or=False`.
    """

    def __init__(self, expression: str) -> None:
        fields = expression.split()
        if len(fields) != 6 or not croniter.is_valid(expression, second_at_beginning=True):
            raise StartupError(
                f"'{expression}' is not a valid NCRONTAB expression "
                "(six fields: second minute hour day month day-of-week)"
            )
        self.expression = expression

    def next_after(self, instant: datetime) -> datetime:
        """The first occurrence strictly after `instant` (an aware datetime), in UTC."""
        start = instant.astimezone(UTC)
        schedule = croniter(self.expression, start, second_at_beginning=True, day_or=False)
        occurrence: datetime = schedule.get_next(datetime)
        return occurrence.astimezone(UTC)
