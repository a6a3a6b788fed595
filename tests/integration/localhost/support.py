"""Start the local host on the sample app against Azurite, and observe what it did."""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from azure.core.exceptions import ResourceNotFoundError
from azure.storage.queue import QueueClient

from tests.support.azurite import Azurite, free_port
from tools.localhost.process import HostProcess, start_host_process

SAMPLE_APP = "tests.integration.localhost.sample_app:app"
ADMIN_APP = "tests.integration.localhost.admin_app:app"
# Fast, immediate retries so poison handling takes well under a second.
HOST_JSON: dict[str, Any] = {
    "version": "2.0",
    "extensions": {
        "http": {"routePrefix": "api"},
        "queues": {"visibilityTimeout": "00:00:00", "maxPollingInterval": "00:00:00.2"},
    },
}
T = TypeVar("T")


def short_id() -> str:
    return "t" + uuid.uuid4().hex[:12]


@dataclass
class SampleNames:
    """Unique queue names and host id, so hosts sharing one Azurite never see each other."""

    prefix: str = field(default_factory=short_id)

    @property
    def ok_queue(self) -> str:
        return f"{self.prefix}-ok-in"

    @property
    def fail_queue(self) -> str:
        return f"{self.prefix}-fail-in"

    @property
    def slow_queue(self) -> str:
        return f"{self.prefix}-slow-in"

    @property
    def host_id(self) -> str:
        return f"{self.prefix}-host"


@dataclass
class SampleHost:
    """A running host on the sample app, its names, and the Azurite it talks to."""

    process: HostProcess
    names: SampleNames
    azurite: Azurite

    @property
    def api(self) -> str:
        return f"{self.process.base_url}/api"


def sample_env(azurite: Azurite, names: SampleNames, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMPLE_", "AzureWebJobs"))}
    env.update(
        AzureWebJobsStorage=azurite.connection_string,
        AzureFunctionsWebHost__hostid=names.host_id,
        SAMPLE_TIMER_SCHEDULE="*/1 * * * * *",
        SAMPLE_OK_QUEUE=names.ok_queue,
        SAMPLE_FAIL_QUEUE=names.fail_queue,
        SAMPLE_SLOW_QUEUE=names.slow_queue,
        SAMPLE_RECORD_PREFIX=names.prefix,
    )
    env.update(overrides)
    return env


def write_script_root(root: Path, local_values: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "host.json").write_text(json.dumps(HOST_JSON), encoding="utf-8")
    if local_values is not None:
        document = {"IsEncrypted": False, "Values": local_values}
        (root / "local.settings.json").write_text(json.dumps(document), encoding="utf-8")
    return root


def start_sample_host(root: Path, env: dict[str, str], app: str = SAMPLE_APP) -> HostProcess:
    return start_host_process(
        port=free_port(), log_path=root / "host.log", env=env, app=app, script_root=root
    )


@contextlib.contextmanager
def serving(
    azurite: Azurite, root: Path, env: dict[str, str], names: SampleNames, app: str = SAMPLE_APP
) -> Iterator[SampleHost]:
    """A host on `app` for the block; it must then stop cleanly."""
    process = start_sample_host(root, env, app)
    try:
        yield SampleHost(process=process, names=names, azurite=azurite)
    finally:
        code = process.stop()
    assert code == 0, f"the host did not exit cleanly ({code}):\n{process.logs()}"


def wait_for(probe: Callable[[], T | None], timeout: float = 10.0, what: str = "it") -> T:
    """Poll `probe` until it returns something truthy; fail the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def queue(azurite: Azurite, name: str) -> QueueClient:
    return QueueClient.from_connection_string(azurite.connection_string, name)


def peek(azurite: Azurite, name: str) -> list[str]:
    """The visible messages' raw text (up to 32); a missing queue is empty."""
    try:
        messages = queue(azurite, name).peek_messages(max_messages=32)
    except ResourceNotFoundError:
        return []
    return [str(message.content) for message in messages]


def records(azurite: Azurite, names: SampleNames, kind: str) -> list[dict[str, Any]]:
    """What the sample app's `kind` function recorded (timer, ok or fail)."""
    return [json.loads(text) for text in peek(azurite, f"{names.prefix}-{kind}")]


def message_count(azurite: Azurite, name: str) -> int:
    """Every message in the queue, visible or not (peek alone would miss running ones)."""
    try:
        count = queue(azurite, name).get_queue_properties().approximate_message_count
    except ResourceNotFoundError:
        return 0
    return int(count or 0)
