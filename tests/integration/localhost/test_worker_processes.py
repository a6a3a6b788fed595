"""`FUNCTIONS_WORKER_PROCESS_COUNT`: more processes serve HTTP; the host alone runs timers and
queue listeners; the worker processes stop with the host, even a killed one."""

from __future__ import annotations

import base64
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.integration.localhost.support import (
    SAMPLE_APP,
    SampleNames,
    queue,
    records,
    sample_env,
    serving,
    start_sample_host,
    wait_for,
    write_script_root,
)
from tests.support.azurite import Azurite, free_port
from tools.localhost.process import REPO_ROOT, HostProcess

_CONNECTIONS = 200  # each a new connection: the kernel may hand any of them to any process


def two_workers(azurite: Azurite) -> tuple[SampleNames, dict[str, str]]:
    """Names of its own, and the settings of a host with one extra worker process."""
    names = SampleNames()
    return names, sample_env(azurite, names, FUNCTIONS_WORKER_PROCESS_COUNT="2")


def worker_pids(host: HostProcess) -> list[int]:
    """The extra worker processes, as the host announced them."""
    found = re.search(r"HTTP is served by \d+ worker processes \(pids ([\d, ]+)\)", host.logs())
    assert found, host.logs()
    pids = [int(pid) for pid in found.group(1).split(", ")]
    assert pids[0] == host.process.pid
    return pids[1:]


def serving_pids(base_url: str) -> set[int]:
    seen: set[int] = set()
    for _ in range(_CONNECTIONS):
        answer = requests.get(f"{base_url}/api/process", headers={"Connection": "close"}, timeout=5)
        assert answer.status_code == 200
        seen.add(answer.json()["pid"])
    return seen


def is_running(pid: int) -> bool:
    """Alive and not a zombie left for a parent to reap."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in {"Z", "X"}


def test_http_is_served_by_every_worker_process(azurite: Azurite, tmp_path: Path) -> None:
    names = SampleNames()
    root = write_script_root(tmp_path, local_values={"FUNCTIONS_WORKER_PROCESS_COUNT": "3"})
    with serving(azurite, root, sample_env(azurite, names), names) as host:
        extra = worker_pids(host.process)
        assert len(extra) == 2
        assert serving_pids(host.process.base_url) == {host.process.process.pid, *extra}


def test_timers_and_queue_triggers_run_in_the_host_process_only(
    azurite: Azurite, tmp_path: Path
) -> None:
    names, env = two_workers(azurite)
    with serving(azurite, write_script_root(tmp_path), env, names) as host:
        client = queue(azurite, names.ok_queue)
        client.create_queue()
        for number in range(3):
            client.send_message(base64.b64encode(f"message {number}".encode()).decode())

        def both_ran() -> list[dict[str, object]] | None:
            found = records(azurite, names, "process")
            kinds = [record["trigger"] for record in found]
            return found if kinds.count("queue") == 3 and "timer" in kinds else None

        ran = wait_for(both_ran, 30, "three queue runs and a timer run")
        assert {record["pid"] for record in ran} == {host.process.process.pid}


def test_stopping_the_host_stops_its_worker_processes_and_frees_the_port(
    azurite: Azurite, tmp_path: Path
) -> None:
    _, env = two_workers(azurite)
    host = start_sample_host(write_script_root(tmp_path), env)
    try:
        (worker,) = worker_pids(host)
        host.process.send_signal(signal.SIGTERM)
        assert host.process.wait(timeout=15) == 0, host.logs()
        assert not is_running(worker)
        with socket.create_server(("127.0.0.1", host.port)):
            pass  # nobody holds the port any more
    finally:
        host.stop()


def test_worker_processes_stop_when_the_host_is_killed(azurite: Azurite, tmp_path: Path) -> None:
    _, env = two_workers(azurite)
    host = start_sample_host(write_script_root(tmp_path), env)
    workers: list[int] = []
    try:
        workers = worker_pids(host)
        host.process.kill()
        host.process.wait(timeout=5)
        wait_for(
            lambda: not any(is_running(worker) for worker in workers),
            30,
            "the orphaned workers to stop",
        )
    finally:
        host.stop()
        for worker in workers:
            if is_running(worker):
                os.kill(worker, signal.SIGKILL)


def test_a_worker_process_that_dies_is_replaced_and_serving_goes_on(
    azurite: Azurite, tmp_path: Path
) -> None:
    names, env = two_workers(azurite)
    with serving(azurite, write_script_root(tmp_path), env, names) as host:
        (worker,) = worker_pids(host.process)
        os.kill(worker, signal.SIGKILL)
        line = wait_for(
            lambda: re.search(
                rf"Worker process {worker} exited with -9; started another \(pid (\d+)\)",
                host.process.logs(),
            ),
            30,
            "the replacement",
        )
        replacement = int(line.group(1))
        assert is_running(replacement)
        assert serving_pids(host.process.base_url) == {host.process.process.pid, replacement}


def test_a_replacement_that_cannot_start_is_given_up_and_the_host_serves_on(
    azurite: Azurite, tmp_path: Path
) -> None:
    names, env = two_workers(azurite)
    root = write_script_root(tmp_path)
    with serving(azurite, root, env, names) as host:
        (worker,) = worker_pids(host.process)
        (root / "host.json").write_text("{ not json", encoding="utf-8")  # a new worker refuses
        os.kill(worker, signal.SIGKILL)
        gave_up = "exited with 1; HTTP is served by the remaining processes"
        wait_for(lambda: gave_up in host.process.logs(), 30, "the failed replacement")
        time.sleep(2)  # several supervision ticks: no second attempt
        assert host.process.logs().count(gave_up) == 1
        assert serving_pids(host.process.base_url) == {host.process.process.pid}


def test_a_stop_while_the_workers_start_is_a_clean_stop(azurite: Azurite, tmp_path: Path) -> None:
    """SIGTERM between the function list and "Host started": exit 0, and no worker left
    holding the port (a worker has it from the moment it is spawned)."""
    root = write_script_root(tmp_path)
    names = SampleNames()
    env = sample_env(azurite, names, FUNCTIONS_WORKER_PROCESS_COUNT="3")
    port = free_port()
    log = tmp_path / "host.log"
    command = [sys.executable, "-m", "tools.localhost", "--app", SAMPLE_APP]
    command += ["--script-root", str(root), "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out, stderr=out)
    try:
        wait_for(lambda: "Functions:" in log.read_text(), 30, "the function list")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, log.read_text()
        assert "Host started" not in log.read_text()
        wait_for(lambda: _port_free(port), 15, "every worker to let go of the port")
    finally:
        if process.poll() is None:
            process.kill()


def _port_free(port: int) -> bool:
    try:
        with socket.create_server(("127.0.0.1", port)):
            return True
    except OSError:
        return False
