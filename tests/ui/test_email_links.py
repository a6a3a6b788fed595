"""Every link of every email template, made by the real notifier and followed in Chromium.

A host of its own (a daily threshold of one lead, so a digest comes quickly; a vendor address, so
expiries are emailed) stores its emails in the blob outbox. The jobs run on demand, as of days
ahead. Each link, from the HTML and the text part alike, is opened signed in: it must show real
content, never "Page not found". The marketplace (where a declined customer is sent) is a local
stand-in page, since tests run offline.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from shared.domain.team import contact_member_id
from tests.support.app_storage import AppStorage
from tests.support.auth import bearer
from tests.support.azurite import REPO_ROOT, free_port
from tests.support.hosts import running_host
from tests.ui.conftest import _bound_settings
from tests.ui.desk import Desk
from tests.ui.ui_kit import ARTIFACTS, sign_in
from tools.localhost.process import HostProcess
from tools.outbox import stored_emails

TEMPLATES = sorted(
    path.name.removesuffix(".subject.txt")
    for path in (REPO_ROOT / "shared" / "templates").glob("*.subject.txt")
)
MARKETPLACE_TITLE = "Partner directory (test stand-in)"
PUBLIC = "http://leads.test/api"  # the base the emails carry; this host's real one replaces it


def _source(template: str) -> str:
    return (REPO_ROOT / "shared" / "templates" / f"{template}.html").read_text(encoding="utf-8")


def _template(kind: str) -> str:
    """`ExpiryReminder` -> `expiry_reminder`: the notification kind's template."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind).lower()


class _Marketplace(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # the http.server hook's name
        body = f"<!DOCTYPE html><title>{MARKETPLACE_TITLE}</title><h1>{MARKETPLACE_TITLE}</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format: str, *args: Any) -> None:  # the hook's name
        pass


@pytest.fixture(scope="module")
def marketplace() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _Marketplace)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/marketplace/partner-dir"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def mail_host(
    ui_env: dict[str, str], marketplace: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[HostProcess, dict[str, str]]]:
    suffix = uuid.uuid4().hex[:8]
    env = {
        **ui_env,
        **_bound_settings(suffix),  # queues of its own: the UI host must not take its messages
        "STORAGE_PREFIX": f"e{suffix}",
        "DIGEST_THRESHOLD": "1",
        "VENDOR_NOTIFICATION_EMAIL": "vendor@contoso.example",
        "MARKETPLACE_URL": marketplace,
    }
    with running_host(env, tmp_path_factory.mktemp("mail-host"), fast_queues=True) as host:
        yield host, env


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [value for name, value in attrs if tag == "a" and name == "href" and value]


def _html_links(html: str) -> set[str]:
    parser = _Links()
    parser.feed(html)
    return set(parser.hrefs)


