"""The lead page offers exactly the lead's `allowedActions`: what the API says the user may do,
never a rule of its own about the lead's status or the user's roles."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, Response, Route, expect

from tests.ui.desk import Desk
from tests.ui.test_lead_page import _actions, _open


def _lead_read(lead_id: str) -> Callable[[Response], bool]:
    return lambda response: (
        response.request.method == "GET" and response.url.endswith(f"/api/leads/{lead_id}")
    )


def test_a_read_only_user_sees_no_action_buttons_because_the_api_offers_none(
    page: Page, ui_url: str, desk: Desk
) -> None:
    lead_id = desk.deliver("Fabrikam")
    desk.assign(lead_id)  # owned: a salesperson may no longer take it either
    with page.expect_response(_lead_read(lead_id)) as read:
        _open(page, ui_url, desk, lead_id, roles=("Referrals.User",))
    assert read.value.json()["allowedActions"] == ["favorite", "unfavorite"]
    expect(page.get_by_text(re.compile("can read leads but not act"))).to_be_visible()
    assert _actions(page) == []
    expect(page.get_by_role("button", name="Favourite: Fabrikam")).to_be_visible()


def _offering(actions: list[str]) -> Callable[[Route], None]:
    """Answer the lead's reads with `actions` as its allowedActions, the rest as the API said."""

    def rewrite(route: Route) -> None:
        if route.request.method != "GET":
            route.continue_()
            return
        response = route.fetch()
        route.fulfill(response=response, json={**response.json(), "allowedActions": actions})

    return rewrite


def test_the_page_follows_the_api_not_the_leads_status_or_the_users_roles(
    page: Page, ui_url: str, desk: Desk
) -> None:
    lead_id = desk.deliver("Fabrikam")  # Received; the user is an admin: accept or decline
    page.route(f"**/api/leads/{lead_id}", _offering(["markWon"]))
    _open(page, ui_url, desk, lead_id)
    assert _actions(page) == ["Mark won"]
    expect(page.get_by_role("button", name="Favourite: Fabrikam")).to_have_count(0)

    # The API keeps the last word: a step the lead's state does not allow is refused (409).
    page.get_by_role("button", name="Mark won").click()
    form = page.get_by_role("form", name="Mark the deal won")
    form.get_by_role("button", name="Mark won").click()
    expect(page.get_by_role("alert").filter(has_text="no longer allows this")).to_be_visible()
    assert desk.lead(lead_id)["status"] == "Received"
