"""Timer triggers through the local host: schedules, %SETTING% resolution and schedule status."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from azure.core.exceptions import ResourceNotFoundError
from azure.storage.blob import BlobServiceClient

from tests.integration.localhost.support import (
    SampleHost,
    SampleNames,
    records,
    sample_env,
    start_sample_host,
    wait_for,
    write_script_root,
)
from tests.support.azurite import Azurite

STATUS_CONTAINER = "azure-webjobs-hosts"
YEARLY = "0 0 0 1 1 *"


def status_blob(azurite: Azurite, host_id: str, function: str) -> str:
    return f"timers/{host_id}/{function}/status"


def read_status(azurite: Azurite, host_id: str) -> dict[str, str]:
    service = BlobServiceClient.from_connection_string(azurite.connection_string)
    blob = service.get_blob_client(STATUS_CONTAINER, status_blob(azurite, host_id, "sample_timer"))
    document: dict[str, str] = json.loads(blob.download_blob().readall())
    return document


def test_the_timer_fires_every_second_on_a_schedule_from_local_settings(
    sample_host: SampleHost,
) -> None:
    def two_runs() -> list[dict[str, object]]:
        found = records(sample_host.azurite, sample_host.names, "timer")
        return found if len(found) >= 2 else []

    fired = wait_for(two_runs, timeout=6, what="two timer runs")
    assert all(run == {"past_due": False} for run in fired)
    logs = sample_host.process.logs()
    assert "Skipping 'SAMPLE_OK_QUEUE' from local.settings.json" in logs
    assert "Skipping 'SAMPLE_TIMER_SCHEDULE'" not in logs


def test_the_schedule_status_blob_is_kept_up_to_date(sample_host: SampleHost) -> None:
    wait_for(lambda: records(sample_host.azurite, sample_host.names, "timer"), what="a run")
    status = read_status(sample_host.azurite, sample_host.names.host_id)
    assert set(status) == {"Last", "Next", "LastUpdated"}
    last = datetime.fromisoformat(status["Last"])
    upcoming = datetime.fromisoformat(status["Next"])
    # Last is when the run started; Next the first occurrence after it.
    assert upcoming == last.replace(microsecond=0) + timedelta(seconds=1)
    assert upcoming > datetime.now(UTC) - timedelta(seconds=2)


def write_status(azurite: Azurite, names: SampleNames, last: datetime, upcoming: datetime) -> None:
    service = BlobServiceClient.from_connection_string(azurite.connection_string)
    container = service.get_container_client(STATUS_CONTAINER)
    if not container.exists():
        container.create_container()
    document = {"Last": last.isoformat(), "Next": upcoming.isoformat(), "LastUpdated": None}
    container.upload_blob(
        status_blob(azurite, names.host_id, "sample_timer"), json.dumps(document), overwrite=True
    )


def test_a_missed_occurrence_fires_once_at_start_flagged_past_due(
    azurite: Azurite, tmp_path: Path
) -> None:
    names = SampleNames()
    # Written by a host that ran the yearly timer on 1 January last year, then stopped.
    this_year = datetime(datetime.now(UTC).year, 1, 1, tzinfo=UTC)
    missed = this_year if this_year < datetime.now(UTC) else this_year.replace(this_year.year - 1)
    write_status(azurite, names, missed.replace(year=missed.year - 1), missed)
    env = sample_env(azurite, names, SAMPLE_TIMER_SCHEDULE=YEARLY)
    host = start_sample_host(write_script_root(tmp_path), env)
    try:
        fired = wait_for(lambda: records(azurite, names, "timer"), what="the past-due run")
        time.sleep(0.5)  # room for a wrong second run to show up
        assert records(azurite, names, "timer") == fired == [{"past_due": True}]
        status = read_status(azurite, names.host_id)
        assert datetime.fromisoformat(status["Next"]) > datetime.now(UTC)
        assert datetime.fromisoformat(status["Last"]) > missed
    finally:
        assert host.stop() == 0, host.logs()


def test_a_timer_without_a_missed_occurrence_does_not_fire_at_start(
    azurite: Azurite, tmp_path: Path
) -> None:
    names = SampleNames()
    env = sample_env(azurite, names, SAMPLE_TIMER_SCHEDULE=YEARLY)
    host = start_sample_host(write_script_root(tmp_path), env)
    try:
        status = wait_for(
            lambda: read_status_or_empty(azurite, names.host_id), what="the first status"
        )
        assert datetime.fromisoformat(status["Next"]).month == 1
        time.sleep(0.3)
        assert records(azurite, names, "timer") == []
    finally:
        assert host.stop() == 0, host.logs()


def test_a_changed_schedule_is_not_past_due(azurite: Azurite, tmp_path: Path) -> None:
    names = SampleNames()
    # Written under an hourly schedule an hour ago: Next (now) is not what the yearly schedule
    # gives after Last, so the schedule has changed, and nothing was missed.
    hour_ago = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    write_status(azurite, names, hour_ago, hour_ago + timedelta(hours=1))
    env = sample_env(azurite, names, SAMPLE_TIMER_SCHEDULE=YEARLY)
    host = start_sample_host(write_script_root(tmp_path), env)
    try:
        wait_for(lambda: read_status(azurite, names.host_id)["Last"] is None, what="the new status")
        time.sleep(0.5)  # room for a wrong past-due run to show up
        assert records(azurite, names, "timer") == []
        upcoming = datetime.fromisoformat(read_status(azurite, names.host_id)["Next"])
        assert (upcoming.month, upcoming.day, upcoming > datetime.now(UTC)) == (1, 1, True)
    finally:
        assert host.stop() == 0, host.logs()


def read_status_or_empty(azurite: Azurite, host_id: str) -> dict[str, str]:
    try:
        return read_status(azurite, host_id)
    except ResourceNotFoundError:
        return {}
