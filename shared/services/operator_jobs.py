"""Operators run a scheduled job now (`POST /api/ops/jobs/{job}`): as of an instant, for one
partner or fanned out, for real or as a dry run that writes nothing.

The guards refuse what is almost certainly a mistake before anything runs: a partner together
with a fan-out (a fan-out always covers every partner), a partner that does not exist (a typo
would otherwise "succeed" with nothing done), and an instant more than a day ahead (a replay of
the future expires leads before their partners could answer) unless `allowFuture` says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import Field, field_validator

from shared.domain.errors import FieldError, InvalidInput, NotFound
from shared.domain.model import ApiModel, parse_model
from shared.domain.partner import PARTNER_ID_PATTERN
from shared.domain.principal import OPERATORS, Principal
from shared.services import job_names
from shared.services.jobs import JobRegistry, JobReport
from shared.services.partner_jobs import PartnerJobs
from shared.services.ports import Clock, PartnerRepository

FUTURE_LIMIT = timedelta(days=1)


class JobRequest(ApiModel):
    """The query of `POST /api/ops/jobs/{job}`."""

    as_of: datetime | None = Field(default=None, description="Default now.")
    partner_id: str | None = Field(default=None, min_length=1, max_length=64)
    fan_out: bool = False
    dry_run: bool = False
    allow_future: bool = False

    @field_validator("as_of", mode="before")
    @classmethod
    def _instant(cls, value: Any) -> Any:
        # fromisoformat, not pydantic's lax parsing, which takes "12345" for a Unix time.
        if not isinstance(value, str):
            return value
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("must be an ISO 8601 instant, e.g. 2026-11-23T06:00:00Z") from None
        if instant.tzinfo is None:
            raise ValueError("needs a UTC offset (Z or +hh:mm): a bare local time is ambiguous")
        return instant


class JobInfo(ApiModel):
    name: str
    per_partner: bool = Field(
        description="Runs partner by partner: partnerId and fanOut apply to it."
    )
    summary: str


class JobCatalogue(ApiModel):
    items: list[JobInfo]


@dataclass(frozen=True)
class JobRunners:
    """The jobs as the timers run them, or the same over ports that write nothing."""

    jobs: JobRegistry
    partner_jobs: PartnerJobs


@dataclass(frozen=True)
class JobRun:
    report: JobReport
    status: int  # 202 for a fan-out: work orders queued, not done


class OperatorJobs:
    def __init__(
        self,
        *,
        live: JobRunners,
        dry: JobRunners,
        partners: PartnerRepository,
        clock: Clock,
    ) -> None:
        self._live = live
        self._dry = dry
        self._partners = partners
        self._clock = clock

    def catalogue(self, principal: Principal) -> JobCatalogue:
        """The jobs an operator may run, so a client lists them rather than knowing them."""
        principal.require_any(OPERATORS)
        per_partner = set(self._live.partner_jobs.names)
        return JobCatalogue(
            items=[
                JobInfo(
                    name=name,
                    per_partner=name in per_partner,
                    summary=job_names.SUMMARIES.get(name, ""),
                )
                for name in self._live.jobs.names
            ]
        )

    def run(self, principal: Principal, job: str, query: Mapping[str, str]) -> JobRun:
        principal.require_any(OPERATORS)
        request = parse_model(JobRequest, dict(query))
        now = self._clock.now()
        as_of = request.as_of or now
        self._check(job, request, as_of, now)
        runners = self._dry if request.dry_run else self._live
        dry = request.dry_run
        if request.fan_out:  # as its timer does: work orders, counted, 202
            counts = runners.partner_jobs.dispatch(job, as_of)
            return JobRun(JobReport(job=job, as_of=as_of, counts=counts, dry_run=dry), 202)
        if request.partner_id:  # one partner's partition only: replay a day for one customer
            counts = runners.partner_jobs.run(job, as_of, partner_ids=[request.partner_id])
            return JobRun(JobReport(job=job, as_of=as_of, counts=counts, dry_run=dry), 200)
        report = runners.jobs.run(job, as_of)
        return JobRun(report.model_copy(update={"dry_run": dry}), 200)

    def _check(self, job: str, request: JobRequest, as_of: datetime, now: datetime) -> None:
        if request.partner_id and request.fan_out:
            message = "give either partnerId (run for one partner) or fanOut (every partner)"
            raise InvalidInput(
                "partnerId and fanOut exclude each other.",
                [FieldError("partnerId", message), FieldError("fanOut", message)],
            )
        if as_of > now + FUTURE_LIMIT and not request.allow_future:
            message = (
                "is more than a day ahead of now; add allowFuture=true to replay the future "
                "(due leads would expire before their partners could answer)"
            )
            raise InvalidInput(f"asOf {message}.", [FieldError("asOf", message)])
        if job not in self._live.jobs.names:
            known = ", ".join(self._live.jobs.names)
            raise NotFound(f"No job '{job}'. Jobs: {known}.")
        if request.partner_id is None and not request.fan_out:
            return
        if job not in self._live.partner_jobs.names:
            message = f"{job} is not run per partner"
            field = "partnerId" if request.partner_id else "fanOut"
            raise InvalidInput(f"{message}: leave {field} out.", [FieldError(field, message)])
        partner_id = request.partner_id
        # An id that cannot exist is never a storage key: no read, the same 404.
        if partner_id and (
            re.fullmatch(PARTNER_ID_PATTERN, partner_id) is None
            or self._partners.find(partner_id) is None
        ):
            raise NotFound(f"No partner '{partner_id}'.")
