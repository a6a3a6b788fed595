"""The local host attaches an HTTP request's trace context while the function runs, as the
worker attaches the host's, only under the setting that turns OpenTelemetry on."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from opentelemetry import trace

from tools.localhost.app_loader import FunctionDescription
from tools.localhost.invoker import Invoker
from tools.localhost.trace_context import carrier_of, passes_trace_context

TRACE_ID, SPAN_ID = secrets.token_hex(16), secrets.token_hex(8)
CARRIER = {"traceparent": f"00-{TRACE_ID}-{SPAN_ID}-01"}


def _current_trace_id(req: Any) -> str:
    return f"{trace.get_current_span().get_span_context().trace_id:032x}"


async def _current_trace_id_async(req: Any) -> str:
    return _current_trace_id(req)


def _function(user_function: Callable[..., Any]) -> FunctionDescription:
    return FunctionDescription("f", [{"type": "httpTrigger", "name": "req"}], user_function)


@pytest.mark.parametrize("user_function", [_current_trace_id, _current_trace_id_async])
@pytest.mark.parametrize("timeout", [None, 5.0])
def test_the_trace_context_is_current_while_the_function_runs(
    user_function: Callable[..., Any], timeout: float | None
) -> None:
    invoker = Invoker(timeout=timedelta(seconds=timeout) if timeout else None)
    try:
        seen = invoker.invoke(_function(user_function), None, "test", trace_context=CARRIER)
        assert seen == TRACE_ID
        # Nothing attached, nothing current; and nothing left behind on this thread.
        assert invoker.invoke(_function(user_function), None, "test") == "0" * 32
        assert not trace.get_current_span().get_span_context().is_valid
    finally:
        invoker.close()


def test_only_the_trace_headers_are_passed_and_only_under_the_setting() -> None:
    headers = {"TraceParent": CARRIER["traceparent"], "Authorization": "Bearer x", "tracestate": ""}
    assert carrier_of(headers) == CARRIER
    assert passes_trace_context({"PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY": "true"})
    assert not passes_trace_context({})
    assert not passes_trace_context({"PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY": "false"})
