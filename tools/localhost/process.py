"""Start the local host as a child process and stop it cleanly: for test fixtures and scripts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
READY_LINE = "Host started."


class HostProcessError(RuntimeError):
    """The host exited or did not become ready; the message carries its log."""


@dataclass
class HostProcess:
    """A running `python -m tools.localhost`; stdout and stderr both go to `log_path`."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def logs(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, then wait; kill only if it hangs. Returns the exit code (0 = clean)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start_host_process(
    *,
    port: int,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    app: str = "function_app:app",
    script_root: Path | str = ".",
    cwd: Path = REPO_ROOT,
    ready_timeout: float = 30.0,
) -> HostProcess:
    """Start the host and wait until it prints that it has started.

    `env` replaces the child's environment entirely (default: a copy of ours), so tests decide
    exactly which settings the host sees.
    """
    command = [
        sys.executable,
        "-m",
        "tools.localhost",
        "--app",
        app,
        "--script-root",
        str(script_root),
        "--port",
        str(port),
    ]
    child_env = dict(os.environ if env is None else env)
    child_env.setdefault("PYTHONUNBUFFERED", "1")
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=cwd, env=child_env, stdout=log, stderr=subprocess.STDOUT
        )
    host = HostProcess(process=process, port=port, log_path=log_path)
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if READY_LINE in host.logs():
            return host
        if process.poll() is not None:
            raise HostProcessError(f"the host exited with {process.returncode}:\n{host.logs()}")
        time.sleep(0.05)
    host.stop()
    raise HostProcessError(f"the host was not ready within {ready_timeout}s:\n{host.logs()}")
