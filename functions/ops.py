"""Operations: partners, intake keys, jobs, health and the queue watch, OpenAPI.

The contract: docs/http-contract.md, "Operations".
"""

from __future__ import annotations

import azure.functions as func

from functions.http_kit import (
    authenticate,
    container,
    http_endpoint,
    json_response,
    parse_body,
)
from functions.openapi import openapi_document
from shared.domain.principal import OPERATORS
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


@bp.route(route="ops/jobs", methods=["GET"])
@http_endpoint
def list_jobs(req: func.HttpRequest) -> func.HttpResponse:
    return json_response(container().operator_jobs.catalogue(authenticate(req)))


@bp.route(route="ops/jobs/{job}", methods=["POST"])
@http_endpoint
def run_job(req: func.HttpRequest) -> func.HttpResponse:
    principal = authenticate(req)
    run = container().operator_jobs.run(principal, req.route_params["job"], dict(req.params))
    return json_response(run.report, status=run.status)


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
