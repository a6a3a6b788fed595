"""The bell's feed, Insights and Settings in Chromium; then every page scanned by axe-core and
photographed at 1280 and 390 px (test-artifacts/ui/)."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.ui.conftest import ConsoleWatch, new_context
from tests.ui.desk import Desk
from tests.ui.ui_kit import axe_violations, sign_in, snap

ACCEPTED: dict[str, Any] = {
    "dealName": "Deal",
    "notes": "Notes",
    "estimatedValue": 1000,
    "currency": "EUR",
}


def _wait_for_feed(desk: Desk, count: int, timeout: float = 20.0) -> None:
    """The notifier writes the feed from the queue, a moment after intake answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = desk.http.get(f"{desk.api}/notifications", headers=desk.headers)
        if response.status_code == 200 and len(response.json()["items"]) >= count:
            return
        time.sleep(0.2)
    pytest.fail(f"the feed did not get {count} entries in {timeout}s")


def test_the_bell_shows_the_feed_and_leads_to_the_lead(page: Page, ui_url: str, desk: Desk) -> None:
    desk.deliver("Feedly")
    _wait_for_feed(desk, 1)
    sign_in(page, ui_url, desk.partner_id)
    bell = page.get_by_role("button", name=re.compile(r"^Notifications"))
    expect(bell).to_have_accessible_name(re.compile(r"Notifications\s*1 new"))
    bell.click()
    expect(bell).to_have_attribute("aria-expanded", "true")
    feed = page.get_by_role("region", name="Notifications")
    expect(feed).to_contain_text("New lead")
    expect(bell).to_have_accessible_name("Notifications")  # seen now
    page.keyboard.press("Escape")
    expect(feed).to_be_hidden()
    expect(bell).to_be_focused()
    bell.click()
    feed.get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Feedly", level=1)).to_be_visible()


def test_insights_draw_the_partners_figures(page: Page, ui_url: str, desk: Desk) -> None:
    won = desk.deliver("Winner")
    desk.act(won, "accept", ACCEPTED)
    desk.act(won, "won", {"value": 1500})
    desk.act(desk.deliver("Declined Co"), "decline", {"reason": "BudgetNotAdequate"})
    sign_in(page, ui_url, desk.partner_id, path="insights")
    expect(page.get_by_role("heading", name="Insights", level=1)).to_be_visible()
    expect(page.locator("#insights-status")).to_contain_text("(the last 90 days): 2 leads received")
    rate = page.get_by_role("region", name="Acceptance rate")
    expect(rate).to_contain_text("50%")
    expect(page.get_by_role("region", name="Win rate")).to_contain_text("100%")
    expect(
        page.get_by_role("img", name=re.compile(r"^Decline reasons: Budget not adequate 1"))
    ).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"^Won value by currency: EUR"))).to_be_visible()
    assert page.locator("svg.chart rect.chart-bar").count() >= 5


