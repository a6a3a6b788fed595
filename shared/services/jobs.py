"""The registry of scheduled jobs, so operators can run any of them "as of" any instant."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from shared.domain.errors import NotFound
from shared.domain.model import ApiModel

JobRunner = Callable[[datetime], Mapping[str, int]]
"""Runs a job as of an instant and answers what it did, as counts."""


class JobReport(ApiModel):
    job: str
    as_of: datetime
    counts: dict[str, int]


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
