"""Import a `FunctionApp` and describe its functions the way the worker indexes them."""

from __future__ import annotations

import importlib
import json
import re
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import azure.functions as func

from tools.localhost.errors import StartupError

HTTP_TRIGGER = "httptrigger"
TIMER_TRIGGER = "timertrigger"
QUEUE_TRIGGER = "queuetrigger"

_SETTING_REFERENCE = re.compile(r"%([^%]+)%")


@dataclass(frozen=True)
class FunctionDescription:
    """What the host needs of one function: its name, its bindings and the Python callable."""

    name: str
    bindings: list[dict[str, Any]]
    user_function: Callable[..., Any] = field(compare=False)

    @property
    def triggers(self) -> list[dict[str, Any]]:
        return [b for b in self.bindings if str(b.get("type", "")).lower().endswith("trigger")]

    @property
    def trigger(self) -> dict[str, Any]:
        """The trigger binding; validation guarantees there is exactly one before serving."""
        return self.triggers[0]

    @property
    def trigger_type(self) -> str:
        """Lower-cased trigger type, e.g. `httptrigger` (binding types are case-insensitive)."""
        return str(self.trigger.get("type", "")).lower()

    @property
    def route(self) -> str:
        """The HTTP route; the host uses the function name when the binding has none."""
        route = self.trigger.get("route")
        return str(route) if route else self.name

    @property
    def methods(self) -> list[str] | None:
        """Allowed HTTP methods, upper-cased; None means every method."""
        methods = self.trigger.get("methods")
        return [str(method).upper() for method in methods] if methods else None


def import_app(spec: str) -> func.FunctionApp:
    """Import `module:attribute` (attribute defaults to `app`) and return the FunctionApp."""
    module_name, _, attribute = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:
        # The real host reports an indexing failure and serves nothing: so do we.
        detail = "".join(traceback.format_exception(error)).rstrip()
        message = f"Worker failed to index functions: cannot import '{spec}'\n{detail}"
        raise StartupError(message) from error
    app = getattr(module, attribute or "app", None)
    if not isinstance(app, func.FunctionApp):
        raise StartupError(f"'{spec}' is not an azure.functions.FunctionApp")
    return app


def describe_functions(app: func.FunctionApp) -> list[FunctionDescription]:
    """Index the app's functions.

    `get_functions()` may run once per app object only: the SDK remembers the names it has seen
    and a second call reports every function as a duplicate.
    """
    try:
        functions = app.get_functions()
    except ValueError as error:
        raise StartupError(f"Worker failed to index functions: {error}") from error
    return [
        FunctionDescription(
            name=function.get_function_name() or "",
            bindings=list(json.loads(function.get_function_json())["bindings"]),
            user_function=function.get_user_function(),
        )
        for function in functions
    ]


def setting_references(value: str) -> list[str]:
    """The `%NAME%` app-setting references inside a binding value."""
    return _SETTING_REFERENCE.findall(value)


def resolve_settings(value: str, environ: Mapping[str, str]) -> str:
    """Replace every `%NAME%` by the environment value, as the host's name resolver does."""

    def lookup(found: re.Match[str]) -> str:
        name = found.group(1)
        if name not in environ:
            raise StartupError(f"'%{name}%' does not resolve to a value: set '{name}'")
        return environ[name]

    return _SETTING_REFERENCE.sub(lookup, value)


def is_disabled(function_name: str, environ: Mapping[str, str]) -> bool:
    """`AzureWebJobs.<name>.Disabled` set to true, as the host reads it (or its `__` form,
    which Linux app settings use since they cannot hold dots): the host then ignores the
    function's trigger."""
    for name in (
        f"AzureWebJobs.{function_name}.Disabled",
        f"AzureWebJobs__{function_name}__Disabled",
    ):
        if environ.get(name, "").strip().lower() in ("true", "1"):
            return True
    return False
