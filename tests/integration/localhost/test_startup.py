"""Start-up refusals and shutdown of the local host process."""

from __future__ import annotations

import base64
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.integration.localhost.support import (
    ADMIN_APP,
    HOST_JSON,
    SAMPLE_APP,
    SampleNames,
    queue,
    records,
    sample_env,
    start_sample_host,
    wait_for,
    write_script_root,
)
from tests.support.azurite import Azurite, free_port
from tools.localhost.process import REPO_ROOT


def run_host(app: str, root: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "tools.localhost",
        "--app",
        app,
        "--script-root",
        str(root),
        "--port",
        str(free_port()),
    ]
    return subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=30, check=False
    )


def test_a_route_starting_with_admin_is_refused(azurite: Azurite, tmp_path: Path) -> None:
    result = run_host(ADMIN_APP, write_script_root(tmp_path), sample_env(azurite, SampleNames()))
    assert result.returncode != 0
    assert (
        "Function 'admin_tools': The specified route conflicts with one or more built in routes."
        in result.stderr
    )
    assert "Host started" not in result.stdout


def test_overlapping_routes_are_refused_naming_both(azurite: Azurite, tmp_path: Path) -> None:
    app = "tests.integration.localhost.overlap_app:app"
    result = run_host(app, write_script_root(tmp_path), sample_env(azurite, SampleNames()))
    assert result.returncode != 0
    assert (
        "Functions 'get_thing' (DELETE,GET things/{thingId}) and 'recent_things' "
        "(GET things/recent) can both match one URL" in result.stderr
    )
    assert "Host started" not in result.stdout


def test_host_json_function_timeout_fails_a_slow_http_invocation_with_500(
    azurite: Azurite, tmp_path: Path
) -> None:
    root = write_script_root(tmp_path)
    (root / "host.json").write_text(
        json.dumps({**HOST_JSON, "functionTimeout": "00:00:01"}), encoding="utf-8"
    )
    host = start_sample_host(root, sample_env(azurite, SampleNames()))
    try:
        started = time.monotonic()
        response = requests.get(f"{host.base_url}/api/slow", timeout=10)
        assert (response.status_code, response.content) == (500, b"")
        assert time.monotonic() - started < 2.5
        assert "Timeout value of 00:00:01 exceeded by function 'Functions.slow_http'" in host.logs()
        assert requests.get(f"{host.base_url}/api/things/1", timeout=5).status_code == 200
    finally:
        host.stop()


def test_an_unset_setting_is_refused_by_name(azurite: Azurite, tmp_path: Path) -> None:
    env = sample_env(azurite, SampleNames())
    del env["SAMPLE_FAIL_QUEUE"]
    result = run_host(SAMPLE_APP, write_script_root(tmp_path), env)
    assert result.returncode != 0
    assert "'%SAMPLE_FAIL_QUEUE%' does not resolve to a value" in result.stderr
    assert "Host started" not in result.stdout


@pytest.mark.parametrize("count", ["0", "11", "two"])
def test_a_worker_process_count_out_of_range_is_refused_by_name(
    azurite: Azurite, tmp_path: Path, count: str
) -> None:
    env = sample_env(azurite, SampleNames(), FUNCTIONS_WORKER_PROCESS_COUNT=count)
    result = run_host(SAMPLE_APP, write_script_root(tmp_path), env)
    assert result.returncode == 1
    assert f"FUNCTIONS_WORKER_PROCESS_COUNT must be a whole number from 1 to 10, not '{count}'" in (
        result.stderr
    )
    assert "Host started" not in result.stdout


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_host_cleanly(
    azurite: Azurite, tmp_path: Path, signum: signal.Signals
) -> None:
    host = start_sample_host(write_script_root(tmp_path), sample_env(azurite, SampleNames()))
    try:
        response = requests.get(f"{host.base_url}/api/things/1", timeout=5)
        assert response.status_code == 200
        host.process.send_signal(signum)
        assert host.process.wait(timeout=5) == 0, host.logs()
        assert "Stopping the host." in host.logs()
    finally:
        host.stop()


def test_a_stuck_invocation_does_not_hold_up_shutdown(azurite: Azurite, tmp_path: Path) -> None:
    names = SampleNames()
    host = start_sample_host(write_script_root(tmp_path), sample_env(azurite, names))
    try:
        client = queue(azurite, names.slow_queue)
        client.create_queue()
        client.send_message(base64.b64encode(b"slow").decode())
        wait_for(lambda: records(azurite, names, "slow"), what="the slow function to start")
        started = time.monotonic()
        host.process.send_signal(signal.SIGTERM)
        assert host.process.wait(timeout=10) == 0, host.logs()
        assert time.monotonic() - started < 5
    finally:
        host.stop()
