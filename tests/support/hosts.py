"""Run `function_app:app` under the local host for a test, and stop it cleanly afterwards."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.azurite import free_port
from tools.localhost.process import HostProcess, start_host_process

# host.json for tests that wait on queues: retry at once and poll often, so a run of five
# attempts takes a second, not minutes. Everything else as in the repository's host.json.
FAST_HOST_JSON: dict[str, Any] = {
    "version": "2.0",
    "extensions": {
        "http": {"routePrefix": "api"},
        "queues": {
            "maxDequeueCount": 5,
            "visibilityTimeout": "00:00:00",
            "maxPollingInterval": "00:00:00.2",
            "messageEncoding": "base64",
            "batchSize": 16,
        },
    },
}


def isolated_env(base: Mapping[str, str], tag: str) -> dict[str, str]:
    """`base` for a host of its own beside others on one Azurite: its own tables, queues and
    host id, and no function disabled. Hosts sharing a queue would take each other's messages
    (a delivery or a work order that the other host's tables know nothing of)."""
    env = {key: value for key, value in base.items() if not key.startswith("AzureWebJobs.")}
    env.update(
        STORAGE_PREFIX=tag,
        NOTIFICATIONS_QUEUE=f"notify-{tag}",
        DELIVERIES_QUEUE=f"deliveries-{tag}",
        WORK_QUEUE=f"work-{tag}",
        WEBHOOK_DELIVERIES_QUEUE=f"webhooks-{tag}",
        AzureFunctionsWebHost__hostid=f"host-{tag}",
    )
    return env


@contextmanager
def running_host(
    env: Mapping[str, str], workdir: Path, *, fast_queues: bool = False
) -> Iterator[HostProcess]:
    """A host seeing only `env` (plus what Python needs); its log in `workdir`.

    It must stop cleanly at the end: a host that does not is a bug the test reports.
    """
    runtime = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    script_root: Path | str = "."
    if fast_queues:
        (workdir / "host.json").write_text(json.dumps(FAST_HOST_JSON), encoding="utf-8")
        script_root = workdir
    host = start_host_process(
        port=free_port(),
        log_path=workdir / "host.log",
        env={**runtime, **env},
        script_root=script_root,
    )
    try:
        yield host
    finally:
        code = host.stop()
    assert code == 0, f"the host did not stop cleanly ({code}):\n{host.logs()}"
