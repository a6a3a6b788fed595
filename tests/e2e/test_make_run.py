"""`make run` as a newcomer meets it: other ports, and the environment's own token issuer."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.support.auth import AUDIENCE, ISSUER, key_pair
from tests.support.azurite import REPO_ROOT, free_port
from tools.token import mint_token

SAMPLE_LEAD = json.loads((REPO_ROOT / "tools" / "sample_lead.json").read_text())


@pytest.fixture
def dev_run(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str, int]]:
    """`python -m tools.dev` (what `make run` runs) on free ports, trusting an outside issuer."""
    with _started(_dev_env(tmp_path)) as run:
        yield run


def _dev_env(tmp_path: Path) -> dict[str, str]:
    http_port = free_port()
    return {
        **os.environ,
        "FUNCTIONS_HTTP_PORT": str(http_port),
        "AZURITE_BLOB_PORT": str(free_port()),
        "AZURITE_QUEUE_PORT": str(free_port()),
        "AZURITE_TABLE_PORT": str(free_port()),
        "AZURITE_LOCATION": str(tmp_path / "azurite"),
        "AUTH_PUBLIC_KEY": key_pair("outside-issuer").public_pem,
        "AUTH_ISSUER": ISSUER,
        "AUTH_AUDIENCE": AUDIENCE,
        # The demo key is kept here rather than in the developer's own .local/.
        "DEMO_INTAKE_KEY_FILE": str(tmp_path / "demo-intake-key"),
    }


def _read_to_end(process: subprocess.Popen[str]) -> None:
    if process.stdout is not None:
        for _ in process.stdout:
            pass


@contextmanager
def _started(env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[str], str, int]]:
    http_port = int(env["FUNCTIONS_HTTP_PORT"])
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.dev"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        intake_url = _wait_for_intake_url(process, timeout=120)
        # Keep reading what it prints: the host writes its log to the same pipe, and a full
        # pipe would stall it (and its stop) mid-log.
        drain = threading.Thread(target=_read_to_end, args=(process,), daemon=True)
        drain.start()
        yield process, intake_url, http_port
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise


def _wait_for_intake_url(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    for line in process.stdout:
        seen.append(line)
        found = re.search(r"'(http://\S+/api/intake/contoso/marketplace\?key=\S+)'", line)
        if found:
            return found.group(1)
        if time.monotonic() > deadline:
            break
    raise AssertionError("make run printed no intake URL:\n" + "".join(seen[-40:]))


def test_make_run_works_with_the_environments_own_issuer(
    dev_run: tuple[subprocess.Popen[str], str, int],
) -> None:
    process, intake_url, http_port = dev_run
    base = f"http://localhost:{http_port}/api"
    assert f":{http_port}/" in intake_url

    posted = requests.post(intake_url, json=SAMPLE_LEAD, timeout=30)
    assert posted.status_code == 200, posted.text

    token = mint_token(
        private_key_pem=key_pair("outside-issuer").private_pem,
        issuer=ISSUER,
        audience=AUDIENCE,
        roles=["Referrals.Admin"],
        partner_id="contoso",
        user_id="newcomer",
        name="New Comer",
        email="newcomer@contoso.example",
    )
    # Acknowledged once journaled; the queue-triggered processing lands it a moment later.
    deadline = time.monotonic() + 30
    while True:
        listed = requests.get(
            f"{base}/leads", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        assert listed.status_code == 200, listed.text
        if listed.json()["items"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(listed.json()["items"]) == 1

    # The dev sign-in would mint tokens this app refuses, so it is off.
    sign_in = requests.post(
        f"{base}/dev-sign-in",
        json={"partnerId": "contoso", "roles": ["Referrals.Admin"]},
        timeout=30,
    )
    assert sign_in.status_code == 404

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0


def test_make_run_keeps_the_demo_intake_url_across_restarts(tmp_path: Path) -> None:
    env = _dev_env(tmp_path)
    with _started(env) as (process, first_url, _):
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
    key_file = tmp_path / "demo-intake-key"
    assert key_file.stat().st_mode & 0o077 == 0  # the owner's only
    assert key_file.read_text().strip() in first_url

    with _started(env) as (process, second_url, _):
        assert second_url == first_url  # the URL saved from the first run
        posted = requests.post(first_url, json=SAMPLE_LEAD, timeout=30)
        assert posted.status_code == 200, posted.text

    key_file.write_text("a-key-that-no-longer-works\n")  # e.g. rotated by an operator
    with _started(env) as (process, third_url, _):
        assert third_url != first_url
        assert requests.post(third_url, json=SAMPLE_LEAD, timeout=30).status_code == 200
        assert requests.post(first_url, json=SAMPLE_LEAD, timeout=30).status_code == 401
    assert key_file.read_text().strip() in third_url
