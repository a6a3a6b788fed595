"""The partner UI in a real Chromium (Debian's, headless) against the local host.

Per pytest worker: one host with the dev sign-in on, one browser; each test gets a fresh browser
context (no shared storage) and its own partner, so tests never see each other's leads.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from shared.config import Settings, env_name
from tests.support.auth import AUDIENCE, ISSUER, key_pair
from tests.support.azurite import Azurite
from tests.support.hosts import running_host
from tests.ui.desk import Desk
from tools.localhost.process import HostProcess

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIME_ZONE = "America/New_York"  # not the host's UTC: times must follow the user's zone


NEVER = "0 0 0 1 1 *"  # jobs run on demand in tests, never on their own mid-test


def _bound_settings(suffix: str) -> dict[str, str]:
    """Every queue and schedule setting the triggers bind (`%NAME%`): this worker's own queues,
    schedules that never fire. Read from Settings, so a new timer or queue needs no edit here."""
    values: dict[str, str] = {}
    for name, info in Settings.model_fields.items():
        if name.endswith("_schedule"):
            values[env_name(name)] = NEVER
        elif name.endswith("_queue"):
            values[env_name(name)] = f"{info.default}-{suffix}"
    return values


@pytest.fixture(scope="session")
def ui_env(azurite: Azurite) -> dict[str, str]:
    suffix = uuid.uuid4().hex[:8]
    return {
        **_bound_settings(suffix),
        "AzureWebJobsStorage": azurite.connection_string,
        "STORAGE_PREFIX": f"u{suffix}",
        "AUTH_ISSUER": ISSUER,
        "AUTH_AUDIENCE": AUDIENCE,
        "AUTH_PUBLIC_KEY": key_pair().public_pem,
        "PUBLIC_BASE_URL": "http://leads.test",
        "DEV_SIGN_IN_ENABLED": "true",
        "DEV_SIGNING_KEY": key_pair().private_pem.decode(),
        "WEBHOOK_TARGETS": "loopback",
    }


@pytest.fixture(scope="session")
def ui_host(
    ui_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HostProcess]:
    with running_host(ui_env, tmp_path_factory.mktemp("ui-host")) as host:
        yield host


@pytest.fixture(scope="session")
def api_url(ui_host: HostProcess) -> str:
    return f"{ui_host.base_url}/api"


@pytest.fixture(scope="session")
def ui_url(api_url: str) -> str:
    return f"{api_url}/ui/"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: run `make browser` "
            "(or: sudo apt-get update && sudo apt-get install -y chromium)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield launched
        finally:
            launched.close()


class ConsoleWatch:
    """Console errors of a context's pages: a CSP violation or an uncaught error fails the test."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def attach(self, page: Page) -> None:
        page.on(
            "console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None
        )
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def unexpected(self) -> list[str]:
        # The API's own 4xx answers (validation, conflicts) are logged by Chromium as failed
        # resource loads: expected in these tests, and not script errors.
        return [e for e in self.errors if "Failed to load resource" not in e]


def new_context(browser: Browser, *, bypass_csp: bool = False) -> BrowserContext:
    return browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="en-US",
        timezone_id=TIME_ZONE,
        accept_downloads=True,
        bypass_csp=bypass_csp,
    )


@pytest.fixture
def console() -> ConsoleWatch:
    return ConsoleWatch()


@pytest.fixture
def context(browser: Browser, console: ConsoleWatch) -> Iterator[BrowserContext]:
    """A fresh, strict context (the app's CSP in force): nothing carries over between tests."""
    ctx = new_context(browser)
    ctx.on("page", console.attach)
    try:
        yield ctx
    finally:
        ctx.close()
    assert not console.unexpected(), f"console errors: {console.unexpected()}"


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def desk(api_url: str) -> Iterator[Desk]:
    with Desk.open(api_url) as opened:
        yield opened


@pytest.fixture
def desk_partner(desk: Desk) -> str:
    return desk.partner_id
