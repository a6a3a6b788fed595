"""More worker processes for HTTP: the host's `FUNCTIONS_WORKER_PROCESS_COUNT`.

In Azure the Functions host starts up to `FUNCTIONS_WORKER_PROCESS_COUNT` Python worker
processes (default 1, at most 10) and spreads invocations over them, so that a Python app can use
more than one core despite the interpreter's lock (Microsoft Learn: "Improve throughput
performance of Python apps in Azure Functions", and the app settings reference).

Here the host's own process is the first worker: it binds the port, serves HTTP and runs every
timer and queue listener. Each further process serves HTTP only, on the same listening socket,
which it inherits; the kernel hands each new connection to whichever process accepts it first, as
uvicorn's own `--workers` do. So requests are spread per connection, not per invocation: a
keep-alive connection stays with the process that accepted it.

A worker process that exits while the host runs is replaced, as the Functions host restarts a
language worker. A worker process stops when the host asks (SIGTERM) and also when the host is
gone: it holds the read end of a pipe whose only writer is the host, so the pipe's end of file
means "stop", even if the host was killed outright.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tools.localhost.errors import StartupError

WORKER_COUNT_SETTING = "FUNCTIONS_WORKER_PROCESS_COUNT"
MAX_WORKER_PROCESSES = 10  # the platform's ceiling
_READY = b"R"
_EXIT_GRACE = 5.0  # seconds
_SLICE_MS = 500


def worker_process_count(environ: Mapping[str, str]) -> int:
    """The number of processes that serve HTTP, the host's included (default 1)."""
    raw = environ.get(WORKER_COUNT_SETTING, "").strip() or "1"
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_WORKER_PROCESSES:
        raise StartupError(
            f"{WORKER_COUNT_SETTING} must be a whole number from 1 to "
            f"{MAX_WORKER_PROCESSES}, not '{raw}'"
        )
    return int(raw)


@dataclass(frozen=True)
class WorkerHandles:
    """What a worker process inherits: the listening socket, where to say it is ready, and the
    pipe whose end of file tells it the host is gone. Passed as `--worker-fds L,R,A`."""

    listener: int
    ready: int
    host_alive: int

    def argument(self) -> str:
        return f"{self.listener},{self.ready},{self.host_alive}"

    @classmethod
    def parse(cls, text: str) -> WorkerHandles:
        listener, ready, host_alive = (int(part) for part in text.split(","))
        return cls(listener, ready, host_alive)


