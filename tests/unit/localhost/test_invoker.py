"""host.json functionTimeout: an invocation that outlives it fails, as on the real host."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from tools.localhost.app_loader import FunctionDescription
from tools.localhost.invoker import FunctionTimeoutError, Invoker, format_timespan


def function(user_function: Callable[..., Any]) -> FunctionDescription:
    return FunctionDescription("slow", [{"type": "queueTrigger", "name": "msg"}], user_function)


def test_a_sync_function_past_the_timeout_fails_at_the_timeout(
    caplog: pytest.LogCaptureFixture,
) -> None:
    finished = threading.Event()

    def slow(msg: str) -> None:
        time.sleep(1.5)
        finished.set()

    invoker = Invoker(timeout=timedelta(milliseconds=200))
    started = time.monotonic()
    with pytest.raises(FunctionTimeoutError):
        invoker.invoke(function(slow), "m", "test")
    assert time.monotonic() - started < 1.0
    assert not finished.is_set()  # it runs on, abandoned: a thread cannot be stopped
    assert "Timeout value of 00:00:00.2000000 exceeded by function 'Functions.slow'" in caplog.text
    assert "Executed 'Functions.slow' (Failed" in caplog.text


def test_a_coroutine_past_the_timeout_is_cancelled() -> None:
    cancelled = threading.Event()

    async def slow(msg: str) -> None:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    invoker = Invoker(timeout=timedelta(milliseconds=200))
    try:
        with pytest.raises(FunctionTimeoutError):
            invoker.invoke(function(slow), "m", "test")
        assert cancelled.wait(2)
    finally:
        invoker.close()


def test_within_the_timeout_results_and_errors_come_back_unchanged() -> None:
    def echo(msg: str) -> str:
        return msg * 2

    def boom(msg: str) -> None:
        raise ValueError("no")

    async def later(msg: str) -> str:
        return msg.upper()

    invoker = Invoker(timeout=timedelta(seconds=5))
    try:
        assert invoker.invoke(function(echo), "ab", "test") == "abab"
        assert invoker.invoke(function(later), "ab", "test") == "AB"
        with pytest.raises(ValueError, match="no"):
            invoker.invoke(function(boom), "ab", "test")
        assert Invoker(timeout=None).invoke(function(echo), "x", "test") == "xx"
    finally:
        invoker.close()


def test_timespans_print_as_dotnet_does() -> None:
    assert format_timespan(timedelta(minutes=10)) == "00:10:00"
    assert format_timespan(timedelta(hours=1, seconds=5)) == "01:00:05"
    assert format_timespan(timedelta(milliseconds=1500)) == "00:00:01.5000000"
