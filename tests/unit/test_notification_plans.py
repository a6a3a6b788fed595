"""Who is told what, per kind of notification; what the templates make of strangers' text."""

from __future__ import annotations

import ast
from datetime import date, timedelta
from pathlib import Path

import mypy.api
import pytest

from shared.domain.lead import Actor
from shared.domain.lead_parts import Closure, Deal, Sender
from shared.domain.lead_values import EmailValidity, ReasonCode
from shared.domain.notification import Notification, NotificationKind
from shared.domain.recipients import EmailPreferences
from shared.services import notification_plans
from tests.unit.notification_world import LINKS, T0, VENDOR, World, about, new_lead

ANA = "ana@contoso.example"
ALEX = Actor("Alex", "u-1")


@pytest.fixture
def world() -> World:
    world = World()
    world.partner(ANA)
    return world


def test_a_hot_lead_says_so_in_the_subject_while_it_is_hot(world: World) -> None:
    lead = world.lead()
    email = world.planner.plan(new_lead(lead), T0).email
    assert email is not None
    assert email.subject == "🔥 Hot lead: Fabrikam wants to be contacted about Fleet Insights"
    later = world.planner.plan(new_lead(lead), T0 + timedelta(hours=73)).email
    assert later is not None
    assert later.subject == "New lead: Fabrikam · Fleet Insights"
    assert f"{LINKS.partner_ui_base_url}/leads/{lead.id}" in email.text
    assert f'href="{LINKS.partner_ui_base_url}/leads/{lead.id}"' in email.html


def test_strangers_markup_is_escaped_in_html_and_kept_as_text(world: World) -> None:
    lead = world.lead(company="<script>alert(1)</script>")
    email = world.planner.plan(new_lead(lead), T0).email
    assert email is not None
    assert "<script>" not in email.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in email.html
    assert "Company:        <script>alert(1)</script>" in email.text
    assert "\n" not in email.subject


def test_emails_to_the_partner_carry_no_customer_contact_details(world: World) -> None:
    email = world.planner.plan(new_lead(world.lead()), T0).email
    assert email is not None
    for part in (email.subject, email.text, email.html):
        assert "mia@fabrikam.test" not in part
        assert "+4930901820" not in part


def test_preferences_switch_a_contact_off_or_elsewhere(world: World) -> None:
    world.preferences.put(
        "contoso",
        EmailPreferences(user_id="u", sign_in_email=ANA.upper(), email="ana@home.example"),
    )
    email = world.planner.plan(new_lead(world.lead()), T0).email
    assert email is not None
    assert email.to == ("ana@home.example",)
    world.preferences.put(
        "contoso", EmailPreferences(user_id="u", sign_in_email=ANA, email_enabled=False)
    )
    plan = world.planner.plan(new_lead(world.lead(company="Other")), T0)
    assert (plan.email, plan.skip_reason) == (None, "no recipient")


def test_expiry_tells_the_staff_sender_or_else_the_vendor(world: World) -> None:
    referral = world.lead(sender=Sender(user_id="s1", name="Sam", email="sam@vendor.example"))
    expired = world.planner.plan(about(NotificationKind.LEAD_EXPIRED, referral), T0)
    assert expired.email is not None
    assert expired.email.to == ("sam@vendor.example",)
    assert expired.email.subject.startswith("Lead expired without a response: Fabrikam")
    marketplace = world.planner.plan(about(NotificationKind.LEAD_EXPIRED, world.lead()), T0)
    assert marketplace.email is not None
    assert marketplace.email.to == (VENDOR,)
    assert marketplace.feed is not None
    assert marketplace.feed.title.startswith("Lead expired: Fabrikam")


def test_declining_tells_the_customer_to_choose_another_partner(world: World) -> None:
    lead = world.lead()
    lead.decline(Closure(reason=ReasonCode.BUDGET_NOT_ADEQUATE), actor=ALEX, now=T0)
    world.leads.save(lead)
    plan = world.planner.plan(about(NotificationKind.LEAD_DECLINED, lead), T0)
    assert plan.email is not None
    assert plan.email.to == ("mia@fabrikam.test",)
    assert "Contoso Ltd is unable to take on your request" in plan.email.text
    assert LINKS.marketplace_url in plan.email.html
    assert "BudgetNotAdequate" not in plan.email.text  # the reason stays with the partner
    assert plan.feed is None


@pytest.mark.parametrize("abuse", ["reason", "validity"])
def test_no_email_answers_spam(world: World, abuse: str) -> None:
    lead = world.lead()
    reason = ReasonCode.ABUSE_SPAM_OR_PHISHING if abuse == "reason" else ReasonCode.OTHER
    lead.decline(Closure(reason=reason), actor=ALEX, now=T0)
    if abuse == "validity":
        lead.email_validity = EmailValidity.SPAM
    world.leads.save(lead)
    plan = world.planner.plan(about(NotificationKind.LEAD_DECLINED, lead), T0)
    assert (plan.email, plan.skip_reason) == (None, "no recipient")


