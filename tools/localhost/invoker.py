"""Invoke user functions and log each execution the way the Functions host does."""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
import uuid
from collections.abc import Coroutine
from typing import Any

from tools.localhost.app_loader import FunctionDescription

logger = logging.getLogger("Host.Function")


class Invoker:
    """Runs sync functions on the calling thread and coroutines on one shared event loop.

    One loop for every `async def` invocation mirrors the Python worker, so async SDK clients
    cached across invocations keep working.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def invoke(self, function: FunctionDescription, argument: Any, reason: str) -> Any:
        """Call the function with its trigger argument by keyword; log and re-raise failures.

        Only the name, reason, id and duration are logged: arguments carry personal data.
        """
        invocation_id = uuid.uuid4()
        logger.info(
            "Executing 'Functions.%s' (Reason='%s', Id=%s)", function.name, reason, invocation_id
        )
        started = time.monotonic()
        try:
            result = function.user_function(**{function.trigger["name"]: argument})
            if inspect.iscoroutine(result):
                result = self.run(result)
        except Exception:
            elapsed = (time.monotonic() - started) * 1000
            logger.exception(
                "Executed 'Functions.%s' (Failed, Id=%s, Duration=%dms)",
                function.name,
                invocation_id,
                elapsed,
            )
            raise
        elapsed = (time.monotonic() - started) * 1000
        logger.info(
            "Executed 'Functions.%s' (Succeeded, Id=%s, Duration=%dms)",
            function.name,
            invocation_id,
            elapsed,
        )
        return result

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        """Run a coroutine on the shared loop and wait for its result on this thread."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._event_loop()).result()

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
