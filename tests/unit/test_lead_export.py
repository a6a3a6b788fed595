"""The export's cells can never become a formula, whatever the spreadsheet's list separator."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from shared.adapters.clock import FixedClock
from shared.domain.lead import MARKETPLACE, Lead, LeadDetails
from shared.domain.lead_parts import Interaction
from shared.domain.lead_policy import LeadPolicy
from shared.domain.lead_values import Customer, LeadType, Quality, QualityRating, View
from shared.domain.principal import Principal
from shared.domain.team import Owner
from shared.services.lead_actions import LeadActions
from shared.services.lead_events import LeadEvents
from shared.services.lead_export import BOM, COLUMNS, csv_lines
from shared.services.lead_view import LeadView
from tests.unit.fakes import InMemoryLeadRepository, NoFavorites, RecordingPublisher

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
READER = Principal(user_id="u-1", roles=frozenset({"Referrals.User"}), partner_id="contoso")
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _link(lead_id: str) -> str:
    return f"https://partners.example/leads/{lead_id}"


def _view(**customer: str) -> LeadView:
    """The lead as the workspace API shows it, through the service that serves it."""
    details = LeadDetails(
        view=View.MARKETPLACE,
        lead_type=LeadType.PROFILE,
        interaction=Interaction(action_code="PLT", at=NOW),
        customer=Customer(**customer),
        quality=Quality(rating=QualityRating.HIGH),
        requires_action=True,
        contact_requested=True,
    )
    lead = Lead.receive(
        lead_id="lead-1", partner_id="contoso", dedup_key="d", details=details,
        actor=MARKETPLACE, now=NOW, policy=LeadPolicy(),
    )  # fmt: skip
    leads = InMemoryLeadRepository()
    leads.add(lead)
    actions = LeadActions(
        events=LeadEvents(policy=LeadPolicy()),
        leads=leads, favorites=NoFavorites(), publisher=RecordingPublisher(),
        clock=FixedClock(NOW), policy=LeadPolicy(),
    )  # fmt: skip
    return actions.get(READER, lead.id)


def _exported(**customer: str) -> dict[str, str]:
    text = "".join(csv_lines([_view(**customer)], lead_url=_link)).removeprefix(BOM)
    (row,) = csv.DictReader(io.StringIO(text, newline=""))
    return row


@pytest.mark.parametrize(
    ("company", "exported"),
    [
        ("Fabrikam", "Fabrikam"),
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("+1-2", "'+1-2"),
        ("-2+3", "'-2+3"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-", "'-"),
        ("+", "'+"),
        ("+4930901820", "+4930901820"),  # an E.164 phone
        ("-12.5", "-12.5"),  # a plain number
        ("+3", "+3"),
        ("x;=cmd|' /C calc'!A0;", "x;=cmd|' /C calc'!A0;"),  # quoted, so one cell
    ],
)
def test_a_cell_is_neutralised_exactly_when_a_spreadsheet_would_run_it(
    company: str, exported: str
) -> None:
    assert _exported(company=company)["CustomerCompany"] == exported


def test_an_e164_phone_is_exported_as_is() -> None:
    assert _exported(phone="+4930901820")["Phone"] == "+4930901820"


def _cells_as_a_spreadsheet_splits(line: str, separator: str) -> list[str]:
    """How Excel reads a line with `separator` as its list separator: a double quote anywhere
    toggles quoting, and only a separator outside quotes ends a cell."""
    cells: list[str] = []
    cell: list[str] = []
    quoted = False
    for char in line.rstrip("\r\n"):
        if char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            cells.append("".join(cell))
            cell = []
        else:
            cell.append(char)
    return [*cells, "".join(cell)]


@pytest.mark.parametrize("separator", [",", ";", "\t", "|"])
def test_no_list_separator_splits_a_cell_into_a_formula(separator: str) -> None:
    evil = "x;=cmd|' /C calc'!A0;,=1+1\t@SUM(A1)|-2+3"
    header, line = csv_lines([_view(company=evil, first_name=evil, title=evil)], lead_url=_link)
    assert header.startswith(BOM + '"LeadId","LeadCreationDateTime"')
    for cell in _cells_as_a_spreadsheet_splits(line, separator):
        assert not cell.startswith(TRIGGERS), (separator, cell)


def test_every_cell_is_quoted_and_the_columns_keep_their_names() -> None:
    header, line = csv_lines([_view(company="Fabrikam")], lead_url=_link)
    assert header.startswith(BOM)
    assert next(csv.reader([header.removeprefix(BOM)])) == list(COLUMNS)
    assert header.count('"') == 2 * len(COLUMNS)
    assert line.startswith('"lead-1","2026-11-23 09:00:00"')
    assert line.count('","') == len(COLUMNS) - 1


def test_the_columns_partners_import_keep_their_names_and_places() -> None:
    assert COLUMNS[:30] == (
        "LeadId", "LeadCreationDateTime", "Status", "Outcome", "LeadType", "Qualification",
        "Source", "CallToAction", "OfferId", "OfferTitle", "CustomerCompany", "FirstName",
        "LastName", "Title", "Email", "EmailValidity", "Phone", "PhoneValidity", "Country",
        "Quality", "QualityReasons", "RespondBy", "DealName", "EstimatedValue", "Currency",
        "EstimatedCloseDate", "CrmId", "CampaignId", "Reason", "Notes",
    )  # fmt: skip
    assert COLUMNS[30:] == (
        "CustomerMessage",
        "ContactRequested",
        "SenderName",
        "SenderEmail",
        "LeadUrl",
        "OwnerName",
        "OwnerEmail",
    )


def test_the_owner_columns_name_the_lead_owner_or_stay_empty() -> None:
    view = _view(company="Fabrikam")
    owned = view.model_copy(update={"owner": Owner(id="u-1", name="Sam Sales", email="s@c.com")})
    rows = "".join(csv_lines([view, owned], lead_url=_link)).removeprefix(BOM)
    unowned_row, owned_row = csv.DictReader(io.StringIO(rows, newline=""))
    assert (unowned_row["OwnerName"], unowned_row["OwnerEmail"]) == ("", "")
    assert (owned_row["OwnerName"], owned_row["OwnerEmail"]) == ("Sam Sales", "s@c.com")


def test_instants_are_utc_to_the_second_and_the_new_columns_are_filled() -> None:
    row = _exported(company="Fabrikam")
    assert row["LeadCreationDateTime"] == "2026-11-23 09:00:00"
    assert row["RespondBy"] == "2026-12-07 09:00:00"
    assert row["ContactRequested"] == "true"
    assert row["LeadUrl"] == "https://partners.example/leads/lead-1"
