"""The local host run inside the test process, so the test can read what the app's worker
records: spans and metrics through in-memory OpenTelemetry readers, every log record.

The subprocess hosts (`hosts.running_host`) are the usual way; this one exists for what only the
process itself can see. It is the same `LocalHost` (HTTP server, queue listeners, timers) on the
same app, with the app's settings in `os.environ` (the container reads them there, as in a
worker) for as long as it runs.
"""

from __future__ import annotations

import copy
import logging
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import function_app
from shared.adapters.telemetry import reset_for_tests
from shared.bootstrap import reset_container
from tests.support.azurite import free_port
from tests.support.hosts import FAST_HOST_JSON
from tools.localhost.app_loader import describe_functions, is_disabled
from tools.localhost.host import LocalHost
from tools.localhost.host_config import parse_host_json


@dataclass(frozen=True)
class Telemetry:
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader


@cache
def in_memory_telemetry() -> Telemetry:
    """The process's OpenTelemetry SDK, exporting to memory: installed once (the API's global
    providers can be set only once per process), as `configure_azure_monitor` installs its own
    in a worker."""
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    trace.set_tracer_provider(tracer_provider)
    reader = InMemoryMetricReader()
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
    return Telemetry(spans=spans, metrics=reader)


class LogCapture(logging.Handler):
    """Every record that reaches the root logger, kept whole (message, arguments, `extra`)."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        with self._guard:
            self.records.append(record)

    def texts(self) -> list[str]:
        """Each record as an exporter could see it: the formatted message, the traceback, and
        every attribute (`extra` fields included)."""
        formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
        with self._guard:
            records = list(self.records)
        return [f"{formatter.format(record)} {record.__dict__!r}".casefold() for record in records]


@dataclass(frozen=True)
class InProcessHost:
    host: LocalHost
    env: Mapping[str, str]
    logs: LogCapture

    @property
    def api(self) -> str:
        return f"{self.host.base_url}/api"


@contextmanager
def in_process_host(env: Mapping[str, str]) -> Iterator[InProcessHost]:
    """The app under a `LocalHost` in this process, with the fast queues of `FAST_HOST_JSON`;
    logging as the worker sets it (root at INFO), every record captured."""
    saved_env = dict(os.environ)
    root = logging.getLogger()
    saved_level = root.level
    capture = LogCapture()
    os.environ.update(env)
    reset_container()
    reset_for_tests()
    root.setLevel(logging.INFO)
    root.addHandler(capture)
    # The Azure SDK's loggers as a worker has them (unset: INFO, every HTTP call): the app must
    # quiet them itself. Restored afterwards, since the app changes them for the process.
    sdk = logging.getLogger("azure")
    saved_sdk_level = sdk.level
    sdk.setLevel(logging.NOTSET)
    # `get_functions()` runs once per app object: index a copy that has indexed nothing yet.
    app = copy.copy(function_app.app)
    app.functions_bindings = None
    functions = [f for f in describe_functions(app) if not is_disabled(f.name, env)]
    host = LocalHost(
        functions, parse_host_json(FAST_HOST_JSON), env, host="127.0.0.1", port=free_port()
    )
    host.start()
    try:
        yield InProcessHost(host=host, env=env, logs=capture)
    finally:
        stopped = host.stop()
        root.removeHandler(capture)
        root.setLevel(saved_level)
        sdk.setLevel(saved_sdk_level)
        os.environ.clear()
        os.environ.update(saved_env)
        reset_container()
        reset_for_tests()
        assert stopped, "an invocation was still running when the in-process host stopped"
