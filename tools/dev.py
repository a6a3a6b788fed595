"""`make run`: Azurite (data under .local/) plus the local functions host, stopped by Ctrl-C.

Every setting can be overridden from the environment; so can the ports
(FUNCTIONS_HTTP_PORT, AZURITE_BLOB_PORT, AZURITE_QUEUE_PORT, AZURITE_TABLE_PORT).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tools.dev_keys import LOCAL_DIR, REPO_ROOT, ensure_dev_key, local_setting
from tools.token import mint_token

AZURITE_BIN = REPO_ROOT / "node_modules" / ".bin" / "azurite"
ACCOUNT_KEY = (  # Azurite's well-known development key: public, not a secret
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
DEMO_PARTNER: dict[str, object] = {
    "partnerId": "contoso",
    "name": "Contoso Ltd",
    "contacts": [{"name": "Contoso sales desk", "email": "sales@contoso.example"}],
    "timeZone": "Europe/London",
}


def _port(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _azurite_connection_string(blob: int, queue: int, table: int) -> str:
    account = "devstoreaccount1"
    return (
        f"DefaultEndpointsProtocol=http;AccountName={account};AccountKey={ACCOUNT_KEY};"
        f"BlobEndpoint=http://127.0.0.1:{blob}/{account};"
        f"QueueEndpoint=http://127.0.0.1:{queue}/{account};"
        f"TableEndpoint=http://127.0.0.1:{table}/{account};"
    )


def _wait_for_port(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False


def _wait_for_health(url: str, timeout: float) -> bool:
    """True once the app answers 200: storage reachable, settings complete."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310  # our own localhost URL
                return True
        except OSError:  # includes HTTPError: not healthy yet
            time.sleep(0.3)
    return False


def _post(url: str, token: str, body: dict[str, object] | None = None) -> dict[str, object]:
    request = urllib.request.Request(  # noqa: S310  # our own localhost URL
        url,
        data=json.dumps(body or {}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        result: dict[str, object] = json.loads(response.read())
        return result


def _demo_intake_url(base: str, operator_token: str) -> str:
    """Register the demo partner, or rotate its key if it exists: only hashes are stored."""
    try:
        credentials = _post(f"{base}/api/ops/partners", operator_token, DEMO_PARTNER)
    except urllib.error.HTTPError as error:
        if error.code != 409:
            raise
        credentials = _post(f"{base}/api/ops/partners/contoso/intake-key", operator_token)
    return str(credentials["intakeUrl"])


def _banner(base: str, intake_url: str) -> str:
    return f"""
  Partner leads is running: {base}/api   (health: {base}/api/health)
  Partner UI:          {base}/api/ui/   (dev sign-in: partner contoso, any role)

  Mint a token:        make token PARTNER=contoso ROLES=Referrals.Admin
  Create a partner:    curl -s -X POST {base}/api/ops/partners \\
                         -H "Authorization: Bearer $(make -s token ROLES=Leads.Operator)" \\
                         -H 'Content-Type: application/json' \\
                         -d '{{"partnerId":"fabrikam","name":"Fabrikam"}}'
  Post a sample lead to the demo partner 'contoso' (its key was just issued):
    curl -s -X POST '{intake_url}' \\
      -H 'Content-Type: application/json' -d @tools/sample_lead.json

  Ctrl-C stops the host and Azurite.
"""


def _settings_missing_from(settings_file: Path) -> dict[str, str]:
    """Settings the example has and the developer's own local.settings.json lacks.

    A local.settings.json made before a new setting existed would make the host refuse to start
    (an unset %SETTING%); the example's value fills the gap without touching the user's file.
    """
    example = json.loads((REPO_ROOT / "local.settings.example.json").read_text())["Values"]
    own = json.loads(settings_file.read_text()).get("Values", {})
    return {name: str(value) for name, value in example.items() if name not in own}


def main() -> int:
    if not AZURITE_BIN.exists():
        print("Azurite is missing: run `npm ci` (make setup).", file=sys.stderr)
        return 1
    private_pem, public_pem = ensure_dev_key()
    settings_file = REPO_ROOT / "local.settings.json"
    if not settings_file.exists():
        settings_file.write_text((REPO_ROOT / "local.settings.example.json").read_text())
    http_port = _port("FUNCTIONS_HTTP_PORT", 7071)
    blob, queue, table = (
        _port("AZURITE_BLOB_PORT", 10000),
        _port("AZURITE_QUEUE_PORT", 10001),
        _port("AZURITE_TABLE_PORT", 10002),
    )
    base = f"http://localhost:{http_port}"
    env = dict(os.environ)
    env.setdefault("AUTH_PUBLIC_KEY", public_pem)
    # The UI's dev sign-in (pick partner and role) signs with the same local key; the app refuses
    # it whenever it runs on the platform, and Azure never gets the key.
    env.setdefault("DEV_SIGN_IN_ENABLED", "true")
    env.setdefault("DEV_SIGNING_KEY", private_pem.decode())
    env.setdefault("AzureWebJobsStorage", _azurite_connection_string(blob, queue, table))
    env.setdefault("PUBLIC_BASE_URL", base)
    env["FUNCTIONS_HTTP_PORT"] = str(http_port)
    for name, value in _settings_missing_from(settings_file).items():
        env.setdefault(name, value)

    data_dir = LOCAL_DIR / "azurite"
    data_dir.mkdir(parents=True, exist_ok=True)
    with (LOCAL_DIR / "azurite.log").open("ab") as azurite_log:
        azurite = subprocess.Popen(
            [
                str(AZURITE_BIN),
                "--location",
                str(data_dir),
                "--skipApiVersionCheck",
                "--loose",
                "--disableTelemetry",
                "--blobPort",
                str(blob),
                "--queuePort",
                str(queue),
                "--tablePort",
                str(table),
            ],
            stdout=azurite_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    if not all(_wait_for_port(port, timeout=30) for port in (blob, queue, table)):
        azurite.terminate()
        print("Azurite did not start: see .local/azurite.log", file=sys.stderr)
        return 1
    host = subprocess.Popen(
        [sys.executable, "-m", "tools.localhost", "--port", str(http_port)],
        cwd=REPO_ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        if not _wait_for_health(f"{base}/api/health", timeout=60):
            print(f"{base}/api/health is not healthy: see the host log above.", file=sys.stderr)
        else:
            operator = mint_token(
                private_key_pem=ensure_dev_key()[0],
                issuer=env.get("AUTH_ISSUER") or local_setting("AUTH_ISSUER") or "",
                audience=env.get("AUTH_AUDIENCE") or local_setting("AUTH_AUDIENCE") or "",
                roles=["Leads.Operator"],
            )
            print(_banner(base, _demo_intake_url(base, operator)), flush=True)
        return host.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for process in (host, azurite):
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in (host, azurite):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        print("Stopped the host and Azurite.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
