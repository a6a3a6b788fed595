"""Operations in Chromium (Leads.Operator only): partners and what needs attention, a partner's
contacts (never emptied), a poison message deleted, a dry run; at 1366 and 390 px wide."""

from __future__ import annotations

import base64
import contextlib
import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import requests
from azure.core.exceptions import ResourceExistsError
from azure.storage.queue import QueueClient
from playwright.sync_api import Browser, Page, expect

from tests.support.auth import bearer, token
from tests.ui.conftest import new_context
from tests.ui.ui_kit import ARTIFACTS, axe_violations

OPERATOR = "Leads.Operator"
WIDTHS = (1366, 390)


def _as_operator(
    page: Page, ui_url: str, path: str = "ops", *, roles: tuple[str, ...] = (OPERATOR,)
) -> None:
    """The dev session an operator's sign-in leaves (the dev sign-in offers partner roles
    only; an operator signs in with Entra ID in Azure)."""
    partner = None if OPERATOR in roles else "p-" + uuid.uuid4().hex[:8]
    session = {
        "accessToken": token(*roles, partner=partner, user="operator-1", ttl_seconds=3600),
        "expiresOn": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
    }
    script = f"localStorage.setItem('partner-leads.dev-session', {json.dumps(json.dumps(session))})"
    page.add_init_script(script)
    page.goto(ui_url + path)


def _snap(page: Page, name: str) -> None:
    """Screenshots at both widths; at the narrow one nothing may be wider than the screen."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(150)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("() => document.documentElement.scrollWidth")
        assert overflow <= width, f"{name} is {overflow} px wide at {width} px"
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def _register(api_url: str, partner_id: str) -> None:
    body = {"partnerId": partner_id, "name": f"Nobody hears {partner_id}", "contacts": []}
    created = requests.post(
        f"{api_url}/ops/partners", json=body, headers=bearer(OPERATOR), timeout=10
    )
    assert created.status_code == 201, created.text


def test_an_operator_fixes_a_partner_nobody_would_hear_from(
    page: Page, ui_url: str, api_url: str
) -> None:
    partner_id = "a-" + uuid.uuid4().hex[:8]  # early in id order: on the first page
    _register(api_url, partner_id)
    _as_operator(page, ui_url)

    expect(page.get_by_role("heading", name="Partners", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Operations")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name="Leads", exact=True)).to_have_count(
        0
    )  # no partner of its own
    card = page.locator(f'[data-partner="{partner_id}"]')
    expect(card).to_contain_text("New leads would reach nobody")
    _snap(page, "ops-partners")

    card.get_by_role("link").click()
    expect(page.get_by_role("heading", name=f"Partner {partner_id}", level=1)).to_be_visible()
    page.get_by_role("button", name="Save contacts").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Keep at least one contact")
    page.get_by_role("button", name="Add contact").click()
    page.get_by_label("Name").fill("Ana Silva")
    email = page.get_by_label("Email")
    email.fill("ana.silva-fernandes@contoso.example")
    shown = email.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert shown, "the email is cut off in its field on a wide card"
    page.get_by_role("button", name="Save contacts").click()
    expect(page.get_by_text("Nothing needs attention.")).to_be_visible()
    _snap(page, "ops-partner")


def test_a_poison_message_is_looked_into_and_deleted_and_a_job_dry_run(
    page: Page, ui_url: str, ui_env: dict[str, str]
) -> None:
    poison = QueueClient.from_connection_string(
        ui_env["AzureWebJobsStorage"], f"{ui_env['DELIVERIES_QUEUE']}-poison"
    )
    with contextlib.suppress(ResourceExistsError):
        poison.create_queue()
    marker = uuid.uuid4().hex
    body = json.dumps({"deliveryIds": [marker], "partnerId": "gone"}).encode()
    poison.send_message(base64.b64encode(body).decode())
    page.on("dialog", lambda dialog: dialog.accept())
    _as_operator(page, ui_url, "ops/queues")

    page.get_by_role("button", name="Look into deliveries poison").click()
    message = page.locator(".ops-message").filter(has_text=marker)
    expect(message).to_be_visible()
    _snap(page, "ops-queues")
    message.get_by_role("button", name="Delete").click()
    expect(page.locator(".ops-result").filter(has_text="0 put back, 1 deleted")).to_be_visible()

    page.get_by_role("link", name="Jobs").click()
    # The job list, each one's summary and whether it runs per partner: the API's answers.
    page.get_by_label("Job", exact=True).select_option("relay-outbox")
    expect(page.get_by_test_id("job-summary")).to_contain_text("never queued")
    expect(page.get_by_label("Partner ID (partner jobs only)")).to_be_disabled()
    page.get_by_label("Job", exact=True).select_option("expire-leads")
    expect(page.get_by_label("Partner ID (partner jobs only)")).to_be_enabled()
    page.get_by_role("button", name="Run").click()
    expect(
        page.get_by_role("heading", name="expire-leads (dry run: nothing written)")
    ).to_be_visible()
    _snap(page, "ops-jobs")
    as_of = page.get_by_label("As of (your time)")
    as_of.fill((datetime.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Run").click()  # refused: said once, by the field
    expect(page.locator(".field-error:visible")).to_contain_text("more than a day ahead")
    expect(page.locator("[data-error-summary]")).to_contain_text("As of (your time)")
    expect(page.locator(".ops-job-result")).to_have_text("")
    page.get_by_role("link", name="Failed notifications").click()
    expect(page.get_by_role("heading", name="Failed notifications", level=1)).to_be_visible()
    page.get_by_role("link", name="Deliveries").click()
    expect(page.get_by_role("button", name="Show deliveries")).to_be_visible()

    # On a phone the tabs scroll sideways; the current one, last of the strip, is brought in view.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(ui_url + "ops/jobs")
    jobs_tab = page.get_by_role("navigation", name="Operations").get_by_role("link", name="Jobs")
    expect(jobs_tab).to_have_attribute("aria-current", "page")
    box = jobs_tab.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390


def test_operations_are_shown_only_to_operators(page: Page, ui_url: str) -> None:
    _as_operator(page, ui_url, roles=("Referrals.Admin",))  # a partner's admin, no operator
    expect(page.get_by_text("These pages are for operators")).to_be_visible()
    expect(page.get_by_role("link", name="Leads", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Operations")).to_have_count(0)


def test_the_operations_pages_pass_axe(browser: Browser, ui_url: str, api_url: str) -> None:
    """axe-core is injected as a script tag, which the app's CSP would refuse: this context
    bypasses CSP (every other test runs with it enforced)."""
    partner_id = "a-" + uuid.uuid4().hex[:8]
    _register(api_url, partner_id)
    context = new_context(browser, bypass_csp=True)
    page = context.new_page()
    found: dict[str, list[str]] = {}
    try:
        _as_operator(page, ui_url)
        expect(page.locator(f'[data-partner="{partner_id}"]')).to_be_visible()
        found["partners"] = axe_violations(page)
        page.goto(f"{ui_url}ops/partners/{partner_id}")
        expect(page.get_by_role("button", name="Save contacts")).to_be_visible()
        found["partner"] = axe_violations(page)
        # The jobs form and its answer (the queues' and deliveries' cards are the partners'
        # cards, already scanned; a full scan costs about 2 s a page on 2 busy cores).
        page.goto(f"{ui_url}ops/jobs")
        page.get_by_role("button", name="Run").click()
        expect(page.get_by_role("heading", name=re.compile("dry run"))).to_be_visible()
        found["jobs"] = axe_violations(page)
    finally:
        context.close()
    assert {name: v for name, v in found.items() if v} == {}
