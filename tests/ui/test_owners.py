"""Owners in Chromium: an admin assigns a lead from its page; a salesperson takes one and finds
it under "My leads", the other under "Unassigned"; Settings shows the Team and the routing."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.ui.desk import Desk
from tests.ui.test_lead_page import _open
from tests.ui.ui_kit import lead_row, sign_in


def test_an_admin_assigns_a_lead_from_its_page(page: Page, ui_url: str, desk: Desk) -> None:
    lead_id = desk.deliver("Fabrikam")
    _open(page, ui_url, desk, lead_id)
    page.get_by_role("region", name="Actions").get_by_role("button", name="Assign").click()
    form = page.get_by_role("form", name="Assign the lead")
    owner = form.get_by_label("Owner")
    expect(owner.locator("option", has_text="Desk · profile contact")).to_have_count(1)
    expect(owner.locator("option", has_text="(you)")).to_have_count(1)  # the admin finds themselves
    owner.select_option(label="Desk · profile contact")
    form.get_by_role("button", name="Assign").click()
    expect(page.locator("main").get_by_text("The lead's owner is saved")).to_be_visible()
    details = page.get_by_role("complementary", name="Lead details")
    expect(details.get_by_text("Desk", exact=True)).to_be_visible()
    lead = desk.lead(lead_id)
    assert lead["owner"]["name"] == "Desk"
    assert lead["history"][-1]["action"] == "Assigned"


def test_taking_a_lead_puts_it_under_my_leads(page: Page, ui_url: str, desk: Desk) -> None:
    mine, other = desk.deliver("Fabrikam"), desk.deliver("Northwind Traders")
    _open(page, ui_url, desk, mine, roles=("Referrals.User",))
    page.get_by_role("region", name="Actions").get_by_role("button", name="Take it").click()
    page.get_by_role("form", name="Take this lead").get_by_role("button", name="Take it").click()
    expect(page.locator("main").get_by_text("The lead is yours.")).to_be_visible()
    assert desk.lead(mine)["owner"] is not None

    page.get_by_role("link", name="All leads").first.click()
    quick = page.get_by_role("navigation", name="Leads by owner")
    quick.get_by_role("link", name="My leads").click()
    expect(page.get_by_text("1 lead shown")).to_be_visible()
    expect(lead_row(page, "Fabrikam")).to_have_count(1)
    expect(lead_row(page, "Fabrikam").locator("td[data-label='Owner']")).not_to_have_text(
        "Unassigned"
    )
    quick.get_by_role("link", name="Unassigned").click()
    expect(page.get_by_text("1 lead shown")).to_be_visible()
    expect(lead_row(page, "Northwind Traders")).to_have_count(1)
    assert desk.lead(other)["owner"] is None


def _fits_a_phone(page: Page) -> None:
    """At 390 px wide nothing makes the page scroll sideways (a wide table did)."""
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"Settings is {width} px wide on a 390 px phone"
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


def test_settings_show_the_team_and_a_routing_preview(page: Page, ui_url: str, desk: Desk) -> None:
    sign_in(page, ui_url, desk.partner_id, path="settings")
    team = page.get_by_role("region", name="Team")
    expect(team.get_by_role("rowheader", name="Desk")).to_be_visible()
    expect(page.get_by_role("button", name="Save routing")).to_be_visible()
    _fits_a_phone(page)
    weight = team.get_by_label("Weight of Desk")
    weight.fill("11")
    team.get_by_role("button", name="Save Desk").click()
    expect(team.locator(".save-status.error-text")).to_have_text("Enter 10 or less.")
    expect(weight).to_have_attribute("aria-invalid", "true")
    weight.fill("3")
    team.get_by_role("button", name="Save Desk").click()
    expect(team.get_by_text("Saved")).to_be_visible()
    expect(team.locator(".error-text")).to_have_count(0)  # "Saved" is not shown as an error
    expect(weight).not_to_have_attribute("aria-invalid", "true")
    routing = page.get_by_role("region", name="Routing")
    routing.get_by_role("button", name="Add rule").click()
    rule = routing.get_by_role("group", name="Rule 1")
    expect(rule.get_by_test_id("catch-all")).to_contain_text("matches every lead")
    countries = rule.get_by_label("Countries or regions")
    countries.fill("Germany")
    expect(rule.get_by_test_id("catch-all")).to_be_hidden()
    save = routing.get_by_role("button", name="Save routing")
    save.click()  # each problem is said in the form's words, by its field
    errors = rule.locator(".field-error:visible")
    expect(errors).to_have_text("Use two-letter country codes, such as DE, FR, AT.")
    countries.fill("de")  # people type codes in lower case too
    save.click()  # nobody ticked
    expect(errors).to_have_text(
        "Tick who gets the leads this rule matches: one person, or several to take turns."
    )
    expect(routing.locator("[data-error-summary]")).to_contain_text("Rule 1, Assign to")
    rule.get_by_role("checkbox", name="Desk").check()
    tabs = rule.get_by_role("group", name="Tabs (none ticked: any)")  # ticked, never typed
    tabs.get_by_role("checkbox", name="Marketplace leads").check()
    preview = routing.get_by_role("form", name="Preview")
    preview.get_by_label("Country or region").fill("DE")
    preview.get_by_role("button", name="Preview").click()
    expect(routing.get_by_test_id("routing-preview")).to_have_text(
        "Rule 1 matches: it goes to rule 1 (Desk)."
    )
    routing.get_by_role("checkbox", name="Route new leads to an owner").check()
    routing.get_by_role("button", name="Save routing").click()
    expect(routing.get_by_text("Saved")).to_be_visible()
    saved = desk.http.get(f"{desk.api}/profile/routing", headers=desk.headers).json()
    assert saved["enabled"] is True
    assert saved["rules"][0]["match"]["countries"] == ["DE"]
    assert saved["rules"][0]["match"]["views"] == ["marketplace"]
