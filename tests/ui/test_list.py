"""The workspace list in Chromium: sign-in, what each row shows, filters in the URL, sort, tabs,
favourites and the CSV export."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.ui.conftest import TIME_ZONE
from tests.ui.desk import Desk
from tests.ui.ui_kit import lead_row, sign_in


def _local(iso: str) -> str:
    """What Intl shows for an instant in the test's time zone (en-US, medium date, short time)."""
    moment = datetime.fromisoformat(iso).astimezone(ZoneInfo(TIME_ZONE))
    hour = moment.hour % 12 or 12
    noon = "AM" if moment.hour < 12 else "PM"
    return f"{moment:%b} {moment.day}, {moment.year}, {hour}:{moment:%M} {noon}"


def _text(locator: object) -> str:
    return re.sub(r"\s+", " ", locator.inner_text()).strip()  # type: ignore[attr-defined]


def test_sign_in_then_each_row_shows_what_a_sales_desk_scans_for(
    page: Page, ui_url: str, desk: Desk
) -> None:
    hot_id = desk.deliver("Fabrikam", "PLT", Phone="+49 30 901820")
    desk.deliver("Litware", "INS")  # Get it now: informational, no response needed
    desk.deliver("Spammy", "PLT", Email="buyer@mailinator.com")
    sign_in(page, ui_url, desk.partner_id)

    expect(page.get_by_role("heading", name="Leads", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Marketplace leads")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_text("3 leads shown")).to_be_visible()

    hot = lead_row(page, "Fabrikam")
    expect(hot).to_contain_text("Mia Jones, CTO")
    expect(hot).to_contain_text("Hot")
    expect(hot).to_contain_text("Fleet Insights")
    expect(hot).to_contain_text("Contact me")
    expect(hot).to_contain_text("AppSource")
    expect(hot).to_contain_text("Germany")
    expect(hot).to_contain_text("Received")
    expect(hot).to_contain_text(re.compile(r"1[34] d \d+ h left"))
    expect(hot.get_by_title("Email: Valid")).to_be_visible()
    expect(hot.get_by_title("Phone: Valid")).to_be_visible()
    created = desk.lead(hot_id)["createdAt"]
    assert _text(hot.locator("time").last) == _local(created)  # the user's zone, not UTC

    # The quality badge's reasons show on keyboard focus, and Escape hides them.
    badge = hot.get_by_role("button", name=re.compile("High"))
    badge.focus()
    tooltip = page.get_by_role("tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("Valid email address")
    page.keyboard.press("Escape")
    expect(tooltip).to_be_hidden()

    expect(lead_row(page, "Litware")).to_contain_text("No response needed")
    expect(lead_row(page, "Litware")).to_contain_text("Get it now")
    spam = lead_row(page, "Spammy")
    expect(spam).to_contain_text("Spam risk")
    expect(spam.get_by_role("button", name=re.compile("Low"))).to_be_visible()


def test_filters_live_in_the_url_and_survive_a_reload(page: Page, ui_url: str, desk: Desk) -> None:
    desk.deliver("Alpine", "PLT", Country="DE")
    desk.deliver("Bistro", "INS", Country="FR")
    desk.refer("Northwind")
    sign_in(page, ui_url, desk.partner_id)
    expect(page.get_by_text("2 leads shown")).to_be_visible()

    page.get_by_label("Country or region").fill("FR")
    page.get_by_label("Call to action").select_option(label="Get it now")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("1 lead shown")).to_be_visible()
    expect(lead_row(page, "Bistro")).to_be_visible()
    expect(lead_row(page, "Alpine")).to_have_count(0)
    assert "country=FR" in page.url
    assert "callToAction=GetItNow" in page.url

    page.reload()  # a bookmark of the URL shows the same view
    expect(page.get_by_text("1 lead shown")).to_be_visible()
    expect(page.get_by_label("Country or region")).to_have_value("FR")
    expect(page.get_by_label("Call to action")).to_have_value("GetItNow")

    page.get_by_role("button", name="Clear filters").click()
    expect(page.get_by_text("2 leads shown")).to_be_visible()
    page.get_by_label("Sort by").select_option(value="-customer")
    expect(page).to_have_url(re.compile(r"sort=-customer"))
    expect(page.locator("tbody th a")).to_have_text(["Bistro", "Alpine"])

    page.get_by_role("link", name="Qualified leads").click()
    expect(page).to_have_url(re.compile(r"view=qualified"))
    expect(lead_row(page, "Northwind")).to_contain_text("Sales-qualified")


def test_a_heart_favourites_and_unfavourites(page: Page, ui_url: str, desk: Desk) -> None:
    desk.deliver("Contoso Pharma")
    desk.deliver("Other Co")
    sign_in(page, ui_url, desk.partner_id)
    heart = page.get_by_role("button", name="Favourite: Contoso Pharma")
    expect(heart).to_have_attribute("aria-pressed", "false")
    heart.click()
    expect(heart).to_have_attribute("aria-pressed", "true")
    expect(heart).to_be_enabled()  # the API answered

    page.get_by_role("link", name="Favorites").click()
    expect(page.get_by_text("1 lead shown")).to_be_visible()
    heart = page.get_by_role("button", name="Favourite: Contoso Pharma")
    expect(heart).to_have_attribute("aria-pressed", "true")
    heart.click()
    expect(heart).to_have_attribute("aria-pressed", "false")
    expect(heart).to_be_enabled()
    page.reload()
    expect(page.get_by_text("No leads match")).to_be_visible()


def test_export_downloads_the_csv_of_the_current_tab_and_filters(
    page: Page, ui_url: str, desk: Desk
) -> None:
    desk.deliver("Alpine", Country="DE")
    desk.deliver("Bistro", Country="FR")
    sign_in(page, ui_url, desk.partner_id, path="?country=DE")
    expect(page.get_by_text("1 lead shown")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    saved = download.value
    assert re.fullmatch(r"leads-marketplace-\d{4}-\d{2}-\d{2}\.csv", saved.suggested_filename)
    text = open(saved.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {"LeadCreationDateTime", "EmailValidity", "PhoneValidity"} <= set(rows[0])
    assert [row for row in rows if "Alpine" in row.values()], rows
    assert not [row for row in rows if "Bistro" in row.values()]


def test_load_more_pages_with_the_continuation_token(page: Page, ui_url: str, desk: Desk) -> None:
    for company in ("One", "Two", "Three"):
        desk.deliver(company)
    sign_in(page, ui_url, desk.partner_id, path="?pageSize=2")
    expect(page.get_by_text("2 leads shown, more available")).to_be_visible()
    expect(page.locator("tbody th a")).to_have_text(["Three", "Two"])
    page.get_by_role("button", name="Load more leads").click()
    expect(page.locator("#results-status")).to_have_text("3 leads shown")
    expect(page.locator("#announcer")).to_have_text("3 leads shown")  # told to screen readers
    expect(page.locator("tbody th a")).to_have_text(["Three", "Two", "One"])
    expect(page.get_by_role("link", name="One", exact=True)).to_be_focused()
    expect(page.get_by_role("button", name="Load more leads")).to_have_count(0)
