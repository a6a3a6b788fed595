"""Start-up validation: the apps the real Functions host refuses are refused here too."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.localhost import sample_app, stream_app
from tools.localhost.app_loader import FunctionDescription, describe_functions
from tools.localhost.validation import BUILT_IN_ROUTE_CONFLICT, validate_functions

STORAGE = {"AzureWebJobsStorage": "UseDevelopmentStorage=true"}


def noop(**_: Any) -> None:
    return None


def http(
    name: str, route: str | None = None, methods: list[str] | None = None
) -> FunctionDescription:
    trigger: dict[str, Any] = {"type": "httpTrigger", "name": "req", "authLevel": "ANONYMOUS"}
    if route is not None:
        trigger["route"] = route
    if methods is not None:
        trigger["methods"] = methods
    return FunctionDescription(name, [trigger, {"type": "http", "name": "$return"}], noop)


def timer(name: str, schedule: str) -> FunctionDescription:
    trigger = {"type": "timerTrigger", "name": "timer", "schedule": schedule, "runOnStartup": False}
    return FunctionDescription(name, [trigger], noop)


def queue(
    name: str, queue_name: str, connection: str = "AzureWebJobsStorage"
) -> FunctionDescription:
    trigger = {
        "type": "queueTrigger",
        "name": "msg",
        "queueName": queue_name,
        "connection": connection,
    }
    return FunctionDescription(name, [trigger], noop)


def test_a_valid_app_passes() -> None:
    functions = [
        http("list_leads", "leads", ["GET"]),
        http("ops_health", "ops/health"),
        timer("expire_leads", "%EXPIRY_SCHEDULE%"),
        queue("notify", "%NOTIFY_QUEUE%"),
    ]
    environ = {**STORAGE, "EXPIRY_SCHEDULE": "0 */5 * * * *", "NOTIFY_QUEUE": "notifications"}
    assert validate_functions(functions, environ) == []


@pytest.mark.parametrize(
    "function",
    [
        http("admin_tools", "tools"),
        http("RuntimeInfo", "info"),
        http("tools", "admin/tools"),
        http("tools2", "/Runtime/x"),
        http("tools3", "ADMINISTRATION"),
    ],
)
def test_names_and_routes_starting_with_admin_or_runtime_conflict(
    function: FunctionDescription,
) -> None:
    errors = validate_functions([function], {})
    assert errors == [f"Function '{function.name}': {BUILT_IN_ROUTE_CONFLICT}"]
    assert "The specified route conflicts with one or more built in routes" in errors[0]


def test_a_function_without_a_route_is_routed_by_its_name() -> None:
    assert validate_functions([http("adminPanel")], {}) == [
        f"Function 'adminPanel': {BUILT_IN_ROUTE_CONFLICT}"
    ]
    assert http("status").route == "status"


def test_duplicate_names_are_refused_case_insensitively() -> None:
    errors = validate_functions([http("get_lead", "a"), http("Get_Lead", "b")], {})
    assert len(errors) == 1
    assert "Get_Lead" in errors[0]
    assert "not unique" in errors[0]


def test_an_unset_setting_reference_is_named() -> None:
    errors = validate_functions([queue("notify", "%NOTIFY_QUEUE%")], STORAGE)
    assert len(errors) == 1
    assert "'NOTIFY_QUEUE' is not set" in errors[0]


@pytest.mark.parametrize("schedule", ["*/5 * * * *", "61 * * * * *", "every minute", ""])
def test_invalid_ncrontab_schedules_are_refused(schedule: str) -> None:
    errors = validate_functions([timer("tick", schedule)], STORAGE)
    assert len(errors) == 1
    assert "NCRONTAB" in errors[0]


def test_timers_and_queues_need_a_storage_connection() -> None:
    functions = [timer("tick", "0 * * * * *"), queue("work", "jobs", connection="OtherStorage")]
    errors = validate_functions(functions, {})
    assert errors == [
        "Function 'tick': storage connection setting 'AzureWebJobsStorage' is not set",
        "Function 'work': storage connection setting 'OtherStorage' is not set",
    ]


def test_a_connection_name_also_finds_the_azurewebjobs_prefixed_setting() -> None:
    environ = {"AzureWebJobsOtherStorage": "UseDevelopmentStorage=true"}
    assert validate_functions([queue("work", "jobs", connection="OtherStorage")], environ) == []


def test_an_invalid_queue_name_is_refused() -> None:
    errors = validate_functions([queue("work", "%Q%")], {**STORAGE, "Q": "Bad_Name"})
    assert errors == ["Function 'work': 'Bad_Name' is not a valid queue name"]


def test_an_invalid_route_template_is_refused() -> None:
    errors = validate_functions([http("files", "files/{*rest}/more")], {})
    assert len(errors) == 1
    assert "catch-all" in errors[0]


def test_unsupported_triggers_and_output_bindings_are_refused() -> None:
    blob = FunctionDescription(
        "on_blob", [{"type": "blobTrigger", "name": "b", "path": "x/{n}"}], noop
    )
    with_output = FunctionDescription(
        "relay",
        [*queue("relay", "jobs").bindings, {"type": "queue", "name": "out", "queueName": "o"}],
        noop,
    )
    no_trigger = FunctionDescription("orphan", [{"type": "http", "name": "$return"}], noop)
    errors = validate_functions([blob, with_output, no_trigger], STORAGE)
    assert [error.split(":")[0] for error in errors] == [
        "Function 'on_blob'",
        "Function 'relay'",
        "Function 'orphan'",
    ]


def test_the_indexed_sample_app_is_described_and_valid() -> None:
    functions = {function.name: function for function in describe_functions(sample_app.app)}
    assert functions["get_thing"].trigger_type == "httptrigger"
    assert functions["get_thing"].route == "things/{thingId}"
    assert functions["get_thing"].methods == ["GET"]
    assert functions["greet"].methods is None
    assert functions["sample_timer"].trigger["schedule"] == "%SAMPLE_TIMER_SCHEDULE%"
    assert functions["sample_ok"].trigger["queueName"] == "%SAMPLE_OK_QUEUE%"
    environ = {
        **STORAGE,
        "SAMPLE_TIMER_SCHEDULE": "*/1 * * * * *",
        "SAMPLE_OK_QUEUE": "ok-queue",
        "SAMPLE_FAIL_QUEUE": "fail-queue",
        "SAMPLE_SLOW_QUEUE": "slow-queue",
    }
    assert validate_functions(list(functions.values()), environ) == []


def test_http_streams_are_all_or_nothing_as_the_worker_serves_them() -> None:
    streaming = describe_functions(stream_app.app)
    assert validate_functions(streaming, STORAGE) == []
    errors = validate_functions([*streaming, http("classic", "classic")], STORAGE)
    assert len(errors) == 1
    assert errors[0].startswith("Function 'classic': HTTP streams are on for this app")
