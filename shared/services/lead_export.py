"""Leads as CSV (docs/http-contract.md): UTF-8, a header row, formula-like cells neutralised."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

from shared.services.lead_view import LeadView

COLUMNS = (
    "LeadId", "LeadCreationDateTime", "Status", "Outcome", "LeadType", "Qualification",
    "Source", "CallToAction", "OfferId", "OfferTitle", "CustomerCompany", "FirstName",
    "LastName", "Title", "Email", "EmailValidity", "Phone", "PhoneValidity", "Country",
    "Quality", "QualityReasons", "RespondBy", "DealName", "EstimatedValue", "Currency",
    "EstimatedCloseDate", "CrmId", "CampaignId", "Reason", "Notes",
    # Added later, at the end, so partners' imports that read columns by position keep working.
    "CustomerMessage", "ContactRequested", "SenderName", "SenderEmail", "LeadUrl",
    "OwnerName", "OwnerEmail",
)  # fmt: skip

# Excel reads a CSV without a byte-order mark in the machine's ANSI code page (`Müller` becomes
# `MÃ¼ller`) and takes ISO 8601 instants (`T`, fractions, offsets) as text; with the BOM and
# `2026-11-23 09:00:00` (UTC, said in the README) it opens as UTF-8 with dates, like other
# spreadsheets.
BOM = "\ufeff"

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (the
# OWASP CSV-injection list); a leading apostrophe makes it plain text. `+` and `-` also start
# numbers and E.164 phones, which are kept as they are: a spreadsheet reads those as values.
_ALWAYS_FORMULA = ("=", "@", "\t", "\r")
_SIGNS = ("+", "-")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

Cell = str | int | Decimal | date | datetime | None


def csv_lines(leads: Iterable[LeadView], *, lead_url: Callable[[str], str]) -> Iterator[str]:
    """The BOM and the header, then one line per lead, produced lazily.

    `lead_url` gives a lead's page in the partner UI (the link the emails use).
    """
    buffer = io.StringIO()
    # Every cell quoted: a spreadsheet whose list separator is `;` (most of Europe) splits an
    # unquoted `x;=cmd|...` into cells, and the second one would start with `=`.
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)

    def line(cells: Iterable[Cell]) -> str:
        writer.writerow([_safe(cell) for cell in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield BOM + line(COLUMNS)
    for lead in leads:
        yield line([*_row(lead), *_added_cells(lead, lead_url)])


def csv_chunks(lines: Iterable[str], *, chunk_bytes: int = 64 * 1024) -> Iterator[bytes]:
    """`lines` as UTF-8, in pieces of about `chunk_bytes`: few enough writes for throughput,
    small enough that memory stays flat however many rows there are."""
    pending: list[bytes] = []
    size = 0
    for line in lines:
        encoded = line.encode("utf-8")
        pending.append(encoded)
        size += len(encoded)
        if size >= chunk_bytes:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


def _row(lead: LeadView) -> list[Cell]:
    deal = lead.deal
    closure = lead.lost or lead.decline
    offer, customer = lead.offer, lead.customer
    return [
        lead.id, lead.created_at, lead.status, lead.outcome, lead.lead_type, lead.qualification,
        lead.source, lead.call_to_action, offer.id if offer else None,
        offer.title if offer else None, customer.company, customer.first_name,
        customer.last_name, customer.title, customer.email, lead.email_validity, customer.phone,
        lead.phone_validity, customer.country, lead.quality.rating,
        "; ".join(lead.quality.reasons), lead.respond_by, deal.name if deal else None,
        deal.estimated_value if deal else None, deal.currency if deal else None,
        deal.estimated_close_date if deal else None, deal.crm_id if deal else None,
        deal.campaign_id if deal else None, closure.reason if closure else None,
        (closure.notes if closure and closure.notes else None) or (deal.notes if deal else None),
    ]  # fmt: skip


def _added_cells(lead: LeadView, lead_url: Callable[[str], str]) -> list[Cell]:
    sender, owner = lead.sender, lead.owner
    return [
        lead.description, "true" if lead.contact_requested else "false",
        sender.name if sender else None, sender.email if sender else None, lead_url(lead.id),
        owner.name if owner else None, owner.email if owner else None,
    ]  # fmt: skip


def _safe(cell: Cell) -> str:
    if cell is None:
        return ""
    text = _text(cell)
    return "'" + text if _is_formula(text) else text


def _text(cell: Cell) -> str:
    if isinstance(cell, datetime):
        # Seconds, no offset: spreadsheets read this as a date and time (stated to be UTC).
        return cell.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def _is_formula(text: str) -> bool:
    if text.startswith(_ALWAYS_FORMULA):
        return True
    return text.startswith(_SIGNS) and _PLAIN_NUMBER.fullmatch(text) is None
