"""The parts of host.json the local host honours, parsed by pure functions."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from tools.localhost.errors import StartupError

MessageEncoding = Literal["base64", "none"]

# .NET TimeSpan text as host.json uses it: [d.]hh:mm:ss[.fffffff]
_TIMESPAN = re.compile(r"^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$")
_MIN_POLLING_INTERVAL = timedelta(milliseconds=100)
_MAX_BATCH_SIZE = 32
# host.json `functionTimeout` when absent: the Flex Consumption (and Premium) default; the
# Consumption plan's is 5 minutes. "-1" means no limit (not allowed on Consumption).
DEFAULT_FUNCTION_TIMEOUT = timedelta(minutes=30)


@dataclass(frozen=True)
class QueueOptions:
    """`extensions.queues`, with the defaults the queue extension 5.x uses.

    `max_polling_interval` defaults to 2 s, the value the real host uses when running locally.
    """

    max_dequeue_count: int = 5
    visibility_timeout: timedelta = timedelta(0)
    message_encoding: MessageEncoding = "base64"
    batch_size: int = 16
    max_polling_interval: timedelta = timedelta(seconds=2)


@dataclass(frozen=True)
class HostConfig:
    """Route prefix, function timeout and queue options; the rest of host.json is ignored."""

    route_prefix: str = "api"
    queues: QueueOptions = field(default_factory=QueueOptions)
    function_timeout: timedelta | None = DEFAULT_FUNCTION_TIMEOUT  # None: no limit


def parse_timespan(text: str) -> timedelta:
    """Parse a .NET TimeSpan such as "00:00:10" or "1.02:00:00.5"."""
    match = _TIMESPAN.match(text.strip())
    if match is None:
        raise StartupError(f"host.json: '{text}' is not a TimeSpan (expected hh:mm:ss)")
    days, hours, minutes, seconds, fraction = match.groups()
    if int(hours) > 23 or int(minutes) > 59 or int(seconds) > 59:
        raise StartupError(f"host.json: '{text}' is not a TimeSpan (expected hh:mm:ss)")
    return timedelta(
        days=int(days or 0),
        hours=int(hours),
        minutes=int(minutes),
        seconds=int(seconds) + float(f"0.{fraction or 0}"),
    )


def _get(section: Mapping[str, Any], key: str) -> Any:
    """host.json keys are case-insensitive, as .NET configuration binding is."""
    for name, value in section.items():
        if name.lower() == key.lower():
            return value
    return None


def _section(parent: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = _get(parent, key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise StartupError(f"host.json: '{key}' must be an object")
    return value


def _int(section: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = _get(section, key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise StartupError(f"host.json: queues.{key} must be an integer in [{low}, {high}]")
    return value


def _timespan(section: Mapping[str, Any], key: str, default: timedelta) -> timedelta:
    value = _get(section, key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise StartupError(f"host.json: queues.{key} must be a TimeSpan string (hh:mm:ss)")
    return parse_timespan(value)


def _queue_options(queues: Mapping[str, Any]) -> QueueOptions:
    defaults = QueueOptions()
    encoding = str(_get(queues, "messageEncoding") or defaults.message_encoding).lower()
    if encoding not in ("base64", "none"):
        raise StartupError("host.json: queues.messageEncoding must be 'base64' or 'none'")
    polling = _timespan(queues, "maxPollingInterval", defaults.max_polling_interval)
    if polling < _MIN_POLLING_INTERVAL:
        raise StartupError("host.json: queues.maxPollingInterval must be at least 00:00:00.1")
    return QueueOptions(
        max_dequeue_count=_int(queues, "maxDequeueCount", defaults.max_dequeue_count, 1, 10_000),
        visibility_timeout=_timespan(queues, "visibilityTimeout", defaults.visibility_timeout),
        message_encoding="base64" if encoding == "base64" else "none",
        batch_size=_int(queues, "batchSize", defaults.batch_size, 1, _MAX_BATCH_SIZE),
        max_polling_interval=polling,
    )


def _function_timeout(document: Mapping[str, Any]) -> timedelta | None:
    value = _get(document, "functionTimeout")
    if value is None:
        return DEFAULT_FUNCTION_TIMEOUT
    text = value.strip() if isinstance(value, str) else ""
    if text == "-1":
        return None
    if not _TIMESPAN.match(text):
        raise StartupError("host.json: functionTimeout must be a TimeSpan (hh:mm:ss) or -1")
    timeout = parse_timespan(text)
    if timeout <= timedelta(0):
        raise StartupError("host.json: functionTimeout must be positive, or -1 for no limit")
    return timeout


def parse_host_json(document: Mapping[str, Any]) -> HostConfig:
    """Build a HostConfig from a parsed host.json document; refuse values the host refuses."""
    extensions = _section(document, "extensions")
    prefix = _get(_section(extensions, "http"), "routePrefix")
    if prefix is not None and not isinstance(prefix, str):
        raise StartupError("host.json: http.routePrefix must be a string")
    return HostConfig(
        route_prefix=("api" if prefix is None else prefix).strip("/"),
        queues=_queue_options(_section(extensions, "queues")),
        function_timeout=_function_timeout(document),
    )


def load_host_config(path: Path) -> HostConfig:
    """Read host.json at `path`; a missing file means all defaults."""
    if not path.is_file():
        return HostConfig()
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as error:
        raise StartupError(f"Cannot read {path}: {error}") from error
    if not isinstance(document, dict):
        raise StartupError(f"{path} must hold a JSON object")
    return parse_host_json(document)
