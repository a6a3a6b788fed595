"""Settings → Integrations in Chromium: add an endpoint, copy its secret once, ping it, see the
deliveries; a real receiver verifies the signature with the secret the page showed."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Dialog, Page, expect

from shared.services.event_ports import PING_EVENT_TYPE
from tests.support.webhook_receiver import WebhookReceiver
from tests.ui.desk import Desk
from tests.ui.ui_kit import sign_in, snap


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver().running() as live:
        yield live


def test_an_admin_adds_an_endpoint_pings_it_and_sees_the_delivery(
    page: Page, ui_url: str, desk: Desk, receiver: WebhookReceiver
) -> None:
    url = receiver.endpoint("/crm")
    sign_in(page, ui_url, desk.partner_id, roles=("Referrals.Admin",), path="settings")
    section = page.get_by_test_id("integrations")
    expect(section.get_by_text("No endpoints yet.")).to_be_visible()
    expect(section).not_to_contain_text("null")  # no secret to show is nothing, not "null"
    section.get_by_label("URL").fill("https://10.0.0.9/hook")  # refused here (loopback only)
    section.get_by_role("button", name="Add endpoint").click()
    expect(section.locator(".field-error:visible")).to_contain_text("only sends webhooks to")
    expect(section.get_by_text("No endpoints yet.")).to_be_visible()
    section.get_by_label("URL").fill(url)
    section.get_by_label("Description").fill("Our CRM")
    section.get_by_label("Won").check()
    section.get_by_role("button", name="Add endpoint").click()
    secret_box = section.get_by_test_id("secret")
    expect(secret_box).to_contain_text("not shown again")
    secret = secret_box.locator("code").inner_text()
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/=]{40,}", secret)
    receiver.endpoints["/crm"].secrets.append(secret)
    endpoint = section.get_by_test_id("webhook")
    expect(endpoint).to_contain_text("Our CRM")
    expect(endpoint).to_contain_text("Won")  # events by the names the form gave them
    expect(endpoint).to_contain_text("Signed JSON (CloudEvents)")  # the format by its name
    endpoint.get_by_role("button", name="Send a ping").click()
    (arrived,) = receiver.wait_for("/crm", 1)
    assert arrived.event_type == PING_EVENT_TYPE
    assert arrived.verified_with == [secret]
    for _ in range(40):  # the delivery records its outcome a moment after the receiver answered
        endpoint.get_by_role("button", name="Show deliveries").click()
        if endpoint.locator("tr[data-status='Delivered']").count():
            break
        page.wait_for_timeout(250)
    expect(endpoint.locator("tr[data-status='Delivered']")).to_contain_text("200")
    snap(page, "settings-integrations", reload=False)
    page.reload()  # the secret is never shown again
    expect(page.get_by_test_id("webhook")).to_be_visible()
    expect(page.get_by_test_id("secret")).to_have_count(0)
    assert secret not in page.content()


def test_a_user_without_an_admin_role_is_told_who_may_connect(
    page: Page, ui_url: str, desk: Desk
) -> None:
    sign_in(page, ui_url, desk.partner_id, roles=("Referrals.User",), path="settings")
    expect(page.get_by_test_id("integrations")).to_contain_text("Only a Referrals admin")


def test_an_endpoint_button_says_when_the_api_refused_and_delete_asks_first(
    page: Page, ui_url: str, desk: Desk, receiver: WebhookReceiver
) -> None:
    hooks = f"{desk.api}/integrations/webhooks"
    added = desk.http.post(hooks, json={"url": receiver.endpoint("/gone")}, headers=desk.headers)
    assert added.status_code == 201, added.text
    sign_in(page, ui_url, desk.partner_id, roles=("Referrals.Admin",), path="settings")
    endpoint = page.get_by_test_id("webhook")
    questions: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    endpoint.get_by_role("button", name="Delete").click()
    expect(endpoint.get_by_role("button", name="Delete")).to_be_enabled()  # the click is over
    url = receiver.endpoint("/gone")
    assert questions == [f"Delete the endpoint {url}? It gets no more events."]
    assert len(desk.http.get(hooks, headers=desk.headers).json()["items"]) == 1  # dismissed: kept

    gone = desk.http.delete(f"{hooks}/{added.json()['id']}", headers=desk.headers)
    assert gone.status_code == 204, gone.text  # deleted meanwhile, in another tab
    endpoint.get_by_role("button", name="Disable").click()
    expect(endpoint.get_by_role("alert")).to_contain_text("That did not work")
