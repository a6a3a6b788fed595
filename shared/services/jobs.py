"""The registry of scheduled jobs, so operators can run any of them "as of" any instant."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from pydantic import Field

from shared.domain.errors import NotFound
from shared.domain.model import ApiModel

JobRunner = Callable[[datetime], Mapping[str, int]]
"""Runs a job as of an instant and answers what it did, as counts."""


class JobReport(ApiModel):
    job: str
    as_of: datetime
    counts: dict[str, int] = Field(
        description="What the run did. Every partner job: partners (visited). expire-leads: "
        "expired, skipped (handled meanwhile, e.g. accepted or expired by a concurrent run), "
        "conflicts (still changing: left for the next run), notificationsDeferred (queue write "
        "failed: the outbox relay sends them). archive-informational-leads: archived, skipped, "
        "conflicts. remind-expiring: reminded, skipped, conflicts, notificationsDeferred. "
        "send-digests: digests, leads, conflicts, notificationsDeferred. With fanOut: partners, "
        "workOrders. relay-outbox, relay-deliveries: relayed, failed. A dry run answers the "
        "same counts for what it would do (and previewCutShort: partners whose preview stopped "
        "at one run's limit of 1,000 leads)."
    )
    dry_run: bool = Field(
        default=False, description="true: nothing was written; the counts are what would be done."
    )


class JobRegistry:
    def __init__(self, jobs: Mapping[str, JobRunner]) -> None:
        self._jobs = dict(jobs)

    @property
    def names(self) -> list[str]:
        return sorted(self._jobs)

    def run(self, name: str, as_of: datetime) -> JobReport:
        runner = self._jobs.get(name)
        if runner is None:
            known = ", ".join(self.names) or "none yet"
            raise NotFound(f"No job '{name}'. Jobs: {known}.")
        return JobReport(job=name, as_of=as_of, counts=dict(runner(as_of)))