def test_a_reminder_for_a_lead_answered_meanwhile_is_skipped(world: World) -> None:
    lead = world.lead()
    reminder = world.planner.plan(about(NotificationKind.EXPIRY_REMINDER, lead), T0)
    assert reminder.email is not None
    assert reminder.email.subject.startswith("Respond by 07 Dec 2026, 09:00 UTC")
    lead.accept(Deal(name="D"), team=[], contacts=[], actor=ALEX, now=T0)
    world.leads.save(lead)
    plan = world.planner.plan(about(NotificationKind.EXPIRY_REMINDER, lead), T0)
    assert (plan.email, plan.skip_reason) == (None, "lead already handled")
    assert plan.feed is not None


def test_the_digest_lists_the_held_leads_still_waiting(world: World) -> None:
    waiting, answered = world.lead(company="Waiting"), world.lead(company="Answered")
    answered.accept(Deal(name="D"), team=[], contacts=[], actor=ALEX, now=T0)
    world.leads.save(answered)
    digest = Notification.daily_digest(
        partner_id="contoso", day=date(2026, 11, 23), lead_ids=[waiting.id, answered.id, "gone"],
        now=T0 + timedelta(days=1),
    )  # fmt: skip
    plan = world.planner.plan(digest, T0 + timedelta(hours=2))
    assert plan.email is not None
    assert plan.email.to == (ANA,)
    assert plan.email.subject == "🔥 1 new lead for Contoso Ltd on 23 Nov 2026 (1 hot)"
    assert "Waiting" in plan.email.text
    assert "Answered" not in plan.email.text
    assert plan.volume_day is None  # a digest is not counted against the day


def test_a_kind_the_planner_does_not_name_is_an_error_not_a_decline_email(world: World) -> None:
    lead = world.lead()
    lead.decline(Closure(reason=ReasonCode.OTHER), actor=ALEX, now=T0)  # a customer to email
    world.leads.save(lead)
    unknown = about(NotificationKind.LEAD_DECLINED, lead).model_copy(update={"kind": "Mystery"})
    with pytest.raises(AssertionError):
        world.planner.plan(unknown, T0)


def _without_case(source: str, kind: str) -> str:
    """The planner's source with the `case NotificationKind.<kind>:` arm of `_by_kind` removed."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "_by_kind":
            (match,) = (stmt for stmt in node.body if isinstance(stmt, ast.Match))
            match.cases = [arm for arm in match.cases if kind not in ast.unparse(arm.pattern)]
    return ast.unparse(tree)


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy-cache")


@pytest.mark.parametrize("kind", ["LEAD_DECLINED", "NEW_LEAD"])
def test_mypy_rejects_a_planner_that_misses_a_kind(
    tmp_path: Path, mypy_cache: Path, kind: str
) -> None:
    planner = Path(notification_plans.__file__)
    assert "assert_never(kind)" in planner.read_text()
    partial = tmp_path / "partial_planner.py"
    partial.write_text(_without_case(planner.read_text(), kind))
    root = planner.parents[2]
    report, _, status = mypy.api.run([
        "--config-file", str(root / "pyproject.toml"), "--cache-dir", str(mypy_cache),
        "--follow-imports", "silent", str(partial),
    ])  # fmt: skip
    assert status == 1, report
    assert f'"assert_never" has incompatible type "Literal[NotificationKind.{kind}]"' in report


def test_one_reminder_email_lists_the_leads_its_run_reminded(world: World) -> None:
    soon, later, other_run, answered = (world.lead(company=name) for name in "ABCD")
    reminder = Notification.expiry_reminder(
        partner_id=soon.partner_id,
        lead_ids=[later.id, soon.id, other_run.id, answered.id],
        now=T0,
    )
    for lead, respond_by in ((soon, T0 + timedelta(hours=30)), (later, T0 + timedelta(hours=40))):
        lead.respond_by, lead.reminded_at = respond_by, T0
        world.leads.save(lead)
    other_run.reminded_at = T0 + timedelta(hours=1)  # its commit lost; a later run reminded it
    world.leads.save(other_run)
    answered.reminded_at = T0
    answered.accept(Deal(name="D"), team=[], contacts=[], actor=ALEX, now=T0)
    world.leads.save(answered)

    plan = world.planner.plan(reminder, T0)

    assert plan.email is not None
    assert plan.email.to == (ANA,)
    assert plan.email.subject.startswith("Respond soon: 2 leads expire")
    text = plan.email.text
    assert text.index(f"/leads/{soon.id}") < text.index(f"/leads/{later.id}")  # soonest first
    assert f"/leads/{other_run.id}" not in text
    assert f"/leads/{answered.id}" not in text
    assert f'href="{LINKS.partner_ui_base_url}/"' in plan.email.html  # All leads: the list
    assert plan.feed is not None
    assert plan.feed.title == "Respond soon: 2 leads"


def test_a_reminder_whose_leads_were_all_answered_sends_nothing(world: World) -> None:
    lead = world.lead()
    lead.accept(Deal(name="D"), team=[], contacts=[], actor=ALEX, now=T0)
    world.leads.save(lead)
    reminder = Notification.expiry_reminder(partner_id=lead.partner_id, lead_ids=[lead.id], now=T0)
    plan = world.planner.plan(reminder, T0)
    assert (plan.email, plan.skip_reason) == (None, "lead already handled")
