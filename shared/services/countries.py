"""Turning the country a customer typed or picked into an ISO 3166-1 alpha-2 code.

The marketplace sends what its form produced (`US`, `USA`, `Germany`...) and vendor staff type
names, so codes (alpha-2, alpha-3, numeric) and English names go through pycountry, and the common
names pycountry does not know (it follows ISO's official spelling) go through a small alias table.
"""

from __future__ import annotations

import pycountry

# Keys are case-folded with dots removed and whitespace collapsed (see `_key`).
_ALIASES: dict[str, str] = {
    "america": "US",
    "united states": "US",
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "brasil": "BR",
    "deutschland": "DE",
    "holland": "NL",
    "the netherlands": "NL",
    "south korea": "KR",
    "korea": "KR",  # in a business lead, "Korea" means the Republic of Korea
    "republic of korea": "KR",
    "russia": "RU",
    "vietnam": "VN",
    "czech republic": "CZ",
    "turkey": "TR",
    "taiwan": "TW",
    "iran": "IR",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "syria": "SY",
    "laos": "LA",
    "moldova": "MD",
    "macedonia": "MK",
    "uae": "AE",
    "ivory coast": "CI",
    "cape verde": "CV",
    "swaziland": "SZ",
    "burma": "MM",
    "east timor": "TL",
    "macau": "MO",
    "vatican": "VA",
    "vatican city": "VA",
    "palestine": "PS",
    "dr congo": "CD",
    "drc": "CD",
    "democratic republic of the congo": "CD",
    "micronesia": "FM",
}


def country_code(text: str) -> str | None:
    """The alpha-2 code for a code or name, or None when it is not recognised."""
    key = _key(text)
    if not key:
        return None
    if key in _ALIASES:
        return _ALIASES[key]
    candidates = [key.zfill(3)] if key.isascii() and key.isdigit() else [key, text.strip()]
    for candidate in candidates:
        try:
            return str(pycountry.countries.lookup(candidate).alpha_2)
        except LookupError:
            continue
    return None


def normalise_country(text: str | None) -> str | None:
    """Alpha-2 when recognised, else the trimmed text as given: a country is never lost."""
    if text is None or not text.strip():
        return None
    return country_code(text) or text.strip()


def _key(text: str) -> str:
    return " ".join(text.replace(".", "").split()).casefold()