def test_settings_save_preferences_and_profile_contacts(
    page: Page, ui_url: str, desk: Desk
) -> None:
    sign_in(page, ui_url, desk.partner_id, roles=("BusinessProfile.Admin",), path="settings",
            email="desk@contoso.example")  # fmt: skip
    who = page.get_by_role("region", name="Who receives new-lead emails")
    expect(who).to_contain_text("go to the 1 contact of the business profile")
    expect(who).to_contain_text("You do, at desk@contoso.example.")
    prefs = page.get_by_role("region", name="Your email notifications")
    expect(prefs).to_contain_text("is one of the business profile's contacts")
    prefs.get_by_label("Email me about new leads").uncheck()
    prefs.get_by_role("button", name="Save my preferences").click()
    expect(prefs.get_by_text("Saved")).to_be_visible()

    contacts = page.get_by_role("region", name="Business profile contacts")
    contacts.get_by_role("button", name="Add contact").click()
    row = contacts.get_by_role("group", name="Contact 2")
    row.get_by_label("Name").fill("Night desk")
    row.get_by_label("Email").fill("not-an-address")
    contacts.get_by_role("button", name="Save contacts").click()
    expect(row.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    row.get_by_label("Email").fill("night@contoso.example")
    contacts.get_by_role("button", name="Save contacts").click()
    expect(contacts.get_by_text("Saved")).to_be_visible()
    stored = desk.http.get(f"{desk.api}/profile/contacts", headers=desk.headers).json()
    assert [c["email"] for c in stored["contacts"]] == [
        "desk@contoso.example",
        "night@contoso.example",
    ]
    page.reload()
    expect(
        page.get_by_role("region", name="Your email notifications").get_by_label(
            "Email me about new leads"
        )
    ).not_to_be_checked()


def test_settings_refuses_to_save_no_contact_at_all(page: Page, ui_url: str, desk: Desk) -> None:
    sign_in(page, ui_url, desk.partner_id, roles=("BusinessProfile.Admin",), path="settings")
    contacts = page.get_by_role("region", name="Business profile contacts")
    contacts.get_by_role("button", name="Remove contact 1").click()
    contacts.get_by_role("button", name="Save contacts").click()
    expect(contacts).to_contain_text("nobody would be told about new leads")
    stored = desk.http.get(f"{desk.api}/profile/contacts", headers=desk.headers).json()
    assert [c["email"] for c in stored["contacts"]] == ["desk@contoso.example"]


def test_settings_shows_a_reader_the_contacts_the_api_says_they_cannot_edit(
    page: Page, ui_url: str, desk: Desk
) -> None:
    sign_in(page, ui_url, desk.partner_id, roles=("Referrals.Admin",), path="settings",
            email="someone.else@contoso.example")  # fmt: skip
    who = page.get_by_role("region", name="Who receives new-lead emails")
    expect(who).to_contain_text("You do not: your sign-in address")
    contacts = page.get_by_role("region", name="Business profile contacts")
    expect(contacts).to_contain_text("Only a business profile admin can change them.")
    expect(contacts).to_contain_text("desk@contoso.example")
    expect(contacts.get_by_role("button", name="Save contacts")).to_have_count(0)


def test_every_page_passes_axe_and_is_photographed(
    browser: Browser, ui_url: str, desk: Desk
) -> None:
    """axe-core is injected as a script tag, which the app's CSP would refuse: this context
    bypasses CSP (every other test runs with it enforced)."""
    hot = desk.deliver("Fabrikam", "PLT", Phone="+49 30 901820")
    desk.deliver("Litware", "INS")
    desk.deliver("Spammy", "PLT", Email="buyer@mailinator.com")
    accepted = desk.deliver("Accepted Co")
    desk.act(
        accepted,
        "accept",
        ACCEPTED | {"teamMembers": [{"name": "Jo", "email": "jo@contoso.example"}]},
    )
    lost = desk.deliver("Lost Co")
    desk.act(lost, "accept", ACCEPTED)
    desk.act(lost, "lost", {"reason": "CustomerChoseAnotherVendor", "notes": "Went elsewhere"})
    desk.refer("Northwind")
    _wait_for_feed(desk, 3)
    context = new_context(browser, bypass_csp=True)
    console = ConsoleWatch()
    context.on("page", console.attach)
    page = context.new_page()
    found: dict[str, list[str]] = {}

    def check(name: str, reload: bool = True) -> None:
        found[name] = axe_violations(page)
        snap(page, name, reload=reload)

    try:
        page.goto(ui_url)
        expect(page.get_by_role("heading", name="Dev sign-in")).to_be_visible()
        check("sign-in")
        sign_in(page, ui_url, desk.partner_id, roles=("Referrals.Admin", "BusinessProfile.Admin"))
        expect(page.get_by_text("5 leads shown")).to_be_visible()
        check("list")
        page.get_by_role("link", name="Qualified leads").click()
        expect(page.get_by_text("1 lead shown")).to_be_visible()
        check("list-qualified")
        page.get_by_role("button", name=re.compile(r"^Notifications")).click()
        expect(page.get_by_role("region", name="Notifications")).to_contain_text("New lead")
        check("feed", reload=False)

        page.goto(f"{ui_url}leads/{hot}")
        expect(page.get_by_role("heading", name="Actions")).to_be_visible()
        check("lead-received")
        page.get_by_role("button", name="Accept").click()
        page.get_by_role("button", name="Accept lead").click()
        expect(page.locator(".error-summary")).to_be_visible()
        check("lead-accept-errors", reload=False)
        page.get_by_role("button", name="Decline").click()
        check("lead-decline-form", reload=False)

        page.goto(f"{ui_url}leads/{accepted}")
        expect(page.get_by_role("button", name="Mark won")).to_be_visible()
        check("lead-accepted")
        page.get_by_role("button", name="Edit deal").click()
        check("lead-edit-form", reload=False)
        page.goto(f"{ui_url}leads/{lost}")
        expect(page.get_by_text("Archived: Lost")).to_be_visible()
        check("lead-archived")

        page.goto(f"{ui_url}insights")
        expect(page.locator("#insights-status")).to_contain_text("leads received")
        check("insights")
        page.goto(f"{ui_url}settings")
        expect(page.get_by_role("button", name="Save contacts")).to_be_visible()
        check("settings")
        page.goto(f"{ui_url}no/such/page")
        check("not-found")
    finally:
        context.close()
    problems = {name: issues for name, issues in found.items() if issues}
    assert not problems, problems
    assert not console.unexpected(), console.unexpected()
