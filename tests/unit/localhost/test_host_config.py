"""host.json parsing: defaults, overrides, and the values the real host refuses."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tools.localhost.errors import StartupError
from tools.localhost.host_config import (
    HostConfig,
    QueueOptions,
    load_host_config,
    parse_host_json,
    parse_timespan,
)

REPO_ROOT = Path(__file__).resolve().parents[3]


def test_an_empty_document_and_a_missing_file_give_the_defaults(tmp_path: Path) -> None:
    expected = HostConfig(
        route_prefix="api",
        queues=QueueOptions(
            max_dequeue_count=5,
            visibility_timeout=timedelta(0),
            message_encoding="base64",
            batch_size=16,
            max_polling_interval=timedelta(seconds=2),
        ),
        function_timeout=timedelta(minutes=30),
    )
    assert parse_host_json({"version": "2.0"}) == expected
    assert load_host_config(tmp_path / "host.json") == expected


def test_every_supported_setting_is_read_and_keys_are_case_insensitive() -> None:
    config = parse_host_json(
        {
            "extensions": {
                "http": {"routePrefix": "/v1/"},
                "Queues": {
                    "maxDequeueCount": 3,
                    "VisibilityTimeout": "00:00:30",
                    "messageEncoding": "None",
                    "batchSize": 32,
                    "maxPollingInterval": "00:00:00.2",
                },
            }
        }
    )
    assert config.route_prefix == "v1"
    assert config.queues == QueueOptions(
        max_dequeue_count=3,
        visibility_timeout=timedelta(seconds=30),
        message_encoding="none",
        batch_size=32,
        max_polling_interval=timedelta(milliseconds=200),
    )


def test_an_empty_route_prefix_is_kept() -> None:
    assert parse_host_json({"extensions": {"http": {"routePrefix": ""}}}).route_prefix == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("00:00:10", timedelta(seconds=10)),
        ("00:00:00.2", timedelta(milliseconds=200)),
        ("01:02:03", timedelta(hours=1, minutes=2, seconds=3)),
        ("1.00:00:00", timedelta(days=1)),
    ],
)
def test_timespans(text: str, expected: timedelta) -> None:
    assert parse_timespan(text) == expected


@pytest.mark.parametrize(
    "queues",
    [
        {"batchSize": 33},
        {"batchSize": 0},
        {"maxDequeueCount": "5"},
        {"maxPollingInterval": "00:00:00.05"},
        {"visibilityTimeout": "10s"},
        {"visibilityTimeout": "00:61:00"},
        {"messageEncoding": "utf8"},
    ],
)
def test_values_the_host_refuses(queues: dict[str, Any]) -> None:
    with pytest.raises(StartupError, match=r"host\.json"):
        parse_host_json({"extensions": {"queues": queues}})


@pytest.mark.parametrize(
    ("value", "expected"),
    [("00:10:00", timedelta(minutes=10)), ("-1", None), ("1.00:00:00", timedelta(days=1))],
)
def test_the_function_timeout(value: str, expected: timedelta | None) -> None:
    assert parse_host_json({"FunctionTimeout": value}).function_timeout == expected


@pytest.mark.parametrize("value", ["00:00:00", "10", 600, "ten minutes"])
def test_function_timeouts_the_host_refuses(value: object) -> None:
    with pytest.raises(StartupError, match="functionTimeout"):
        parse_host_json({"functionTimeout": value})


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "host.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(StartupError, match="Cannot read"):
        load_host_config(path)


def test_the_repository_host_json_is_accepted() -> None:
    config = load_host_config(REPO_ROOT / "host.json")
    assert config.route_prefix == "api"
    assert config.function_timeout == timedelta(minutes=10)