class WorkerProcesses:
    """The host's extra HTTP worker processes, started and, when one exits, replaced."""

    def __init__(self, listener_fd: int, host_arguments: Sequence[str]) -> None:
        self._listener_fd = listener_fd
        self._host_arguments = list(host_arguments)
        # The host keeps the write end open while it runs: closing it stops every worker.
        self._alive_read, self._alive_write = os.pipe()
        self.processes: list[subprocess.Popen[bytes]] = []

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    def start(self, count: int, stopping: threading.Event, *, ready_timeout: float = 60.0) -> None:
        """Start `count` workers and return once each serves. One that exits, stays silent or
        cannot be spawned raises `StartupError`, as does `stopping` being set meanwhile."""
        pending: list[tuple[subprocess.Popen[bytes], int]] = []
        deadline = time.monotonic() + ready_timeout
        try:
            for _ in range(count):
                pending.append(self._spawn())
            for process, ready_read in pending:
                if not _became_ready(ready_read, deadline, stopping):
                    why = "was stopped while starting" if stopping.is_set() else _why(process)
                    raise StartupError(f"A worker process (pid {process.pid}) {why}")
        except OSError as error:  # no process or pipe to be had
            raise StartupError(f"A worker process could not be started: {error}") from error
        finally:
            for _, ready_read in pending:
                os.close(ready_read)

    def replace_exited(self, stopping: threading.Event) -> list[tuple[int, int, int]]:
        """Start a new worker for each that has exited, as the Functions host restarts a
        language worker: (old pid, its exit code, new pid) for each one replaced. Nothing is
        replaced once the host is stopping."""
        replaced = []
        for process in [process for process in self.processes if process.poll() is not None]:
            if stopping.is_set():
                break
            self.processes.remove(process)
            try:
                self.start(1, stopping)
            except StartupError:
                # Given up on, not retried every tick: the other processes go on serving.
                self._discard_unready()
                raise
            replaced.append((process.pid, process.returncode, self.processes[-1].pid))
        return replaced

    def _discard_unready(self) -> None:
        failed = self.processes.pop()
        failed.kill()
        failed.wait()

    def _spawn(self) -> tuple[subprocess.Popen[bytes], int]:
        ready_read, ready_write = os.pipe()
        handles = WorkerHandles(self._listener_fd, ready_write, self._alive_read)
        command = [
            sys.executable,
            "-m",
            "tools.localhost",
            *self._host_arguments,
            "--worker-fds",
            handles.argument(),
        ]
        try:
            # A process group of its own: Ctrl-C in a terminal reaches the host alone, which
            # then stops its workers in order (a worker still starting would die mid-import).
            process = subprocess.Popen(
                command,
                pass_fds=(self._listener_fd, ready_write, self._alive_read),
                process_group=0,
            )
        except OSError:
            os.close(ready_read)
            raise
        finally:
            os.close(ready_write)
        self.processes.append(process)
        return process, ready_read

    def signal_stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> None:
        """Wait for every worker to stop; kill any still running after `timeout`."""
        deadline = time.monotonic() + timeout
        for process in self.processes:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for end in (self._alive_read, self._alive_write):
            with contextlib.suppress(OSError):  # closed by an earlier stop
                os.close(end)

    def stop(self, timeout: float = 10.0) -> None:
        self.signal_stop()
        self.wait(timeout)


def start_worker_processes(
    count: int, listener_fd: int, host_arguments: Sequence[str], stopping: threading.Event
) -> WorkerProcesses:
    """`count` HTTP-only worker processes on the inherited socket, each serving once this
    returns; if one fails to start (or `stopping` is set meanwhile), they are all stopped and
    `StartupError` raised."""
    workers = WorkerProcesses(listener_fd, host_arguments)
    try:
        workers.start(count, stopping)
    except BaseException:
        workers.stop(timeout=5.0)
        raise
    return workers


def _became_ready(ready_read: int, deadline: float, stopping: threading.Event) -> bool:
    """Wait for the worker's word, in short slices so that a stop is heard at once."""
    poller = select.poll()  # not select(): descriptors may be numbered past 1024
    poller.register(ready_read, select.POLLIN)
    while not stopping.is_set() and time.monotonic() < deadline:
        if poller.poll(_SLICE_MS):
            return os.read(ready_read, 1) == _READY
    return False


def _why(process: subprocess.Popen[bytes]) -> str:
    """A worker that closed its ready pipe unready is exiting: wait a moment for its code (the
    pipe closes as it exits, a little before it can be reaped)."""
    try:
        return f"exited with {process.wait(timeout=_EXIT_GRACE)}"
    except subprocess.TimeoutExpired:
        return "was not ready in time"


def report_ready(handles: WorkerHandles) -> None:
    with contextlib.suppress(BrokenPipeError):  # the host is gone: the watch below stops us
        os.write(handles.ready, _READY)
    os.close(handles.ready)


def stop_when_host_is_gone(handles: WorkerHandles, stopping: threading.Event) -> None:
    """Set `stopping` once the host's end of the pipe is closed (the host stopped or died)."""

    def watch() -> None:
        while os.read(handles.host_alive, 1):
            pass  # nothing is ever written: only the end of file matters
        stopping.set()

    threading.Thread(target=watch, name="host-watch", daemon=True).start()
