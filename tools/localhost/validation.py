"""Start-up checks: refuse every app the real Functions host would refuse, before serving, and
one it would serve by luck: routes that overlap."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from tools.localhost.app_loader import (
    HTTP_TRIGGER,
    QUEUE_TRIGGER,
    TIMER_TRIGGER,
    FunctionDescription,
    resolve_settings,
    setting_references,
)
from tools.localhost.connection import storage_connection_string
from tools.localhost.errors import StartupError
from tools.localhost.http_streams import streams_enabled, takes_stream_request
from tools.localhost.ncrontab import NCrontab
from tools.localhost.route_overlap import HttpRoute, overlap_errors
from tools.localhost.routing import RouteTemplate, RouteTemplateError

BUILT_IN_ROUTE_CONFLICT = "The specified route conflicts with one or more built in routes."
_RESERVED_PREFIXES = ("admin", "runtime")
_FUNCTION_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,127}$")
_QUEUE_NAME = re.compile(r"^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")
_SUPPORTED_TRIGGERS = (HTTP_TRIGGER, TIMER_TRIGGER, QUEUE_TRIGGER)


def _is_reserved(text: str) -> bool:
    return text.strip("/").lower().startswith(_RESERVED_PREFIXES)


def _check_names(functions: Iterable[FunctionDescription]) -> list[str]:
    errors: list[str] = []
    seen: set[str] = set()
    for function in functions:
        name = function.name
        if not _FUNCTION_NAME.match(name):
            errors.append(f"Function '{name}': invalid function name")
        if name.casefold() in seen:
            errors.append(f"Function '{name}': the function name is not unique (case-insensitive)")
        seen.add(name.casefold())
        if _is_reserved(name):
            errors.append(f"Function '{name}': {BUILT_IN_ROUTE_CONFLICT}")
    return errors


def _check_settings(function: FunctionDescription, environ: Mapping[str, str]) -> list[str]:
    missing = {
        name
        for binding in function.bindings
        for value in binding.values()
        if isinstance(value, str)
        for name in setting_references(value)
        if name not in environ
    }
    return [
        f"Function '{function.name}': '%{name}%' does not resolve to a value: "
        f"the app setting '{name}' is not set"
        for name in sorted(missing)
    ]


def _check_bindings(function: FunctionDescription) -> list[str]:
    name = function.name
    triggers = function.triggers
    if len(triggers) != 1:
        return [f"Function '{name}': exactly one trigger binding is required"]
    kind = function.trigger_type
    if kind not in _SUPPORTED_TRIGGERS:
        return [f"Function '{name}': trigger '{triggers[0].get('type')}' is not supported here"]
    others = [b for b in function.bindings if b is not triggers[0]]
    if any(not (kind == HTTP_TRIGGER and str(b.get("type")).lower() == "http") for b in others):
        # Output bindings would need a storage emulation the local host does not have; the
        # design sends through our own adapters instead, so refuse rather than drop them.
        return [f"Function '{name}': only trigger bindings (and the http output) are supported"]
    return []


def _check_trigger(function: FunctionDescription, environ: Mapping[str, str]) -> list[str]:
    prefix = f"Function '{function.name}'"
    trigger = function.trigger
    kind = function.trigger_type
    try:
        if kind == HTTP_TRIGGER:
            if _is_reserved(function.route) and not _is_reserved(function.name):
                return [f"{prefix}: {BUILT_IN_ROUTE_CONFLICT}"]
            RouteTemplate(function.route)
        elif kind == TIMER_TRIGGER:
            NCrontab(resolve_settings(str(trigger.get("schedule", "")), environ))
        if kind in (TIMER_TRIGGER, QUEUE_TRIGGER):
            connection = trigger.get("connection") if kind == QUEUE_TRIGGER else None
            if storage_connection_string(connection, environ) is None:
                setting = connection or "AzureWebJobsStorage"
                return [f"{prefix}: storage connection setting '{setting}' is not set"]
        if kind == QUEUE_TRIGGER:
            queue = resolve_settings(str(trigger.get("queueName", "")), environ)
            if not _QUEUE_NAME.match(queue):
                return [f"{prefix}: '{queue}' is not a valid queue name"]
    except (StartupError, RouteTemplateError) as error:
        return [f"{prefix}: {error}"]
    return []


def _check_streams(functions: Iterable[FunctionDescription]) -> list[str]:
    """Once one HTTP function takes the streaming request, the worker serves every HTTP function
    through its ASGI server: a classic `func.HttpRequest` function then cannot be served."""
    http = [
        function
        for function in functions
        if len(function.triggers) == 1 and function.trigger_type == HTTP_TRIGGER
    ]
    streaming = [function.name for function in http if takes_stream_request(function)]
    if not streaming:
        return []
    if not streams_enabled():
        return [
            f"Function '{name}': takes a FastAPI Request, but the app does not import "
            "azurefunctions.extensions.http.fastapi, so the worker does not serve HTTP streams"
            for name in streaming
        ]
    return [
        f"Function '{function.name}': HTTP streams are on for this app ('{streaming[0]}' takes "
        "a FastAPI Request), so every HTTP function must take and return the streaming types"
        for function in http
        if function.name not in streaming
    ]


def _check_overlaps(functions: Iterable[FunctionDescription]) -> list[str]:
    """The real host would serve overlapping routes, but by function-name order: refuse them
    here so an app cannot depend on an order Azure does not promise (see `route_overlap`)."""
    routes: list[HttpRoute] = []
    for function in functions:
        if len(function.triggers) != 1 or function.trigger_type != HTTP_TRIGGER:
            continue
        try:
            template = RouteTemplate(function.route)
        except RouteTemplateError:
            continue  # reported by _check_trigger
        methods = frozenset(function.methods) if function.methods else None
        routes.append(HttpRoute(function.name, template, methods))
    return overlap_errors(routes)


def validate_functions(
    functions: list[FunctionDescription], environ: Mapping[str, str]
) -> list[str]:
    """Every reason to refuse these functions (the real host's, and overlapping routes); an
    empty list means serve."""
    errors = _check_names(functions) + _check_streams(functions) + _check_overlaps(functions)
    for function in functions:
        binding_errors = _check_bindings(function) + _check_settings(function, environ)
        errors += binding_errors or _check_trigger(function, environ)
    return errors
