"""`python -m tools.localhost`: load settings, index the app, refuse or serve until a signal."""

from __future__ import annotations

import argparse
import io
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import NoReturn

from tools.localhost.app_loader import (
    FunctionDescription,
    describe_functions,
    import_app,
    is_disabled,
)
from tools.localhost.errors import StartupError
from tools.localhost.host import LocalHost
from tools.localhost.host_config import HostConfig, load_host_config
from tools.localhost.settings_file import load_local_settings, local_http_port
from tools.localhost.validation import validate_functions
from tools.localhost.workers import (
    WorkerHandles,
    WorkerProcesses,
    report_ready,
    start_worker_processes,
    stop_when_host_is_gone,
    worker_process_count,
)

DEFAULT_PORT = 7071
logger = logging.getLogger("Host")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.localhost",
        description="Run an Azure Functions (Python v2) app locally, without Core Tools.",
    )
    parser.add_argument("--app", default="function_app:app", help="module:attribute")
    parser.add_argument(
        "--script-root",
        default=".",
        type=Path,
        help="folder holding host.json and local.settings.json",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port",
        type=int,
        default=None,
        help="HTTP port (default: $FUNCTIONS_HTTP_PORT, else Host.LocalHttpPort from "
        f"local.settings.json, else {DEFAULT_PORT})",
    )
    # Internal: how the host starts its extra HTTP worker processes (workers.py).
    parser.add_argument("--worker-fds", default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[%(asctime)s] %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    # The SDKs log every HTTP call (headers included) at INFO; host.json keeps Azure.Core at
    # Warning for the same reason.
    logging.getLogger("azure").setLevel(logging.WARNING)


def load_functions(
    args: argparse.Namespace, *, quiet: bool = False
) -> tuple[list[FunctionDescription], HostConfig]:
    """Settings, host.json, indexing and validation: the enabled functions and the host config.
    `quiet`: a worker process says nothing the host has already said."""
    script_root: Path = args.script_root
    say = (lambda _: None) if quiet else print
    for notice in load_local_settings(script_root / "local.settings.json", os.environ):
        say(notice)
    config = load_host_config(script_root / "host.json")
    # The app is imported only after the settings are in place, as under `func start`.
    functions = describe_functions(import_app(args.app))
    errors = validate_functions(functions, os.environ)
    if errors:
        raise StartupError("The host cannot start:\n" + "\n".join(f"  {e}" for e in errors))
    disabled = {function.name for function in functions if is_disabled(function.name, os.environ)}
    for name in sorted(disabled):
        say(f"Function '{name}' is disabled: AzureWebJobs.{name}.Disabled is set")
    return [function for function in functions if function.name not in disabled], config


def build_host(args: argparse.Namespace) -> LocalHost:
    """Everything before serving: settings, host.json, indexing, validation, port binding."""
    functions, config = load_functions(args)
    worker_process_count(os.environ)  # refused before anything binds
    settings_path = args.script_root / "local.settings.json"
    env_port = os.environ.get("FUNCTIONS_HTTP_PORT") or "0"
    if not env_port.isdigit():
        raise StartupError(f"FUNCTIONS_HTTP_PORT must be a port number, not '{env_port}'")
    port = args.port or int(env_port) or local_http_port(settings_path) or DEFAULT_PORT
    try:
        return LocalHost(functions, config, os.environ, host=args.host, port=port)
    except OSError as error:
        raise StartupError(f"Cannot listen on {args.host}:{port}: {error}") from error


def main(argv: Sequence[str] | None = None) -> int:
    """Run until SIGINT/SIGTERM; 0 on a clean stop, 1 when the host refuses to start."""
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # supervisors read the function list live
    args = parse_args(argv)
    configure_logging()
    # `function_app` is imported from the working directory, else from the script root.
    for folder in (os.getcwd(), str(Path(args.script_root).resolve())):
        if folder not in sys.path:
            sys.path.insert(0 if folder == os.getcwd() else 1, folder)
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    # Installed before the (slow) import so an early SIGTERM still ends in a clean exit 0.
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    if args.worker_fds:
        return serve_as_worker(args, WorkerHandles.parse(args.worker_fds), stopping)
    try:
        host = build_host(args)
    except StartupError as error:
        print(error, file=sys.stderr)
        return 1
    print("\nFunctions:\n")
    for line in host.describe():
        print(line)
    host.start()
    try:
        workers = start_worker_processes(
            worker_process_count(os.environ) - 1,
            host.server.fileno(),
            ["--app", args.app, "--script-root", str(args.script_root)],
            stopping,
        )
    except StartupError as error:
        host.stop()
        if stopping.is_set():  # told to stop while the workers started: a clean stop
            print("Stopping the host.")
            return 0
        print(error, file=sys.stderr)
        return 1
    if workers.pids:
        pids = ", ".join(str(pid) for pid in [os.getpid(), *workers.pids])
        print(f"\nHTTP is served by {len(workers.pids) + 1} worker processes (pids {pids}).")
    print("\nHost started. Press Ctrl+C to stop.")
    while not stopping.wait(0.5):
        _replace_exited(workers, stopping)
    print("Stopping the host.")
    workers.signal_stop()
    stopped = host.stop()
    workers.wait(timeout=10.0)
    if not stopped:
        _exit_now()
    return 0


def _exit_now() -> NoReturn:
    """Exit 0 without waiting: a stuck invocation's thread would hold the interpreter at exit
    (thread-pool workers are joined then); like the real host, stop anyway."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _replace_exited(workers: WorkerProcesses, stopping: threading.Event) -> None:
    try:
        replaced = workers.replace_exited(stopping)
    except StartupError as error:
        logger.error("%s; HTTP is served by the remaining processes", error)
        return
    for pid, code, new_pid in replaced:
        logger.warning(
            "Worker process %d exited with %d; started another (pid %d)", pid, code, new_pid
        )


def serve_as_worker(
    args: argparse.Namespace, handles: WorkerHandles, stopping: threading.Event
) -> int:
    """An extra worker process: HTTP only, on the host's socket, until told or the host is gone."""
    try:
        functions, config = load_functions(args, quiet=True)
    except StartupError as error:
        print(error, file=sys.stderr)
        return 1
    listener = socket.socket(fileno=handles.listener)
    host = LocalHost(functions, config, os.environ, listener=listener, background=False)
    host.start()
    stop_when_host_is_gone(handles, stopping)
    report_ready(handles)
    while not stopping.wait(0.5):
        pass
    host.stop()
    _exit_now()  # always: a worker has nothing of its own to finish but its logs
