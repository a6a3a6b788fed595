"""Operations: partners, intake keys, jobs, health and the queue watch, OpenAPI.

The contract: docs/http-contract.md, "Operations".
"""

from __future__ import annotations

from datetime import datetime

import azure.functions as func

from functions.http_kit import (
    authenticate,
    container,
    http_endpoint,
    json_response,
    parse_body,
)
from functions.openapi import openapi_document
from shared.domain.errors import InvalidInput
from shared.domain.principal import OPERATORS
from shared.services.jobs import JobReport
from shared.services.partners import RegisterPartner

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated


@bp.route(route="ops/partners", methods=["POST"])
@http_endpoint
def create_partner(req: func.HttpRequest) -> func.HttpResponse:
    authenticate(req).require_any(OPERATORS)
    command = parse_body(req, RegisterPartner)
    credentials = container().partners.register(command)
    return json_response(credentials, status=201)


@bp.route(route="ops/partners/{partnerId}/intake-key", methods=["POST"])
@http_endpoint
def rotate_intake_key(req: func.HttpRequest) -> func.HttpResponse:
    authenticate(req).require_any(OPERATORS)
    credentials = container().partners.rotate_intake_key(req.route_params["partnerId"])
    return json_response(credentials)


@bp.route(route="ops/jobs/{job}", methods=["POST"])
@http_endpoint
def run_job(req: func.HttpRequest) -> func.HttpResponse:
    authenticate(req).require_any(OPERATORS)
    as_of = _instant(req.params.get("asOf")) or container().clock.now()
    job, partner_id = req.route_params["job"], req.params.get("partnerId")
    if req.params.get("fanOut") == "true":  # as its timer does: work orders, counted, 202
        counts = container().partner_jobs.dispatch(job, as_of)
        return json_response(JobReport(job=job, as_of=as_of, counts=counts), status=202)
    if partner_id:  # one partner's partition only: replay a day for one customer
        counts = container().partner_jobs.run(job, as_of, partner_ids=[partner_id])
        return json_response(JobReport(job=job, as_of=as_of, counts=counts))
    return json_response(container().jobs.run(job, as_of))


@bp.route(route="health", methods=["GET"])
@http_endpoint
def health(req: func.HttpRequest) -> func.HttpResponse:
    checks = container().health
    deep = checks.wants_deep(req.params.get("deep"))
    if deep:  # queue depths are the operator's business: anonymous callers see only the states
        authenticate(req).require_any(OPERATORS)
    report = checks.report(deep=deep)
    return json_response(report, status=200 if report.status == "ok" else 503)


# Not a job: it only counts and logs. The poison-queue alert reads what it logs (queue.poison).
@bp.timer_trigger(schedule="%WATCH_QUEUES_SCHEDULE%", arg_name="timer", run_on_startup=False)
def watch_queues(timer: func.TimerRequest) -> None:
    container().queue_watch.run()


@bp.route(route="openapi.json", methods=["GET"])
@http_endpoint
def openapi(req: func.HttpRequest) -> func.HttpResponse:
    return json_response(openapi_document(), headers={"Cache-Control": "public, max-age=300"})


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput("asOf must be an ISO 8601 instant, e.g. 2026-11-23T06:00:00Z.") from None
    if instant.tzinfo is None:
        raise InvalidInput("asOf needs a UTC offset (Z or +hh:mm): a bare local time is ambiguous.")
    return instant
