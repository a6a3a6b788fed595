"""The queue function's contract with the host: its binding, host.json, malformed messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from azure.functions.queue import QueueMessage

from functions.queues import process_notification
from shared.config import Settings
from shared.domain.errors import InvalidInput
from tests.unit.test_infra import function_jsons

REPO = Path(__file__).resolve().parents[2]


def test_the_settings_last_attempt_is_host_json_max_dequeue_count() -> None:
    host = json.loads((REPO / "host.json").read_text())
    default = Settings.model_fields["queue_max_dequeue_count"].default
    assert host["extensions"]["queues"]["maxDequeueCount"] == default
    assert host["extensions"]["queues"]["messageEncoding"] == "base64"


def test_the_function_listens_on_the_notifications_queue_setting() -> None:
    (trigger,) = [
        binding
        for text in function_jsons()  # the app as the host indexes it (test_infra.py)
        for binding in json.loads(text)["bindings"]
        if binding["type"] == "queueTrigger" and "NOTIFICATIONS" in binding["queueName"]
    ]
    assert trigger["name"] == "msg"
    assert trigger["queueName"] == "%NOTIFICATIONS_QUEUE%"
    assert trigger["connection"] == "AzureWebJobsStorage"


@pytest.mark.parametrize(
    "body", [b"not json", b'{"kind": "NewLead"}', b'{"id":"x","kind":"Spam","partnerId":"p"}']
)
def test_a_malformed_message_raises_without_quoting_it(body: bytes) -> None:
    message = QueueMessage(id="m-1", body=body + b' "mia@fabrikam.example"', dequeue_count=1)  # type: ignore[no-untyped-call]
    with pytest.raises(InvalidInput) as raised:
        process_notification.build().get_user_function()(message)
    assert "mia@" not in str(raised.value)
    assert raised.value.__cause__ is None
