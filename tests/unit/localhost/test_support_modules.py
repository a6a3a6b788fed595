"""NCRONTAB evaluation and storage connection resolution."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from tools.localhost.app_loader import is_disabled
from tools.localhost.connection import storage_connection_string
from tools.localhost.ncrontab import NCrontab


def test_ncrontab_has_seconds_first_and_works_in_utc() -> None:
    schedule = NCrontab("30 */5 * * * *")
    start = datetime(2024, 1, 1, 10, 2, 0, tzinfo=timezone(timedelta(hours=2)))
    assert schedule.next_after(start) == datetime(2024, 1, 1, 8, 5, 30, tzinfo=UTC)


def test_ncrontab_next_is_strictly_after() -> None:
    schedule = NCrontab("*/1 * * * * *")
    start = datetime(2024, 1, 1, 0, 0, 0, tzinfo=UTC)
    assert schedule.next_after(start) == start + timedelta(seconds=1)


def test_ncrontab_requires_both_day_fields_when_both_are_restricted() -> None:
    friday_13th = NCrontab("0 0 0 13 * 5")
    start = datetime(2024, 1, 1, tzinfo=UTC)
    assert friday_13th.next_after(start) == datetime(2024, 9, 13, tzinfo=UTC)


def test_connection_strings_are_found_and_development_storage_is_expanded() -> None:
    real = "DefaultEndpointsProtocol=http;AccountName=a;AccountKey=b;QueueEndpoint=http://x/a;"
    assert storage_connection_string(None, {"AzureWebJobsStorage": real}) == real
    assert storage_connection_string("Mine", {"AzureWebJobsMine": real}) == real
    assert storage_connection_string("Mine", {"Mine": "  "}) is None
    development = storage_connection_string(
        None, {"AzureWebJobsStorage": "UseDevelopmentStorage=true"}
    )
    assert development is not None
    assert "QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1" in development


def test_a_function_is_disabled_by_its_app_setting() -> None:
    assert is_disabled(
        "process_notification", {"AzureWebJobs.process_notification.Disabled": "True"}
    )
    assert is_disabled("f", {"AzureWebJobs__f__Disabled": "1"})
    assert not is_disabled("f", {"AzureWebJobs.f.Disabled": "false"})
    assert not is_disabled("f", {"AzureWebJobs.g.Disabled": "true"})