def _emails(
    env: dict[str, str], *, until: set[str], reminders: int, timeout: float = 60
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        emails = stored_emails(env["AzureWebJobsStorage"], env["STORAGE_PREFIX"])
        reminded = sum(1 for email in emails if email["kind"] == "ExpiryReminder")
        if until <= {_template(str(email["kind"])) for email in emails} and reminded >= reminders:
            return emails
        assert time.monotonic() < deadline, f"emails so far: {[e['kind'] for e in emails]}"
        time.sleep(0.3)


def _wait_until_held(env: dict[str, str], partner_id: str, lead_id: str) -> None:
    """Until the lead's new-lead notification is held for the digest (past the day's one)."""
    storage = AppStorage(env)
    deadline = time.monotonic() + 60
    while not any(
        row["RowKey"].startswith("S|") and row.get("LeadId") == lead_id and row["Status"] == "Held"
        for row in storage.rows("Leads", partner_id)
    ):
        assert time.monotonic() < deadline, f"lead {lead_id} never held for the digest"
        time.sleep(0.2)


def _run_job(desk: Desk, job: str, as_of: datetime) -> None:
    response = desk.http.post(
        f"{desk.api}/ops/jobs/{job}",
        params={"asOf": as_of.isoformat(), "partnerId": desk.partner_id, "allowFuture": "true"},
        headers=bearer("Leads.Operator"),
    )
    assert response.status_code == 200, response.text


def test_every_link_of_every_email_opens_a_real_page(
    page: Page, mail_host: tuple[HostProcess, dict[str, str]], marketplace: str
) -> None:
    host, env = mail_host
    api = f"{host.base_url}/api"
    with Desk.open(api) as desk:
        now = datetime.now(UTC)
        first = desk.deliver("Alpha", Email="mia.jones@fabrikam.com")  # new-lead email
        second = desk.deliver("Beta", Email="li.wu@fabrikam.com")  # held: the digest's
        declined = desk.deliver("Gamma", Email="jo.kim@fabrikam.com")
        desk.act(declined, "decline", {"reason": "BudgetNotAdequate"})  # to the customer
        _run_job(desk, "remind-expiring", now + timedelta(days=12, hours=1))  # Alpha and Beta
        _wait_until_held(env, desk.partner_id, second)  # the notifier runs on its own time
        _run_job(desk, "send-digests", now + timedelta(days=2))
        _run_job(desk, "expire-leads", now + timedelta(days=15))  # to the vendor, each
        open_lead = desk.deliver("Delta", Email="ana.lee@fabrikam.com")  # what the list shows
        _run_job(desk, "remind-expiring", now + timedelta(days=12, hours=1))  # Delta alone
        desk.assign(open_lead, contact_member_id("desk@contoso.example"))  # to its new owner
        _run_job(desk, "escalate-stale-leads", now + timedelta(hours=25))  # not followed up
        emails = _emails(env, until=set(TEMPLATES), reminders=2)
        companies = {first: "Alpha", second: "Beta", declined: "Gamma", open_lead: "Delta"}

        links: dict[str, set[str]] = {}
        for email in emails:
            html_links = _html_links(str(email["html"]))
            text_links = set(re.findall(r"https?://\S+", str(email["text"])))
            assert html_links == text_links, email["subject"]  # both parts, the same links
            for link in html_links:
                links.setdefault(link, set()).add(_template(str(email["kind"])))
        reminders = [e for e in emails if e["kind"] == "ExpiryReminder"]
        # Alpha and Beta in one email (the list), Delta in one of its own (the lead itself).
        assert sorted(len(_html_links(str(e["html"]))) for e in reminders) == [1, 3]
        assert {_template(str(e["kind"])) for e in emails} == set(TEMPLATES)
        linking = {name for name in TEMPLATES if "href=" in _source(name)}
        assert {kind for kinds in links.values() for kind in kinds} == linking

        sign_in(page, f"{api}/ui/", desk.partner_id)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shots: list[str] = []
        for link in sorted(links):
            target = link.replace(PUBLIC, api)
            page.goto(target)
            seen_in = ", ".join(sorted(links[link]))
            if link == marketplace:
                expect(page.get_by_role("heading", name=MARKETPLACE_TITLE)).to_be_visible()
                continue
            assert link.startswith(f"{PUBLIC}/ui/"), f"{link} (in {seen_in}) leaves the app"
            main = page.locator("main")
            lead = re.search(r"/leads/([0-9a-f]{32})$", link)
            if lead:
                heading = page.get_by_role("heading", level=1)
                expect(heading).to_have_text(companies[lead.group(1)])
            else:  # the list
                expect(main.get_by_role("link", name="Delta", exact=True)).to_be_visible()
            expect(page.get_by_role("heading", name="Page not found")).to_have_count(0)
            shot = f"email-link-{len(shots) + 1}-{'-'.join(sorted(links[link]))}.png"
            page.screenshot(path=str(ARTIFACTS / shot))
            shots.append(shot)
        page.goto(f"{api}/ui/leads")  # what emails sent before linked to as "All leads"
        expect(page.locator("main").get_by_role("link", name="Delta", exact=True)).to_be_visible()
