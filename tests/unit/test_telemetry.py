"""Telemetry's own rules: configured once and only with a connection string, messages carry
the sender's trace context (and old ones without it are still read), metrics and log fields."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import azure.functions as func
import pytest
from opentelemetry import trace
from opentelemetry.sdk.metrics.export import NumberDataPoint
from opentelemetry.trace import StatusCode
from starlette.requests import Request

from functions.http_kit import http_endpoint
from shared.adapters import telemetry
from shared.adapters.queue_messages import message_text
from shared.config import Settings
from shared.domain.errors import Unauthenticated
from shared.domain.intake_journal import DeliveryMessage
from shared.services.log_fields import log_fields
from shared.services.metrics import record_webhook_delivery
from shared.services.tracing import carried_context, span, trace_fields
from tests.support.auth import AUDIENCE, ISSUER, key_pair
from tests.support.event_loops import run_on_own_loop
from tests.support.in_process_host import Telemetry, in_memory_telemetry
from tests.support.starlette_requests import IncomingRequest, starlette_request

CONNECTION = "InstrumentationKey=00000000-0000-0000-0000-000000000000"


def _settings(**values: str) -> Settings:
    return Settings.model_validate({
        "AzureWebJobsStorage": "UseDevelopmentStorage=true", "AUTH_ISSUER": ISSUER,
        "AUTH_AUDIENCE": AUDIENCE, "AUTH_PUBLIC_KEY": key_pair().public_pem, **values,
    })  # fmt: skip


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """What `configure_azure_monitor` was called with, in a process where no SDK is set yet."""
    monkeypatch.setattr(telemetry, "_sdk_already_installed", lambda: False)
    telemetry.reset_for_tests()
    yield []
    telemetry.reset_for_tests()


def test_without_a_connection_string_nothing_is_configured(calls: list[dict[str, Any]]) -> None:
    assert telemetry.configure_telemetry(_settings(), lambda **o: calls.append(o)) is False
    assert calls == []


def test_with_a_connection_string_the_distro_is_configured_once(
    calls: list[dict[str, Any]],
) -> None:
    settings = _settings(APPLICATIONINSIGHTS_CONNECTION_STRING=CONNECTION)
    for _ in range(3):
        assert telemetry.configure_telemetry(settings, lambda **o: calls.append(o)) is True
    (options,) = calls
    assert options["connection_string"] == CONNECTION
    # Requests are the app's own spans: the distro's web-framework instrumentations stay off.
    assert options["instrumentation_options"]["fastapi"] == {"enabled": False}


def test_a_pipeline_the_worker_installed_is_kept(
    calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(telemetry, "_sdk_already_installed", lambda: True)
    settings = _settings(APPLICATIONINSIGHTS_CONNECTION_STRING=CONNECTION)
    assert telemetry.configure_telemetry(settings, lambda **o: calls.append(o)) is True
    assert calls == []


def test_the_sdk_loggers_are_quieted_even_without_telemetry(
    calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logging.getLogger("azure"), "level", logging.NOTSET)
    telemetry.configure_telemetry(_settings(), lambda **o: calls.append(o))
    assert logging.getLogger("azure.core.pipeline").getEffectiveLevel() == logging.WARNING


@pytest.fixture(scope="module")
def recorded() -> Iterator[Telemetry]:
    telemetry = in_memory_telemetry()
    yield telemetry
    telemetry.spans.clear()  # the provider stays for the process: keep no spans beyond these


def test_a_message_carries_the_trace_context_of_the_span_that_writes_it(
    recorded: Telemetry,
) -> None:
    message = DeliveryMessage(delivery_ids=("d1",), partner_id="p1")
    with span("publish") as current:
        body = json.loads(message_text(message, exclude_none=True))
    context = current.get_span_context()
    assert body["traceparent"].startswith(f"00-{context.trace_id:032x}-{context.span_id:016x}-")
    parent = carried_context(body)
    assert parent is not None
    assert trace.get_current_span(parent).get_span_context().trace_id == context.trace_id
    # The consumer reads it as before: unknown fields are ignored.
    assert DeliveryMessage.model_validate(body) == message


def test_outside_a_span_a_message_is_as_before_and_an_old_one_starts_a_trace(
    recorded: Telemetry,
) -> None:
    message = DeliveryMessage(delivery_ids=("d1",), partner_id="p1")
    assert trace_fields() == {}
    assert json.loads(message_text(message, exclude_none=True)) == {
        "deliveryIds": ["d1"],
        "partnerId": "p1",
    }
    assert carried_context({"deliveryIds": ["d1"]}) is None
    assert carried_context({"traceparent": "not-a-traceparent"}) is None


def test_a_failed_span_names_the_error_type_never_its_message(recorded: Telemetry) -> None:
    recorded.spans.clear()
    with pytest.raises(ValueError, match="is not valid"), span("failing"):
        raise ValueError("ana@example.com is not valid")
    (failed,) = recorded.spans.get_finished_spans()
    assert failed.status.description == "ValueError"
    assert failed.attributes == {"error.type": "ValueError"}
    assert not failed.events  # no exception event: it would quote the message


def test_webhook_deliveries_are_counted_by_outcome(recorded: Telemetry) -> None:
    def delivered() -> float:
        data = recorded.metrics.get_metrics_data()
        total = 0.0
        for resource in data.resource_metrics if data else []:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    for point in metric.data.data_points:
                        outcome = dict(point.attributes or {}).get("outcome")
                        named = metric.name == "leads.webhooks.deliveries"
                        if named and outcome == "Delivered" and isinstance(point, NumberDataPoint):
                            total += point.value
        return total

    before = delivered()
    record_webhook_delivery("Delivered")
    record_webhook_delivery("Failed")
    assert delivered() - before == 1


def test_log_fields_name_the_event_and_only_the_ids_given() -> None:
    assert log_fields("lead.created", partner_id="p1", lead_id="l1", source="AppSource") == {
        "event": "lead.created",
        "partner_id": "p1",
        "lead_id": "l1",
        "source": "AppSource",
    }


def _request_to(route: str, *headers: tuple[str, str]) -> Request:
    return starlette_request(
        IncomingRequest(
            method="POST",
            raw_path=route,
            query="key=secret-key",
            headers=[("Host", "h"), *headers],
            body=b"",
            route_params={"partnerId": "p7"},
            client=("127.0.0.1", 50000),
            server=("h", 80),
        )
    )


@pytest.mark.parametrize(("raised", "status", "failed"), [(None, 200, False),
    (Unauthenticated("no key"), 401, False), (RuntimeError("bug"), 500, True)])  # fmt: skip
def test_a_request_is_a_server_span_failed_only_by_a_server_error(
    recorded: Telemetry, raised: Exception | None, status: int, failed: bool
) -> None:
    def handler(req: func.HttpRequest) -> func.HttpResponse:
        if raised is not None:
            raise raised
        return func.HttpResponse("ok")

    recorded.spans.clear()
    endpoint = http_endpoint(handler, body_limit=lambda: 1024)
    run_on_own_loop(endpoint(_request_to("/api/intake/p7/marketplace")))
    (request,) = recorded.spans.get_finished_spans()
    assert request.name == "POST handler"
    assert request.attributes is not None
    assert request.attributes["http.response.status_code"] == status
    assert request.attributes["leads.partner_id"] == "p7"
    assert (request.status.status_code is StatusCode.ERROR) is failed
    assert not any("secret-key" in str(value) for value in request.attributes.values())


def test_a_request_continues_its_traceparent_when_no_context_is_attached(
    recorded: Telemetry,
) -> None:
    """The local host without the setting attaches nothing: the header is read instead."""
    recorded.spans.clear()
    caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    endpoint = http_endpoint(lambda req: func.HttpResponse("ok"), body_limit=lambda: 1024)
    run_on_own_loop(endpoint(_request_to("/api/things", ("traceparent", caller))))
    (request,) = recorded.spans.get_finished_spans()
    assert request.context is not None
    assert f"{request.context.trace_id:032x}" == "0af7651916cd43dd8448eb211c80319c"
    assert request.parent is not None
    assert f"{request.parent.span_id:016x}" == "b7ad6b7169203331"
