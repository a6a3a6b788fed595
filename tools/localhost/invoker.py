"""Invoke user functions and log each execution the way the Functions host does."""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import logging
import threading
import time
import uuid
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

from tools.localhost.app_loader import FunctionDescription

logger = logging.getLogger("Host.Function")


class FunctionTimeoutError(Exception):
    """The invocation outlived host.json `functionTimeout`; it counts as a failed invocation."""


def format_timespan(span: timedelta) -> str:
    """As .NET prints a TimeSpan: 00:10:00, 00:00:00.5000000."""
    seconds = int(span.total_seconds())
    text = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return f"{text}.{span.microseconds:06d}0" if span.microseconds else text


class Invoker:
    """Runs functions, each within host.json `functionTimeout` (None: no limit).

    Coroutines run on one shared event loop, as in the Python worker, so async SDK clients
    cached across invocations keep working; a sync function runs on a thread of its own.

    On a timeout the real host fails the invocation with a FunctionTimeoutException (an HTTP
    error, a queue message released for its next attempt, a timer run not retried) and restarts
    the language worker, which ends every invocation it was running (GitHub:
    Azure/azure-functions-host#5794 and #8720). Here the invocation fails the same way (HTTP 500)
    and a coroutine is cancelled, but a Python thread cannot be stopped: a timed-out sync function
    runs on in the background, its result ignored, and other invocations are not interrupted.
    """

    def __init__(self, timeout: timedelta | None = None) -> None:
        self.timeout = timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def invoke(self, function: FunctionDescription, argument: Any, reason: str) -> Any:
        """Call the function with its trigger argument by keyword; log and re-raise failures.

        Only the name, reason, id and duration are logged: arguments carry personal data.
        """
        execution = _Execution(function.name, reason, self.timeout)
        try:
            result = self._call(function, {function.trigger["name"]: argument})
        except BaseException as error:
            execution.failed(error)
            raise
        execution.succeeded()
        return result

    async def invoke_async(self, function: FunctionDescription, argument: Any, reason: str) -> Any:
        """`invoke`, awaited on the shared loop (the HTTP front end's): a coroutine function
        runs on this loop, a sync one on a thread of its own."""
        execution = _Execution(function.name, reason, self.timeout)
        arguments = {function.trigger["name"]: argument}
        limit = self.timeout.total_seconds() if self.timeout is not None else None
        try:
            if inspect.iscoroutinefunction(function.user_function):
                try:
                    result = await asyncio.wait_for(function.user_function(**arguments), limit)
                except TimeoutError:
                    raise FunctionTimeoutError(f"Timeout value of {limit}s exceeded") from None
            else:
                result = await asyncio.to_thread(self._call, function, arguments)
        except BaseException as error:
            execution.failed(error)
            raise
        execution.succeeded()
        return result

    def _call(self, function: FunctionDescription, arguments: dict[str, Any]) -> Any:
        limit = self.timeout.total_seconds() if self.timeout is not None else None
        if inspect.iscoroutinefunction(function.user_function):
            coroutine = function.user_function(**arguments)
            running = asyncio.run_coroutine_threadsafe(coroutine, self._event_loop())
            try:
                return running.result(timeout=limit)
            except concurrent.futures.TimeoutError:
                running.cancel()  # a coroutine can be stopped: it is
                raise FunctionTimeoutError(f"Timeout value of {limit}s exceeded") from None
        if limit is None:
            return self._settle(function.user_function(**arguments))
        outcome: concurrent.futures.Future[Any] = concurrent.futures.Future()
        threading.Thread(
            target=self._run_into,
            args=(outcome, function, arguments),
            name=f"invocation-{function.name}",
            daemon=True,
        ).start()
        try:
            return outcome.result(timeout=limit)
        except concurrent.futures.TimeoutError:
            # A thread cannot be stopped: it runs on, and what it returns is never read.
            raise FunctionTimeoutError(f"Timeout value of {limit}s exceeded") from None

    def _run_into(
        self,
        future: concurrent.futures.Future[Any],
        function: FunctionDescription,
        arguments: dict[str, Any],
    ) -> None:
        try:
            future.set_result(self._settle(function.user_function(**arguments)))
        except BaseException as error:  # handed to the waiting caller, who re-raises it
            future.set_exception(error)

    def _settle(self, result: Any) -> Any:
        """A sync function may still return an awaitable: run it to its result."""
        return self.run(result) if inspect.iscoroutine(result) else result

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        """Run a coroutine on the shared loop and wait for its result on this thread."""
        return self.submit(coroutine).result()

    def submit(self, coroutine: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        """Start a coroutine on the shared loop (the HTTP server runs there too)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._event_loop())

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                self._thread = threading.Thread(
                    target=loop.run_forever, name="localhost-asyncio", daemon=True
                )
                self._thread.start()
                self._loop = loop
            return self._loop

    def close(self) -> None:
        """Stop the shared loop, if one was started."""
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=2)


class _Execution:
    """The host's two log lines of one invocation: Executing, then Succeeded or Failed."""

    def __init__(self, name: str, reason: str, timeout: timedelta | None) -> None:
        self._name = name
        self._timeout = timeout
        self._id = uuid.uuid4()
        self._started = time.monotonic()
        logger.info("Executing 'Functions.%s' (Reason='%s', Id=%s)", name, reason, self._id)

    def succeeded(self) -> None:
        logger.info(
            "Executed 'Functions.%s' (Succeeded, Id=%s, Duration=%dms)",
            self._name,
            self._id,
            self._elapsed_ms(),
        )

    def failed(self, error: BaseException) -> None:
        if isinstance(error, FunctionTimeoutError):
            logger.error(
                "Timeout value of %s exceeded by function 'Functions.%s' (Id: '%s'). "
                "Initiating cancellation.",
                format_timespan(self._timeout or timedelta(0)),
                self._name,
                self._id,
            )
        logger.error(
            "Executed 'Functions.%s' (Failed, Id=%s, Duration=%dms)",
            self._name,
            self._id,
            self._elapsed_ms(),
            exc_info=error,
        )

    def _elapsed_ms(self) -> float:
        return (time.monotonic() - self._started) * 1000
