"""Queue triggers through the local host, with the Storage queue extension's semantics."""

from __future__ import annotations

import base64
import contextlib
import time
import uuid
from pathlib import Path

from azure.core.exceptions import ResourceExistsError

from tests.integration.localhost.support import (
    SampleHost,
    SampleNames,
    message_count,
    peek,
    queue,
    records,
    sample_env,
    start_sample_host,
    wait_for,
    write_script_root,
)
from tests.support.azurite import Azurite

MAX_DEQUEUE_COUNT = 5
SETTLE_SECONDS = 0.6  # several polling rounds (maxPollingInterval is 0.2 s in these tests)


def send(azurite: Azurite, name: str, text: str) -> str:
    """Put raw message text on a queue (creating it), as a publisher would; return its id."""
    client = queue(azurite, name)
    with contextlib.suppress(ResourceExistsError):
        client.create_queue()
    return str(client.send_message(text).id)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_a_message_is_processed_once_then_deleted(sample_host: SampleHost) -> None:
    azurite, names = sample_host.azurite, sample_host.names
    body = f"lead-{uuid.uuid4().hex} jane.doe@example.com"
    message_id = send(azurite, names.ok_queue, b64(body))

    def seen() -> list[dict[str, object]]:
        return [r for r in records(azurite, names, "ok") if r["id"] == message_id]

    wait_for(seen, what="the ok function to run")
    wait_for(lambda: message_count(azurite, names.ok_queue) == 0, what="the delete")
    time.sleep(SETTLE_SECONDS)
    assert seen() == [{"id": message_id, "dequeue_count": 1, "body": body}]
    assert message_count(azurite, names.ok_queue) == 0
    assert peek(azurite, f"{names.ok_queue}-poison") == []
    assert body not in sample_host.process.logs()  # message bodies carry personal data


def test_a_failing_message_is_tried_five_times_then_poisoned(sample_host: SampleHost) -> None:
    azurite, names = sample_host.azurite, sample_host.names
    original = b64(f"doomed-{uuid.uuid4().hex}")
    message_id = send(azurite, names.fail_queue, original)
    poison = f"{names.fail_queue}-poison"

    wait_for(lambda: original in peek(azurite, poison), what="the poison copy")
    time.sleep(SETTLE_SECONDS)  # a sixth attempt, if any, would show up now
    attempts = [
        r["dequeue_count"] for r in records(azurite, names, "fail") if r["id"] == message_id
    ]
    assert attempts == [1, 2, 3, 4, 5]
    assert message_count(azurite, names.fail_queue) == 0
    poisoned = queue(azurite, poison).peek_messages(max_messages=32)
    copy = next(message for message in poisoned if message.content == original)
    assert copy.id != message_id  # a new message, not a move
    assert copy.dequeue_count == 0
    logs = sample_host.process.logs()
    assert f"Moving message to queue '{poison}'" in logs
    assert logs.count("Executed 'Functions.sample_fail' (Failed") >= MAX_DEQUEUE_COUNT


def test_a_message_that_is_not_base64_fails_every_attempt(sample_host: SampleHost) -> None:
    azurite, names = sample_host.azurite, sample_host.names
    not_base64 = f"plain text {uuid.uuid4().hex}!"
    send(azurite, names.ok_queue, not_base64)
    wait_for(
        lambda: not_base64 in peek(azurite, f"{names.ok_queue}-poison"), what="the poison copy"
    )
    assert all(record["body"] != not_base64 for record in records(azurite, names, "ok"))
    assert sample_host.process.logs().count("is not valid base64") == MAX_DEQUEUE_COUNT


def test_a_message_past_the_max_dequeue_count_is_poisoned_without_a_run(
    azurite: Azurite, tmp_path: Path
) -> None:
    names = SampleNames()
    original = b64("worn out")
    send(azurite, names.ok_queue, original)
    client = queue(azurite, names.ok_queue)
    for _ in range(MAX_DEQUEUE_COUNT):  # the host's own receive then makes the count 6
        (message,) = list(client.receive_messages(max_messages=1, visibility_timeout=30))
        client.update_message(message.id, pop_receipt=message.pop_receipt, visibility_timeout=0)
    host = start_sample_host(write_script_root(tmp_path), sample_env(azurite, names))
    try:
        wait_for(lambda: peek(azurite, f"{names.ok_queue}-poison") == [original], what="poison")
        time.sleep(SETTLE_SECONDS)
        assert records(azurite, names, "ok") == []
        assert message_count(azurite, names.ok_queue) == 0
        assert "Executing 'Functions.sample_ok'" not in host.logs()
    finally:
        assert host.stop() == 0, host.logs()
