"""The README's examples, run as written against a host on non-default ports.

Every fenced bash block that talks to the API (it names `$BASE`) runs in ONE bash, in README
order, with the four port variables set to free ports. curl is made to fail on an HTTP error
(`--fail-with-body`), so an example that stopped working fails here. `make` runs the Makefile's
own targets, only without reinstalling the environment the tests already run in.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.config import Settings, env_name
from tests.support.azurite import REPO_ROOT, Azurite, free_port
from tests.support.hosts import FAST_HOST_JSON
from tools.dev_keys import ensure_dev_key
from tools.localhost.process import HostProcess, start_host_process

README = REPO_ROOT / "README.md"
EMAILS = REPO_ROOT / ".local" / "emails"
PRELUDE = """set -euo pipefail
curl() { command curl --fail-with-body --max-time 30 "$@"; }
make() { command make -o .venv/.installed "$@"; }
"""
# Emails leave through the queue a moment after the request that caused them.
WAIT_FOR_EMAIL = """for _ in $(seq 1 100); do
  make -s outbox LAST=1 | grep -q '^To:' && break; sleep 0.3
done
"""


def api_examples(readme: str) -> list[str]:
    blocks = re.findall(r"^```bash\n(.*?)^```", readme, flags=re.MULTILINE | re.DOTALL)
    return [block for block in blocks if "$BASE" in block or "make outbox" in block]


@pytest.fixture
def readme_host(azurite: Azurite, tmp_path: Path) -> Iterator[tuple[HostProcess, dict[str, str]]]:
    """A host as `make run` starts it, on a free port, trusting the local dev key."""
    port, suffix = free_port(), uuid.uuid4().hex[:8]
    example = json.loads((REPO_ROOT / "local.settings.example.json").read_text())["Values"]
    queues = {
        env_name(name): f"{info.default}-{suffix}"
        for name, info in Settings.model_fields.items()
        if name.endswith("_queue")
    }
    env = {
        **{key: str(value) for key, value in example.items()},
        **queues,
        "AzureWebJobsStorage": azurite.connection_string,
        "STORAGE_PREFIX": f"r{suffix}",
        "AUTH_PUBLIC_KEY": ensure_dev_key()[1],
        "PUBLIC_BASE_URL": f"http://localhost:{port}",
    }
    (tmp_path / "host.json").write_text(json.dumps(FAST_HOST_JSON), encoding="utf-8")
    runtime = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    host = start_host_process(
        port=port, log_path=tmp_path / "host.log", env={**runtime, **env}, script_root=tmp_path
    )
    try:
        yield host, env
    finally:
        assert host.stop() == 0, host.logs()


def test_the_readme_examples_work_on_the_environments_ports(
    readme_host: tuple[HostProcess, dict[str, str]], azurite: Azurite
) -> None:
    host, env = readme_host
    examples = api_examples(README.read_text(encoding="utf-8"))
    assert len(examples) >= 7, "the README lost its examples"
    assert any("/referrals" in block for block in examples)
    script = PRELUDE + "\n".join(
        (WAIT_FOR_EMAIL if "make outbox" in block else "") + block for block in examples
    )
    before = set(EMAILS.glob("*.html")) if EMAILS.exists() else set()
    shell_env = {
        **{key: value for key, value in os.environ.items() if key not in env},
        "FUNCTIONS_HTTP_PORT": str(host.base_url.rsplit(":", 1)[1]),
        "AZURITE_BLOB_PORT": str(azurite.blob_port),
        "AZURITE_QUEUE_PORT": str(azurite.queue_port),
        "AZURITE_TABLE_PORT": str(azurite.table_port),
        "STORAGE_PREFIX": env["STORAGE_PREFIX"],
    }
    shell_env.pop("AzureWebJobsStorage", None)  # `make outbox` finds Azurite by its ports
    ran = subprocess.run(
        ["bash", "-c", script],
        cwd=REPO_ROOT,
        env=shell_env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    output = ran.stdout + ran.stderr
    assert ran.returncode == 0, f"{output}\n--- host log ---\n{host.logs()[-3000:]}"
    assert '"status":"Received"' in output.replace(" ", "")  # the marketplace lead
    assert '"leadId"' in output  # the referral
    assert '"imported":2' in output.replace(" ", "")  # the Partner Center backfill
    assert "To:      ana@fabrikam.com" in output  # make outbox, on the same ports
    written = set(EMAILS.glob("*.html")) - before
    assert written, "make outbox HTML=.local/emails wrote no HTML"
    for path in written:
        assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
        path.unlink()
