"""What the UI tests do again and again: sign in, open a lead, look at a page, scan it with axe."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "ui"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 390)


def sign_in(
    page: Page,
    ui_url: str,
    partner_id: str,
    *,
    roles: tuple[str, ...] = ("Referrals.Admin",),
    path: str = "",
    email: str = "dev.user@example.com",
) -> None:
    """The dev sign-in form, as a person fills it in."""
    page.goto(ui_url + path)
    expect(page.get_by_role("heading", name="Dev sign-in")).to_be_visible()
    page.get_by_label("Partner ID").fill(partner_id)
    for role in ("Referrals.Admin", "Referrals.User", "BusinessProfile.Admin"):
        box = page.get_by_role("checkbox", name=re.compile(rf"^{re.escape(role)}"))
        box.set_checked(role in roles)
    page.get_by_label("Your email").fill(email)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def lead_row(page: Page, company: str) -> Any:
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=company, exact=True))


def snap(page: Page, name: str, *, reload: bool = True) -> list[Path]:
    """Screenshots of the page at 1280 and 390 px wide, under test-artifacts/ui/. With `reload`
    the page is drawn afresh at each width (as a phone would open it); without, as it is."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size or {"width": 1280, "height": 900}
    shots = []
    for width in WIDTHS:
        redraw = reload and width != original["width"]
        page.set_viewport_size({"width": width, "height": 900})
        if redraw:
            page.reload()
            page.wait_for_load_state("networkidle")
        page.wait_for_timeout(200)  # let charts redraw at the new width
        path = ARTIFACTS / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        shots.append(path)
    page.set_viewport_size(original)
    return shots


def axe_violations(page: Page) -> list[str]:
    """Serious and critical axe-core violations of the page as it is now (needs bypass_csp)."""
    if not page.evaluate("() => 'axe' in window"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
