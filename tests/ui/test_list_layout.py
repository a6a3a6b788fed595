"""The list at a laptop's and a phone's width, and the search box, in Chromium.

At 1366 px the list fits without horizontal scrolling (the page's nor the table's) and the
Respond by column is on screen; at 390 px the first screen shows at least three leads.
Screenshots land in test-artifacts/ui/.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.ui.desk import Desk
from tests.ui.ui_kit import ARTIFACTS, lead_row, sign_in

LONG = "Fabrikam Fleet Management and Logistics International GmbH & Co. KG"


def _deliver_a_realistic_list(desk: Desk) -> None:
    desk.deliver(LONG, "PLT", FirstName="Maximiliane", LastName="Oberhausen-Wittgenstein",
                 Title="Head of Procurement and Vendor Relationship Management")  # fmt: skip
    desk.deliver("Litware", "INS")
    desk.deliver(
        "Northwind Traders",
        "PLT",
        Title="Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft",
    )
    desk.deliver("Contoso Pharmaceuticals", "INS")
    desk.deliver("Adventure Works Cycles", "PLT")


def _overflow(page: Page, selector: str) -> dict[str, Any]:
    measured: dict[str, Any] = page.eval_on_selector(
        selector, "el => ({scroll: el.scrollWidth, client: el.clientWidth})"
    )
    return measured


def test_at_1366_px_the_list_fits_and_respond_by_is_visible(
    page: Page, ui_url: str, desk: Desk
) -> None:
    _deliver_a_realistic_list(desk)
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, ui_url, desk.partner_id)
    expect(page.get_by_text("5 leads shown")).to_be_visible()
    page.screenshot(path=str(_artifact("list-1366")), full_page=True)
    document = _overflow(page, "html")
    assert document["scroll"] <= document["client"], document
    table = _overflow(page, ".table-wrap")
    assert table["scroll"] <= table["client"], table
    header = page.get_by_role("columnheader", name="Respond by").bounding_box()
    assert header is not None
    assert header["x"] >= 0, header
    assert header["x"] + header["width"] <= 1366, header
    row = lead_row(page, LONG)
    respond_by = row.locator("td[data-label='Respond by']").bounding_box()
    assert respond_by is not None
    assert respond_by["x"] + respond_by["width"] <= 1366, respond_by


def test_at_390_px_the_first_screen_shows_three_leads(page: Page, ui_url: str, desk: Desk) -> None:
    _deliver_a_realistic_list(desk)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, ui_url, desk.partner_id)
    expect(page.get_by_text("5 leads shown")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(_artifact("list-390")))
    document = _overflow(page, "html")
    assert document["scroll"] <= document["client"], document
    boxes = [row.bounding_box() for row in page.locator(".lead-table tbody tr").all()]
    on_first_screen = [
        box for box in boxes if box and box["y"] >= 0 and box["y"] + box["height"] <= 844
    ]
    assert len(on_first_screen) >= 3, boxes
    # Respond by is part of each card on a phone too.
    expect(
        lead_row(page, "Northwind Traders").locator("td[data-label='Respond by']")
    ).to_be_visible()
    # The owner's name, in the flow of the card, says it is the owner.
    owner = lead_row(page, "Northwind Traders").locator("td[data-label='Owner']")
    assert owner.evaluate("el => getComputedStyle(el, '::before').content") == '"Owner: "'
    # The tabs scroll sideways on a phone: the current one, last of the strip, is brought in view.
    page.goto(ui_url + "?view=favorites")
    views = page.get_by_role("navigation", name="Lead views")
    favorites = views.get_by_role("link", name="Favorites")
    expect(favorites).to_have_attribute("aria-current", "page")
    box = favorites.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390, box


def test_the_search_box_finds_a_lead_by_name_and_keeps_it_in_the_url(
    page: Page, ui_url: str, desk: Desk
) -> None:
    desk.deliver("Müller Logistik", FirstName="Zoë", LastName="Ångström")
    desk.deliver("Northwind Traders")
    sign_in(page, ui_url, desk.partner_id)
    expect(page.get_by_text("2 leads shown")).to_be_visible()
    search = page.get_by_role("searchbox", name="Search leads")
    search.fill("angstr")
    search.press("Enter")
    expect(page.get_by_text("1 lead shown")).to_be_visible()
    expect(lead_row(page, "Müller Logistik")).to_be_visible()
    expect(lead_row(page, "Northwind Traders")).to_have_count(0)
    assert "q=angstr" in page.url
    # The order a search comes in without a sort is named as such, not "Newest first".
    expect(page.get_by_label("Sort by")).to_have_value("")
    expect(page.get_by_label("Sort by").locator("option:checked")).to_have_text(
        "Matched name (A\u2013Z)"
    )
    page.screenshot(path=str(_artifact("list-search")))
    page.reload()  # the search is part of the bookmarkable view
    expect(page.get_by_role("searchbox", name="Search leads")).to_have_value("angstr")
    expect(page.get_by_text("1 lead shown")).to_be_visible()
    page.get_by_role("searchbox", name="Search leads").fill("")
    page.get_by_role("searchbox", name="Search leads").press("Enter")
    expect(page.get_by_text("2 leads shown")).to_be_visible()
    assert "q=" not in page.url


def _artifact(name: str) -> Any:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"
