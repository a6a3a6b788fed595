"""What the lead page and the list say, in Chromium: the closing beside the deal, each visit's
message, badges that tell the truth, messages written for people, and Insights' period and money.
Screenshots at 1366 and 390 px go to test-artifacts/ui/."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from playwright.sync_api import Page, expect

from tests.support.deliveries import deliver_and_land
from tests.ui.desk import Desk
from tests.ui.ui_kit import ARTIFACTS, lead_row, sign_in

ACCEPTED: dict[str, Any] = {
    "dealName": "Fleet rollout", "notes": "400 vans, wants SSO", "estimatedValue": 50000,
    "currency": "EUR",
}  # fmt: skip


def _snap(page: Page, name: str) -> None:
    """The page at a laptop's and a phone's width, drawn afresh at each."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(200)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def _open(page: Page, ui_url: str, desk: Desk, lead_id: str) -> None:
    sign_in(page, ui_url, desk.partner_id, path=f"leads/{lead_id}")
    expect(page.get_by_role("heading", name="Actions")).to_be_visible()


def test_a_won_deal_shows_its_notes_and_its_closing_apart(
    page: Page, ui_url: str, desk: Desk
) -> None:
    lead_id = desk.deliver("Fabrikam")
    desk.act(lead_id, "accept", ACCEPTED)
    _open(page, ui_url, desk, lead_id)
    page.get_by_role("button", name="Mark won").click()
    form = page.get_by_role("form", name="Mark the deal won")
    expect(form.get_by_label("Currency")).to_have_value("EUR")
    form.get_by_label("Final deal value").fill("60000")
    form.get_by_label("Closing notes").fill("Signed for three years")
    form.get_by_role("button", name="Mark won").click()
    expect(
        page.locator("#main").get_by_text("The deal is marked won and archived.")
    ).to_be_visible()

    deal = page.get_by_role("region", name="Deal")
    expect(deal).to_contain_text("400 vans, wants SSO")  # the deal's notes, kept
    expect(deal).to_contain_text("€50,000")  # the estimate, kept
    expect(deal).to_contain_text("€60,000")  # the final value, beside it
    expect(deal).to_contain_text("Signed for three years")
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text("Final value 60000 EUR · Signed for three years")
    _snap(page, "lead-won-closing")


def test_each_visit_shows_its_own_message(page: Page, ui_url: str, desk: Desk) -> None:
    email = "mia.jones@contosovisits.com"
    lead_ids = set()
    for action, message in (("INS", "Trying it with 20 users"), ("PLT", "Now we want a call")):
        body = {
            "UserDetails": {"FirstName": "Mia", "LastName": "Jones", "Company": "Visits Co",
                            "Country": "DE", "Email": email},
            "LeadSource": f"AppSource (SPZA)-{action}|fabrikam.fleet",
            "OfferTitle": "Fleet Insights",
            "Description": message,
        }  # fmt: skip
        lead_ids.add(deliver_and_land(desk.http, desk.api, desk.intake, body))
    (lead_id,) = lead_ids
    _open(page, ui_url, desk, lead_id)
    messages = page.get_by_role("region", name="Timeline").locator("blockquote")
    expect(messages).to_have_text(["Trying it with 20 users", "Now we want a call"])
    expect(page.get_by_role("region", name="Lead details")).to_contain_text(
        "Customer's latest message"
    )
    _snap(page, "lead-two-visits")


def test_badges_tell_the_truth(page: Page, ui_url: str, desk: Desk) -> None:
    hot = desk.deliver("Hotline")
    informational = desk.deliver("Litware", "INS")
    accepted = desk.deliver("Accepted Co")
    desk.act(accepted, "accept", ACCEPTED)
    spam = desk.deliver("Spammy", Email="bot@mailinator.com")
    sign_in(page, ui_url, desk.partner_id)
    expect(lead_row(page, "Hotline")).to_contain_text("Hot")
    expect(lead_row(page, "Litware")).to_contain_text("No action needed")
    expect(lead_row(page, "Litware").locator(".badge.status-received")).to_have_count(0)
    for company in ("Accepted Co", "Spammy"):
        expect(lead_row(page, company).locator(".flame")).to_have_count(0)
    _snap(page, "list-truthful-badges")

    banner = "The customer asked to be contacted"
    page.goto(f"{ui_url}leads/{hot}")
    expect(page.get_by_text(banner)).to_be_visible()
    for lead_id in (informational, accepted, spam):
        page.goto(f"{ui_url}leads/{lead_id}")
        expect(page.get_by_role("heading", name="Actions")).to_be_visible()
        expect(page.locator(".alert-hot, .alert-cold, .flame")).to_have_count(0)
    page.goto(f"{ui_url}leads/{informational}")
    expect(page.locator(".lead-head")).to_contain_text("No action needed")


def test_accept_messages_are_written_for_people(page: Page, ui_url: str, desk: Desk) -> None:
    lead_id = desk.deliver("Fabrikam")
    _open(page, ui_url, desk, lead_id)
    page.get_by_role("button", name="Accept").click()
    form = page.get_by_role("form", name="Accept the lead")
    form.get_by_label("Deal name").fill("Fleet rollout")
    form.get_by_label("Notes").fill("400 vans")
    form.get_by_label("Estimated value").fill("60.000,00")
    form.get_by_label("Currency").fill("EUR")
    past = (date.today() - timedelta(days=3)).isoformat()
    form.get_by_label("Estimated close date").fill(past)
    form.get_by_role("button", name="Accept lead").click()
    summary = form.locator(".error-summary")
    expect(summary).to_contain_text("Enter a number, such as 25000")
    assert not re.search(r"Input should|String should|valid decimal", summary.inner_text())
    _snap_form(page, "accept-human-errors", form)
    form.get_by_label("Estimated value").fill("60000")
    form.get_by_role("button", name="Accept lead").click()
    expect(summary).to_contain_text("Estimated close date: This date is in the past")
    expect(form.get_by_label("Estimated close date")).to_have_attribute("aria-invalid", "true")
    _snap_form(page, "accept-past-close-date", form)
    assert desk.lead(lead_id)["status"] == "Received"


def _snap_form(page: Page, name: str, form: Any) -> None:
    """Without a reload (the errors would go): the form as it is, at each width."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(200)
        form.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"))
    page.set_viewport_size({"width": 1366, "height": 900})


def test_insights_show_their_period_and_whole_amounts(page: Page, ui_url: str, desk: Desk) -> None:
    won = desk.deliver("Winner")
    desk.act(won, "accept", ACCEPTED)
    desk.act(won, "won", {"value": 60000})
    sign_in(page, ui_url, desk.partner_id, path="insights")
    status = page.locator("#insights-status")
    expect(status).to_contain_text("(the last 90 days): 1 lead received")
    today = date.today()
    expect(page.get_by_label("to", exact=True)).to_have_value(
        re.compile(f"{today.isoformat()}|{(today - timedelta(days=1)).isoformat()}")
    )
    expect(page.get_by_label("Leads received from")).not_to_have_value("")
    chart = page.get_by_role("img", name=re.compile(r"^Won value by currency"))
    expect(chart).to_contain_text("€60,000")
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(300)
        # The figure is drawn whole inside its chart: its right edge within the SVG's.
        value = chart.locator("text.chart-value").first.bounding_box()
        frame = chart.bounding_box()
        assert value is not None
        assert frame is not None
        assert value["x"] + value["width"] <= frame["x"] + frame["width"] + 0.5, width
    _snap(page, "insights-period-money")
