"""Reads Partner Center's marketplace lead export (CSV) into marketplace-shaped deliveries.

Headers are matched case-insensitively and ignoring spaces, underscores and hyphens, with the
aliases below (Partner Center's export has named some columns differently over time, and this
app's own export uses `CustomerCompany`); unknown columns are ignored. Each row becomes the JSON
body the webhook would have sent, plus `LeadCreationDateTime`, the lead's arrival time, so it
goes through the same journal and processing.

| column (any of)                                              | becomes                   |
|--------------------------------------------------------------|---------------------------|
| FirstName, CustomerFirstName                                 | UserDetails.FirstName     |
| LastName, CustomerLastName                                   | UserDetails.LastName      |
| Email, EmailAddress, CustomerEmail, ContactEmail             | UserDetails.Email         |
| Phone, PhoneNumber, CustomerPhone, ContactPhone              | UserDetails.Phone         |
| Country, CountryRegion, CustomerCountry                      | UserDetails.Country       |
| Company, CompanyName, CustomerCompany, CustomerCompanyName   | UserDetails.Company       |
| Title, JobTitle                                              | UserDetails.Title         |
| LeadSource                                                   | LeadSource                |
| ActionCode                                                   | ActionCode                |
| OfferTitle, OfferName, ProductName                           | OfferTitle                |
| Description, CustomerComments                                | Description               |
| LeadCreationDateTime, LeadCreatedDateTime, CreatedDateTime   | the lead's arrival (UTC)  |
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

from shared.domain.errors import FieldError, InvalidInput

ARRIVAL = "LeadCreationDateTime"
_USER = {
    "FirstName": ("firstname", "customerfirstname"),
    "LastName": ("lastname", "customerlastname"),
    "Email": ("email", "emailaddress", "customeremail", "contactemail"),
    "Phone": ("phone", "phonenumber", "customerphone", "contactphone"),
    "Country": ("country", "countryregion", "customercountry"),
    "Company": ("company", "companyname", "customercompany", "customercompanyname"),
    "Title": ("title", "jobtitle"),
}
_TOP = {
    "LeadSource": ("leadsource",),
    "ActionCode": ("actioncode",),
    "OfferTitle": ("offertitle", "offername", "productname"),
    "Description": ("description", "customercomments"),
    ARRIVAL: ("leadcreationdatetime", "leadcreateddatetime", "createddatetime"),
}
_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y")


@dataclass(frozen=True, slots=True)
class CsvRow:
    line: int  # of the file, 1-based, where the row starts (quoted newlines span lines)
    body: dict[str, object] | None
    problem: str | None = None


def _fold(header: str) -> str:
    return "".join(c for c in header.casefold() if c not in " _-")


def read_rows(text: TextIO) -> Iterator[CsvRow]:
    """The rows of `text` (opened with newline=""), one at a time: memory stays flat."""
    reader = csv.reader(text)
    header = next(reader, None)
    if header is None:
        raise InvalidInput("The file is empty: send Partner Center's lead export, header first.")
    columns = _columns(header)
    line = reader.line_num + 1
    for cells in reader:
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, e.g. at the end of the file
        yield _row(start, cells, columns)


def _columns(header: list[str]) -> dict[str, int]:
    aliases = {alias: name for name, names in (_USER | _TOP).items() for alias in names}
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        name = aliases.get(_fold(title))
        if name is not None:
            columns.setdefault(name, index)
    if ARRIVAL not in columns:
        message = "a LeadCreationDateTime column is required"
        raise InvalidInput(f"The file's header has no {ARRIVAL}.", [FieldError(ARRIVAL, message)])
    return columns


def _row(line: int, cells: list[str], columns: dict[str, int]) -> CsvRow:
    values = {
        name: cells[index].strip()
        for name, index in columns.items()
        if index < len(cells) and cells[index].strip()
    }
    arrival = parse_arrival(values.pop(ARRIVAL, ""))
    if arrival is None:
        return CsvRow(line, None, f"{ARRIVAL} is missing or not a date and time")
    user = {name: values[name] for name in _USER if name in values}
    body: dict[str, object] = {name: values[name] for name in _TOP if name in values}
    return CsvRow(line, {**body, "UserDetails": user, ARRIVAL: arrival.isoformat()})


def parse_arrival(text: str) -> datetime | None:
    """ISO 8601 or Partner Center's US format; a time without an offset is UTC."""
    if not text:
        return None
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        instant = None
        for pattern in _FORMATS:
            try:
                instant = datetime.strptime(text, pattern)  # naive: taken as UTC below
                break
            except ValueError:
                continue
    if instant is None:
        return None
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)
