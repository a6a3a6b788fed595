"""The queue listener in-process against Azurite: settings the shared host does not exercise."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import azure.functions as func
import pytest
from azure.core.exceptions import ResourceNotFoundError

from tests.integration.localhost.support import message_count, peek, queue, wait_for
from tests.support.azurite import Azurite
from tools.localhost.app_loader import FunctionDescription
from tools.localhost.host_config import QueueOptions
from tools.localhost.invoker import Invoker
from tools.localhost.queues import QueueListener

Listen = Callable[..., None]


@pytest.fixture
def listen(azurite: Azurite, unique_name: str) -> Iterator[Listen]:
    """Start a listener on `unique_name` for a function; stopped and joined at teardown."""
    stop = threading.Event()
    listeners: list[QueueListener] = []

    def start(
        user_function: Callable[[func.QueueMessage], None],
        options: QueueOptions,
        *,
        timeout: timedelta | None = None,
        running_visibility: timedelta = timedelta(minutes=10),
    ) -> None:
        binding = {"type": "queueTrigger", "name": "msg", "queueName": unique_name}
        listener = QueueListener(
            FunctionDescription("listener_test", [binding], user_function),
            queue_name=unique_name,
            connection_string=azurite.connection_string,
            options=options,
            invoker=Invoker(timeout=timeout),
            stop=stop,
            running_visibility=running_visibility,
        )
        listener.start()
        listeners.append(listener)

    yield start
    stop.set()
    for listener in listeners:
        listener.join(timeout=10)
        assert not listener.is_alive()


def send(azurite: Azurite, name: str, text: str) -> None:
    client = queue(azurite, name)
    client.create_queue()
    client.send_message(text)


def fail(msg: func.QueueMessage) -> None:
    raise RuntimeError("always fails")


FAST = timedelta(milliseconds=100)


def test_the_failure_on_the_last_attempt_poisons_at_once(
    azurite: Azurite, unique_name: str, listen: Listen
) -> None:
    # With a one-hour visibility timeout, only an immediate move can reach poison in time.
    options = QueueOptions(
        max_dequeue_count=1, visibility_timeout=timedelta(hours=1), max_polling_interval=FAST
    )
    send(azurite, unique_name, base64.b64encode(b"x").decode())
    listen(fail, options)
    wait_for(lambda: peek(azurite, f"{unique_name}-poison") == ["eA=="], timeout=5, what="poison")
    assert message_count(azurite, unique_name) == 0


def test_a_failed_attempt_is_hidden_for_the_visibility_timeout(
    azurite: Azurite, unique_name: str, listen: Listen
) -> None:
    attempts: list[int | None] = []

    def record_and_fail(msg: func.QueueMessage) -> None:
        attempts.append(msg.dequeue_count)
        raise RuntimeError("fails")

    options = QueueOptions(visibility_timeout=timedelta(hours=1), max_polling_interval=FAST)
    send(azurite, unique_name, base64.b64encode(b"x").decode())
    listen(record_and_fail, options)
    wait_for(lambda: attempts, timeout=5, what="the first attempt")
    time.sleep(0.5)
    assert attempts == [1]
    assert message_count(azurite, unique_name) == 1  # still there, only invisible
    assert peek(azurite, unique_name) == []


def test_message_encoding_none_passes_the_text_through_with_its_metadata(
    azurite: Azurite, unique_name: str, listen: Listen
) -> None:
    seen: list[dict[str, Any]] = []

    def record(msg: func.QueueMessage) -> None:
        seen.append(
            {
                "body": msg.get_body(),
                "dequeue_count": msg.dequeue_count,
                "has_id": bool(msg.id),
                "has_pop_receipt": bool(msg.pop_receipt),
                "has_insertion_time": msg.insertion_time is not None,
            }
        )

    options = QueueOptions(message_encoding="none", max_polling_interval=FAST)
    send(azurite, unique_name, "not base64 {json: true}")
    listen(record, options)
    wait_for(lambda: seen, timeout=5, what="the run")
    wait_for(lambda: message_count(azurite, unique_name) == 0, timeout=5, what="the delete")
    assert seen == [
        {
            "body": b"not base64 {json: true}",
            "dequeue_count": 1,
            "has_id": True,
            "has_pop_receipt": True,
            "has_insertion_time": True,
        }
    ]


def test_a_queue_that_does_not_exist_yet_is_polled_as_empty(
    azurite: Azurite, unique_name: str, listen: Listen
) -> None:
    seen: list[bytes] = []
    listen(lambda msg: seen.append(msg.get_body()), QueueOptions(max_polling_interval=FAST))
    time.sleep(0.3)  # the listener polls a missing queue without failing or creating it
    with pytest.raises(ResourceNotFoundError):
        queue(azurite, unique_name).get_queue_properties()
    send(azurite, unique_name, base64.b64encode(b"late").decode())
    wait_for(lambda: seen, timeout=5, what="the late message")
    assert seen == [b"late"]


def test_a_long_run_keeps_its_message_invisible_and_then_deletes_it(
    azurite: Azurite, unique_name: str, listen: Listen
) -> None:
    # Held for 2 s and renewed every second (the host: 10 minutes, renewed at 5).
    runs: list[int | None] = []
    finished = threading.Event()

    def long_run(msg: func.QueueMessage) -> None:
        runs.append(msg.dequeue_count)
        time.sleep(4.5)
        finished.set()

    send(azurite, unique_name, base64.b64encode(b"long").decode())
    listen(
        long_run, QueueOptions(max_polling_interval=FAST), running_visibility=timedelta(seconds=2)
    )
    wait_for(lambda: runs, timeout=5, what="the run")
    for _ in range(3):  # past the 2 s it was first held for, it is still invisible
        time.sleep(1.2)
        assert peek(azurite, unique_name) == []
    assert finished.wait(5)
    # Deleted with the pop receipt of the last renewal, and run once only.
    wait_for(lambda: message_count(azurite, unique_name) == 0, timeout=5, what="the delete")
    assert runs == [1]


def test_a_run_past_the_function_timeout_is_a_failed_attempt(
    azurite: Azurite, unique_name: str, listen: Listen
) -> None:
    runs: list[int | None] = []

    def too_slow(msg: func.QueueMessage) -> None:
        runs.append(msg.dequeue_count)
        time.sleep(6)

    options = QueueOptions(max_dequeue_count=1, max_polling_interval=FAST)
    send(azurite, unique_name, base64.b64encode(b"slow").decode())
    started = time.monotonic()
    listen(too_slow, options, timeout=timedelta(seconds=1))
    # The last attempt failed (timed out): to poison, long before the function would end.
    wait_for(lambda: peek(azurite, f"{unique_name}-poison"), timeout=5, what="poison")
    assert time.monotonic() - started < 4
    assert runs == [1]
    assert message_count(azurite, unique_name) == 0
