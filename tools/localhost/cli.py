"""`python -m tools.localhost`: load settings, index the app, refuse or serve until a signal."""

from __future__ import annotations

import argparse
import io
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from tools.localhost.app_loader import describe_functions, import_app, is_disabled
from tools.localhost.errors import StartupError
from tools.localhost.host import LocalHost
from tools.localhost.host_config import load_host_config
from tools.localhost.settings_file import load_local_settings, local_http_port
from tools.localhost.validation import validate_functions

DEFAULT_PORT = 7071


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
    return parser.parse_args(argv)


def configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[%(asctime)s] %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    # The SDKs log every HTTP call (headers included) at INFO; host.json keeps Azure.Core at
    # Warning for the same reason.
    logging.getLogger("azure").setLevel(logging.WARNING)


def build_host(args: argparse.Namespace) -> LocalHost:
    """Everything before serving: settings, host.json, indexing, validation, port binding."""
    script_root: Path = args.script_root
    settings_path = script_root / "local.settings.json"
    for notice in load_local_settings(settings_path, os.environ):
        print(notice)
    config = load_host_config(script_root / "host.json")
    # The app is imported only after the settings are in place, as under `func start`.
    functions = describe_functions(import_app(args.app))
    errors = validate_functions(functions, os.environ)
    if errors:
        raise StartupError("The host cannot start:\n" + "\n".join(f"  {e}" for e in errors))
    disabled = {function.name for function in functions if is_disabled(function.name, os.environ)}
    for name in sorted(disabled):
        print(f"Function '{name}' is disabled: AzureWebJobs.{name}.Disabled is set")
    functions = [function for function in functions if function.name not in disabled]
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
    try:
        host = build_host(args)
    except StartupError as error:
        print(error, file=sys.stderr)
        return 1
    print("\nFunctions:\n")
    for line in host.describe():
        print(line)
    host.start()
    print("\nHost started. Press Ctrl+C to stop.")
    while not stopping.wait(0.5):
        pass
    print("Stopping the host.")
    if not host.stop():
        # A stuck invocation would hold the interpreter at exit (thread-pool workers are joined
        # then); like the real host, stop anyway.
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    return 0
