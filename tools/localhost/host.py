"""The composed local host: HTTP server, timer threads and queue listeners."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Mapping

from tools.localhost.app_loader import (
    HTTP_TRIGGER,
    QUEUE_TRIGGER,
    TIMER_TRIGGER,
    FunctionDescription,
    resolve_settings,
)
from tools.localhost.connection import storage_connection_string
from tools.localhost.host_config import HostConfig
from tools.localhost.http_server import FunctionsHttpServer, listening_socket
from tools.localhost.http_streams import takes_stream_request
from tools.localhost.invoker import Invoker
from tools.localhost.ncrontab import NCrontab
from tools.localhost.queues import QueueListener
from tools.localhost.routing import Router
from tools.localhost.timers import ScheduleStatusStore, TimerRunner
from tools.localhost.trace_context import passes_trace_context

logger = logging.getLogger("Host")
DEFAULT_HOST_ID = "localhost"
_JOIN_SECONDS = 2.0
_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


class LocalHost:
    """Serves already-validated functions (see `validation.validate_functions`).

    Construction binds the HTTP port and builds every client, so configuration errors surface
    before `start()`; `stop()` is safe to call once everything has started.
    """

    def __init__(
        self,
        functions: list[FunctionDescription],
        config: HostConfig,
        environ: Mapping[str, str],
        *,
        host: str = "127.0.0.1",
        port: int = 7071,
        listener: socket.socket | None = None,
        background: bool = True,
    ) -> None:
        """`listener`: a socket already listening (a worker process inherits the host's);
        otherwise the host binds `host:port`. `background`: whether this process runs the
        timers and queue listeners; an HTTP-only worker process does not."""
        self.functions = functions
        self.config = config
        self.stop_event = threading.Event()
        self.invoker = Invoker(timeout=config.function_timeout)
        router: Router[FunctionDescription] = Router(config.route_prefix)
        for function in self._of_kind(HTTP_TRIGGER):
            router.add(function.route, function.methods, function)
        streaming = frozenset(
            function.name
            for function in self._of_kind(HTTP_TRIGGER)
            if takes_stream_request(function)
        )
        self.server = FunctionsHttpServer(
            listener if listener is not None else listening_socket((host, port)),
            router,
            self.invoker,
            streaming=streaming,
            pass_trace_context=passes_trace_context(environ),
        )
        self.workers: list[threading.Thread] = (
            [*self._timers(environ), *self._queue_listeners(environ)] if background else []
        )

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def _of_kind(self, kind: str) -> list[FunctionDescription]:
        return [function for function in self.functions if function.trigger_type == kind]

    def _timers(self, environ: Mapping[str, str]) -> list[threading.Thread]:
        timers = self._of_kind(TIMER_TRIGGER)
        if not timers:
            return []
        connection = storage_connection_string(None, environ) or ""
        host_id = environ.get("AzureFunctionsWebHost__hostid") or DEFAULT_HOST_ID
        store = ScheduleStatusStore(connection, host_id)
        return [
            TimerRunner(
                function,
                NCrontab(resolve_settings(str(function.trigger["schedule"]), environ)),
                store,
                self.invoker,
                self.stop_event,
            )
            for function in timers
        ]

    def _queue_listeners(self, environ: Mapping[str, str]) -> list[threading.Thread]:
        return [
            QueueListener(
                function,
                queue_name=resolve_settings(str(function.trigger["queueName"]), environ),
                connection_string=storage_connection_string(
                    function.trigger.get("connection"), environ
                )
                or "",
                options=self.config.queues,
                invoker=self.invoker,
                stop=self.stop_event,
            )
            for function in self._of_kind(QUEUE_TRIGGER)
        ]

    def describe(self) -> list[str]:
        """The function list as `func start` prints it."""
        lines: list[str] = []
        prefix = f"/{self.config.route_prefix}" if self.config.route_prefix else ""
        for function in self.functions:
            if function.trigger_type == HTTP_TRIGGER:
                methods = ",".join(function.methods or _ALL_METHODS)
                route = function.route.strip("/")
                lines.append(f"  {function.name}: [{methods}] {self.base_url}{prefix}/{route}")
            else:
                lines.append(f"  {function.name}: {function.trigger.get('type')}")
        return lines

    def start(self) -> None:
        for worker in self.workers:
            worker.start()
        self.server.start()

    def stop(self) -> bool:
        """Stop accepting work and give running invocations a moment; False if some still run."""
        self.stop_event.set()
        self.server.stop()
        deadline = time.monotonic() + _JOIN_SECONDS  # one budget for all, not one per thread
        for worker in self.workers:
            if worker.is_alive():
                worker.join(timeout=max(0.0, deadline - time.monotonic()))
                if worker.is_alive():
                    logger.warning("'%s' is still running; leaving it behind", worker.name)
        self.invoker.close()
        return not any(worker.is_alive() for worker in self.workers)
