"""Timer triggers: one thread per timer, schedule status kept in blob storage like the host."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from datetime import UTC, datetime
from typing import Protocol

from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.functions.timer import TimerRequest
from azure.storage.blob import BlobServiceClient

from tools.localhost.app_loader import FunctionDescription
from tools.localhost.invoker import Invoker
from tools.localhost.ncrontab import NCrontab
from tools.localhost.schedule_monitor import (
    ScheduleStatus,
    check_past_due,
    parse_instant,
)

logger = logging.getLogger("Host.Timers")
STATUS_CONTAINER = "azure-webjobs-hosts"


def utcnow() -> datetime:
    return datetime.now(UTC)


class StatusStore(Protocol):
    def read(self, function_name: str) -> ScheduleStatus | None: ...

    def write(self, function_name: str, status: ScheduleStatus) -> None: ...


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
            upcoming = parse_instant(document.get("Next"))
            if upcoming is None:
                return None
            return ScheduleStatus(
                last=parse_instant(document.get("Last")),
                next=upcoming,
                last_updated=parse_instant(document.get("LastUpdated")),
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
        store: StatusStore,
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
        """As `TimerListener.StartAsync`: past due (a missed occurrence) first, else
        run-on-startup, then the schedule; a scheduled run is never past due, however late."""
        check = check_past_due(utcnow(), self.schedule, self.store.read(self.function.name))
        if check.changed:
            self.store.write(self.function.name, check.status)
        status = check.status
        if check.past_due:
            logger.info("Timer '%s' is past due (missed %s)", self.function.name, status.next)
            status = self._fire(status, past_due=True)
        elif self.run_on_startup:
            status = self._fire(status, on_startup=True)
        while self._wait_until(status.next):
            status = self._fire(status)

    def _wait_until(self, instant: datetime) -> bool:
        """Sleep until `instant` (never wake early); False when the host is stopping."""
        while not self.stop.is_set():
            remaining = (instant - utcnow()).total_seconds()
            if remaining <= 0:
                return True
            self.stop.wait(remaining)
        return False

    def _fire(
        self, status: ScheduleStatus, *, past_due: bool = False, on_startup: bool = False
    ) -> ScheduleStatus:
        """Run once, then store Last/Next as `TimerListener.InvokeJobFunction` does.

        Next counts from when this run started, not from when it ended: a run that overruns gets
        exactly one immediate catch-up, and runs never overlap. A failed run is logged by the
        invoker and not retried, like the real host.
        """
        started = utcnow()
        request = TimerRequest(
            past_due=past_due, schedule_status=status.to_json(), schedule={"AdjustForDST": True}
        )
        with contextlib.suppress(Exception):
            self.invoker.invoke(self.function, request, f"Timer fired at {started.isoformat()}")
        # A scheduled run that fired a hair early counts from its occurrence, so the same Next
        # is never recorded twice.
        invoked = started
        if not past_due and not on_startup and status.next > started:
            invoked = status.next
        upcoming = ScheduleStatus(
            last=invoked, next=self.schedule.next_after(invoked), last_updated=invoked
        )
        self.store.write(self.function.name, upcoming)
        return upcoming
