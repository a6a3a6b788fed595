"""Timer triggers: one thread per timer, schedule status kept in blob storage like the host."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.functions.timer import TimerRequest
from azure.storage.blob import BlobServiceClient

from tools.localhost.app_loader import FunctionDescription
from tools.localhost.invoker import Invoker
from tools.localhost.ncrontab import NCrontab

logger = logging.getLogger("Host.Timers")
STATUS_CONTAINER = "azure-webjobs-hosts"
# A run this late (or later) is reported as past due; scheduling jitter stays well below it.
PAST_DUE_AFTER = timedelta(seconds=1)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ScheduleStatus:
    last: datetime | None
    next: datetime
    last_updated: datetime

    def to_json(self) -> dict[str, str | None]:
        return {
            "Last": self.last.isoformat() if self.last else None,
            "Next": self.next.isoformat(),
            "LastUpdated": self.last_updated.isoformat(),
        }


def _parse_instant(text: object) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class ScheduleStatusStore:
    """`azure-webjobs-hosts/timers/<hostId>/<function>/status`, the blob the real host keeps."""

    def __init__(self, connection_string: str, host_id: str) -> None:
        service = BlobServiceClient.from_connection_string(connection_string)
        self._container = service.get_container_client(STATUS_CONTAINER)
        self._host_id = host_id

    def blob_name(self, function_name: str) -> str:
        return f"timers/{self._host_id}/{function_name}/status"

    def read(self, function_name: str) -> ScheduleStatus | None:
        """The stored status, or None when there is none or it cannot be read."""
        try:
            data = self._container.download_blob(self.blob_name(function_name)).readall()
            document = json.loads(data)
            upcoming = _parse_instant(document.get("Next"))
            if upcoming is None:
                return None
            return ScheduleStatus(
                last=_parse_instant(document.get("Last")),
                next=upcoming,
                last_updated=_parse_instant(document.get("LastUpdated")) or upcoming,
            )
        except ResourceNotFoundError:
            return None
        except (AzureError, ValueError, AttributeError) as error:
            logger.warning("Cannot read the schedule status of '%s': %s", function_name, error)
            return None

    def write(self, function_name: str, status: ScheduleStatus) -> None:
        data = json.dumps(status.to_json())
        try:
            try:
                self._container.upload_blob(self.blob_name(function_name), data, overwrite=True)
            except ResourceNotFoundError:
                with contextlib.suppress(ResourceExistsError):  # another timer made it first
                    self._container.create_container()
                self._container.upload_blob(self.blob_name(function_name), data, overwrite=True)
        except AzureError as error:
            logger.warning("Cannot write the schedule status of '%s': %s", function_name, error)


class TimerRunner(threading.Thread):
    """Fires one timer function; runs never overlap because one thread does them all."""

    def __init__(
        self,
        function: FunctionDescription,
        schedule: NCrontab,
        store: ScheduleStatusStore,
        invoker: Invoker,
        stop: threading.Event,
    ) -> None:
        super().__init__(name=f"timer-{function.name}", daemon=True)
        self.function = function
        self.schedule = schedule
        self.store = store
        self.invoker = invoker
        self.stop = stop
        self.run_on_startup = bool(function.trigger.get("runOnStartup"))

    def run(self) -> None:
        status = self.store.read(self.function.name)
        now = utcnow()
        if status is not None and status.next < now:
            # An occurrence was missed while no host ran: fire once now, flagged past due.
            status = self._fire(past_due=True, previous=status, scheduled=now)
        elif self.run_on_startup:
            status = self._fire(past_due=False, previous=status, scheduled=now)
        else:
            last = status.last if status else None
            status = ScheduleStatus(last, self.schedule.next_after(now), now)
            self.store.write(self.function.name, status)
        while self._wait_until(status.next):
            late = utcnow() - status.next >= PAST_DUE_AFTER
            status = self._fire(past_due=late, previous=status, scheduled=status.next)

    def _wait_until(self, instant: datetime) -> bool:
        """Sleep until `instant` (never wake early); False when the host is stopping."""
        while not self.stop.is_set():
            remaining = (instant - utcnow()).total_seconds()
            if remaining <= 0:
                return True
            self.stop.wait(remaining)
        return False

    def _fire(
        self, *, past_due: bool, previous: ScheduleStatus | None, scheduled: datetime
    ) -> ScheduleStatus:
        """Run once, then store Last/Next.

        The next occurrence counts from when this run started, not from when it ended: a run
        that overruns gets exactly one immediate catch-up, and runs never overlap. A failed run
        is logged by the invoker and not retried, like the real host.
        """
        started = utcnow()
        request = TimerRequest(
            past_due=past_due,
            schedule_status=previous.to_json() if previous else {},
            schedule={"AdjustForDST": True},
        )
        # The invoker logs a failure; a timer run is never retried.
        with contextlib.suppress(Exception):
            self.invoker.invoke(self.function, request, f"Timer fired at {started.isoformat()}")
        upcoming = self.schedule.next_after(max(scheduled, started))
        status = ScheduleStatus(last=scheduled, next=upcoming, last_updated=utcnow())
        self.store.write(self.function.name, status)
        return status
