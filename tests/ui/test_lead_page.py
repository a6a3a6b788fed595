"""The lead page in Chromium: details, exactly the allowed actions, validation errors next to
their fields, a stale ETag from another tab, and the whole accept done from the keyboard."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from tests.ui.desk import Desk
from tests.ui.ui_kit import sign_in

ACCEPTED: dict[str, Any] = {
    "dealName": "Fleet rollout", "notes": "400 vans", "estimatedValue": 25000, "currency": "EUR",
    "teamMembers": [{"name": "Jo", "email": "jo@contoso.example"}],
}  # fmt: skip


def _open(page: Page, ui_url: str, desk: Desk, lead_id: str, **kwargs: Any) -> None:
    sign_in(page, ui_url, desk.partner_id, path=f"leads/{lead_id}", **kwargs)
    expect(page.get_by_role("heading", name="Actions")).to_be_visible()


def _actions(page: Page) -> list[str]:
    section = page.get_by_role("region", name="Actions")
    return [name.strip() for name in section.get_by_role("button").all_inner_texts()]


def test_accept_shows_the_apis_errors_next_to_their_fields_then_succeeds(
    page: Page, ui_url: str, desk: Desk
) -> None:
    lead_id = desk.deliver("Fabrikam")
    _open(page, ui_url, desk, lead_id)
    expect(page.get_by_text("The customer asked to be contacted.")).to_be_visible()
    expect(page.get_by_role("button", name="Copy email address")).to_be_visible()
    assert _actions(page) == ["Accept", "Decline", "Assign", "Take it"]

    page.get_by_role("button", name="Accept").click()
    form = page.get_by_role("form", name="Accept the lead")
    expect(form.get_by_label("Deal name")).to_be_focused()
    form.get_by_label("Estimated value").fill("-5")
    form.get_by_label("Currency").fill("XXQ")
    form.get_by_role("button", name="Add team member").click()
    member = form.get_by_role("group", name="Team member 1")
    member.get_by_label("Name").fill("Jo")
    member.get_by_label("Email").fill("not-an-email")
    form.get_by_role("button", name="Accept lead").click()

    summary = form.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Please correct these")
    for label in ("Deal name", "Notes", "Estimated value", "Currency"):
        control = form.get_by_label(label)
        expect(control).to_have_attribute("aria-invalid", "true")
        described = control.get_attribute("aria-describedby") or ""
        error = form.locator(f"#{described.split()[-1]}")
        expect(error).to_be_visible()
    expect(member.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    assert desk.lead(lead_id)["status"] == "Received"  # nothing was written

    form.get_by_label("Deal name").fill("Fleet rollout")
    form.get_by_label("Estimated value").fill("25000")
    form.get_by_label("Currency").fill("eur")
    form.get_by_label("Estimated close date").fill("2027-02-01")
    form.get_by_label("Notes").fill("400 vans, wants a demo")
    member.get_by_label("Email").fill("jo@contoso.example")
    form.get_by_label("CRM ID").fill("CRM-7")
    form.get_by_label("Marketing campaign ID").fill("CMP-1")
    form.get_by_role("button", name="Add contact").click()
    form.get_by_role("group", name="Contact 1").get_by_label("Name").fill("Sam")
    form.get_by_role("button", name="Accept lead").click()

    expect(page.locator("main").get_by_text("The lead is accepted.")).to_be_visible()
    expect(page.get_by_role("heading", name="Fabrikam", level=1)).to_be_focused()
    assert _actions(page) == [
        "Edit deal",
        "Add employee",
        "Mark won",
        "Mark lost",
        "Assign",
        "Take it",
    ]
    lead = desk.lead(lead_id)
    assert lead["status"] == "Accepted"
    assert lead["deal"] | {"estimatedValue": None} == {
        "name": "Fleet rollout", "estimatedValue": None, "currency": "EUR",
        "estimatedCloseDate": "2027-02-01", "notes": "400 vans, wants a demo", "crmId": "CRM-7",
        "campaignId": "CMP-1",
    }  # fmt: skip
    assert [m["email"] for m in lead["team"]] == ["jo@contoso.example"]
    assert [c["name"] for c in lead["contacts"]] == ["Sam"]


def test_decline_needs_a_reason_from_the_list(page: Page, ui_url: str, desk: Desk) -> None:
    lead_id = desk.deliver("Fabrikam")
    _open(page, ui_url, desk, lead_id)
    page.get_by_role("button", name="Decline").click()
    form = page.get_by_role("form", name="Decline the lead")
    form.get_by_role("button", name="Decline lead").click()
    expect(form.get_by_label("Reason")).to_have_attribute("aria-invalid", "true")
    options = form.get_by_label("Reason").locator("option").all_inner_texts()
    assert len(options) == 9
    assert "Abuse, spam or phishing" in options
    form.get_by_label("Reason").select_option(label="Timeline too short")
    form.get_by_label("Notes").fill("Needs it next week")
    form.get_by_role("button", name="Decline lead").click()

    expect(page.get_by_text("Archived: Declined")).to_be_visible()
    expect(page.get_by_text("Archived leads are read-only.")).to_be_visible()
    assert _actions(page) == []
    lead = desk.lead(lead_id)
    assert (lead["outcome"], lead["decline"]["reason"]) == ("Declined", "TimelineTooShort")


def test_edit_add_an_employee_then_mark_won(page: Page, ui_url: str, desk: Desk) -> None:
    lead_id = desk.deliver("Fabrikam")
    desk.act(lead_id, "accept", ACCEPTED)
    _open(page, ui_url, desk, lead_id)
    page.get_by_role("button", name="Edit deal").click()
    form = page.get_by_role("form", name="Edit the deal")
    expect(form.get_by_label("Deal name")).to_have_value("Fleet rollout")
    form.get_by_label("CRM ID").fill("CRM-9")
    form.get_by_role("button", name="Save changes").click()
    expect(page.locator("main").get_by_text("The deal is saved.")).to_be_visible()

    page.get_by_role("button", name="Add employee").click()
    form = page.get_by_role("form", name="Add an employee to the deal")
    form.get_by_label("Name").fill("Sam")
    form.get_by_label("Phone").fill("+44 20 7946 0958")
    form.get_by_role("button", name="Add employee").click()
    expect(page.locator("main").get_by_text("The employee is added to the team.")).to_be_visible()

    page.get_by_role("button", name="Mark won").click()
    form = page.get_by_role("form", name="Mark the deal won")
    form.get_by_label("Final deal value").fill("31000")
    form.get_by_role("button", name="Mark won").click()
    expect(page.get_by_text("Archived: Won")).to_be_visible()
    expect(page.get_by_role("region", name="Timeline")).to_contain_text("Won")
    lead = desk.lead(lead_id)
    assert (lead["status"], lead["outcome"]) == ("Archived", "Won")
    assert lead["deal"]["crmId"] == "CRM-9"
    assert [m["name"] for m in lead["team"]] == ["Jo", "Sam"]


def test_a_change_made_in_another_tab_is_a_412_with_a_reload(
    context: BrowserContext, ui_url: str, desk: Desk
) -> None:
    lead_id = desk.deliver("Fabrikam")
    first = context.new_page()
    _open(first, ui_url, desk, lead_id)
    second = context.new_page()  # the same user, signed in in this browser already
    second.goto(f"{ui_url}leads/{lead_id}")
    second.get_by_role("button", name="Accept").click()
    form = second.get_by_role("form", name="Accept the lead")
    form.get_by_label("Deal name").fill("Taken by tab two")
    form.get_by_label("Notes").fill("first")
    form.get_by_role("button", name="Accept lead").click()
    expect(second.locator("main").get_by_text("The lead is accepted.")).to_be_visible()

    first.get_by_role("button", name="Decline").click()
    form = first.get_by_role("form", name="Decline the lead")
    form.get_by_label("Reason").select_option(label="Other")
    form.get_by_role("button", name="Decline lead").click()
    alert = first.get_by_role("alert").filter(has_text="This lead changed")
    expect(alert).to_be_visible()
    expect(alert).to_be_focused()
    alert.get_by_role("button", name="Reload the lead").click()
    expect(
        first.get_by_role("region", name="Actions").get_by_role("button", name="Mark won")
    ).to_be_visible()
    assert desk.lead(lead_id)["status"] == "Accepted"


def test_accept_with_the_keyboard_only(page: Page, ui_url: str, desk: Desk) -> None:
    desk.deliver("Keyboard Co")
    sign_in(page, ui_url, desk.partner_id)
    _tab_to(page, lambda el: el["text"] == "Keyboard Co")
    _assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Keyboard Co", level=1)).to_be_focused()
    _tab_to(page, lambda el: el["text"] == "Accept")
    page.keyboard.press("Enter")
    page.keyboard.type("Keyboard deal")  # focus moved to Deal name
    page.keyboard.press("Tab")
    page.keyboard.type("1200")
    page.keyboard.press("Tab")
    page.keyboard.type("USD")
    _tab_to(page, lambda el: el["label"].startswith("Notes"))
    page.keyboard.type("Typed without a mouse")
    _tab_to(page, lambda el: el["text"] == "Add team member")
    page.keyboard.press("Enter")
    page.keyboard.type("Kim")  # the new row's name has focus
    _tab_to(page, lambda el: el["text"] == "Accept lead")
    _assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("main").get_by_text("The lead is accepted.")).to_be_visible()
    expect(page.get_by_role("heading", name="Keyboard Co", level=1)).to_be_focused()


_FOCUSED = """() => {
  const el = document.activeElement;
  const label = el.labels && el.labels[0] ? el.labels[0].textContent : '';
  return { text: (el.textContent || '').trim(), label: label.trim(), tag: el.tagName };
}"""


def _tab_to(page: Page, wanted: Any, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if wanted(page.evaluate(_FOCUSED)):
            return
    raise AssertionError(f"Tab never reached it; last focus: {page.evaluate(_FOCUSED)}")


def _assert_focus_visible(page: Page) -> None:
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert style[0] != "none", f"no visible focus: {style}"
    assert style[1] != "0px", f"no visible focus: {style}"


def test_the_timeline_shows_the_delivery_that_brought_each_stage(
    page: Page, ui_url: str, desk: Desk
) -> None:
    lead_id = desk.deliver("Fabrikam", action="INS")
    desk.deliver("Fabrikam", action="PLT", Email=desk.lead(lead_id)["customer"]["email"])
    stages = desk.lead(lead_id)["interactions"]
    delivery_ids = [stage["deliveryId"] for stage in stages]
    assert len(set(delivery_ids)) == 2
    assert all(re.fullmatch(r"[0-9a-f]{32}", delivery_id) for delivery_id in delivery_ids)
    _open(page, ui_url, desk, lead_id)
    timeline = page.get_by_role("region", name="Timeline")
    shown = timeline.locator("code.delivery-id").all_inner_texts()
    assert sorted(shown) == sorted(delivery_ids)
