"""`make run`: Azurite (data under .local/) plus the local functions host, stopped by Ctrl-C.

Every setting can be overridden from the environment; so can the ports
(FUNCTIONS_HTTP_PORT, AZURITE_BLOB_PORT, AZURITE_QUEUE_PORT, AZURITE_TABLE_PORT) and Azurite's
data folder (AZURITE_LOCATION).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tools.azurite_flags import COMMON_FLAGS
from tools.dev_keys import LOCAL_DIR, REPO_ROOT, ensure_dev_key, local_setting

AZURITE_BIN = REPO_ROOT / "node_modules" / ".bin" / "azurite"
ACCOUNT_KEY = (  # Azurite's well-known development key: public, not a secret
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


def _port(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def azurite_ports() -> tuple[int, int, int]:
    """Blob, queue and table ports of the Azurite `make run` starts (and `make outbox` reads)."""
    return (
        _port("AZURITE_BLOB_PORT", 10000),
        _port("AZURITE_QUEUE_PORT", 10001),
        _port("AZURITE_TABLE_PORT", 10002),
    )


def azurite_connection_string(blob: int, queue: int, table: int) -> str:
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


def _uses_own_issuer(dev_public_pem: str) -> bool:
    """True when the environment names an issuer whose tokens the dev key cannot sign."""
    if os.environ.get("AUTH_JWKS_URL", "").strip():
        return True
    configured = os.environ.get("AUTH_PUBLIC_KEY", "").strip()
    return bool(configured) and configured != dev_public_pem.strip()


def _demo_intake_url(env: dict[str, str]) -> str:
    """The demo partner's intake URL (its kept key, else a new one), with the host's settings."""
    seeded = subprocess.run(
        [sys.executable, "-m", "tools.demo_partner"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return seeded.stdout.strip().splitlines()[-1]


def _banner(base: str, intake_url: str, *, own_issuer: bool) -> str:
    if own_issuer:
        sign_in = ""
        # What the issuer's tokens must carry: without it a newcomer digs through the settings.
        issuer, audience = local_setting("AUTH_ISSUER"), local_setting("AUTH_AUDIENCE")
        tokens = (
            "  Tokens:              from your issuer (AUTH_PUBLIC_KEY / AUTH_JWKS_URL come from\n"
            "                       the environment); the dev sign-in is off, and `make token`\n"
            "                       signs with the local dev key, which this app refuses.\n"
            f"                       RS256, iss {issuer} (AUTH_ISSUER), aud {audience}\n"
            "                       (AUTH_AUDIENCE), exp, roles (e.g. Leads.Operator) and, for\n"
            "                       partner users, partner_id."
        )
        operator = "$OPERATOR_TOKEN"
    else:
        sign_in = "   (dev sign-in: partner contoso, any role)"
        tokens = "  Mint a token:        make token PARTNER=contoso ROLES=Referrals.Admin"
        operator = "$(make -s token ROLES=Leads.Operator)"
    return f"""
  Partner leads is running: {base}/api   (health: {base}/api/health)
  Partner UI:          {base}/api/ui/{sign_in}

{tokens}
  Create a partner:    curl -s -X POST {base}/api/ops/partners \\
                         -H "Authorization: Bearer {operator}" \\
                         -H 'Content-Type: application/json' \\
                         -d '{{"partnerId":"fabrikam","name":"Fabrikam"}}'
  Post a sample lead to the demo partner 'contoso' (its key is kept in .local/):
    curl -s -X POST '{intake_url}' \\
      -H 'Content-Type: application/json' -d @tools/sample_lead.json

  Ctrl-C stops the host and Azurite.
"""


def _host_environment(
    settings_file: Path, *, own_issuer: bool, storage: str, base: str
) -> dict[str, str]:
    env = dict(os.environ)
    if own_issuer:
        # Tokens signed with the dev key would be refused, so the dev sign-in stays off.
        env.setdefault("DEV_SIGN_IN_ENABLED", "false")
    else:
        private_pem, public_pem = ensure_dev_key()
        env.setdefault("AUTH_PUBLIC_KEY", public_pem)
        # The UI's dev sign-in (pick partner and role) signs with the same local key; the app
        # refuses it whenever it runs on the platform, and Azure never gets the key.
        env.setdefault("DEV_SIGN_IN_ENABLED", "true")
        env.setdefault("DEV_SIGNING_KEY", private_pem.decode())
    env.setdefault("AzureWebJobsStorage", storage)
    env.setdefault("PUBLIC_BASE_URL", base)
    for name, value in _settings_missing_from(settings_file).items():
        env.setdefault(name, value)
    return env


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
    own_issuer = _uses_own_issuer(ensure_dev_key()[1])
    settings_file = REPO_ROOT / "local.settings.json"
    if not settings_file.exists():
        settings_file.write_text((REPO_ROOT / "local.settings.example.json").read_text())
    http_port = _port("FUNCTIONS_HTTP_PORT", 7071)
    blob, queue, table = azurite_ports()
    base = f"http://localhost:{http_port}"
    env = _host_environment(
        settings_file,
        own_issuer=own_issuer,
        storage=azurite_connection_string(blob, queue, table),
        base=base,
    )
    env["FUNCTIONS_HTTP_PORT"] = str(http_port)

    data_dir = Path(os.environ.get("AZURITE_LOCATION") or LOCAL_DIR / "azurite")
    data_dir.mkdir(parents=True, exist_ok=True)
    with (LOCAL_DIR / "azurite.log").open("ab") as azurite_log:
        azurite = subprocess.Popen(
            [
                str(AZURITE_BIN),
                "--location",
                str(data_dir),
                *COMMON_FLAGS,
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
        # Ctrl-C stops everything, even when whatever started us ignores SIGINT (a child then
        # inherits the ignore, and Python keeps it): SIGINT and SIGTERM both end the wait below.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        if not _wait_for_health(f"{base}/api/health", timeout=60):
            print(f"{base}/api/health is not healthy: see the host log above.", file=sys.stderr)
        else:
            print(_banner(base, _demo_intake_url(env), own_issuer=own_issuer), flush=True)
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
