"""Turning the country a customer typed or picked into an ISO 3166-1 alpha-2 code.

The marketplace sends what its form produced (`US`, `USA`, `Germany`...) and vendor staff type
names, so codes (alpha-2, alpha-3, numeric) and English names go through pycountry, and the common
names pycountry does not know (it follows ISO's official spelling) go through a small alias table.
Names in other languages (`Allemagne`, `Deutschland`, `日本`) come from the translations of the
ISO 3166-1 names that pycountry ships (the iso-codes project's gettext catalogues).
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

import pycountry

# The languages whose country names are recognised: the business languages of the markets the
# marketplace serves. Each adds about 10 ms to building the index (once per worker); all 159
# catalogues would take 1.5 s and add mistranslations that collide (one name, two countries).
_LANGUAGES = (
    "de", "fr", "es", "it", "pt", "pt_BR", "nl", "sv", "da", "nb", "fi", "is", "pl", "cs", "sk",
    "sl", "hr", "sr", "bg", "ro", "hu", "el", "tr", "ru", "uk", "et", "lv", "lt", "ca", "ga",
    "ja", "zh_CN", "zh_TW", "ko", "vi", "th", "id", "ms", "hi", "ar", "he", "fa",
)  # fmt: skip

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
    "holland": "NL",
    "the netherlands": "NL",
    "south korea": "KR",
    "korea": "KR",  # in a business lead, "Korea" means the Republic of Korea
    "republic of korea": "KR",
    "russia": "RU",
    "россия": "RU",
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
    return _translated_names().get(key)


@cache
def _translated_names() -> dict[str, str]:
    """Every unambiguous translated country name (key form) → alpha-2; built on first use."""
    found: dict[str, set[str]] = {}
    locales = Path(pycountry.LOCALES_DIR)
    for language in _LANGUAGES:
        if not (locales / language / "LC_MESSAGES" / "iso3166-1.mo").exists():
            continue
        catalogue = gettext.translation("iso3166-1", str(locales), languages=[language])
        for country in pycountry.countries:
            for attribute in ("name", "official_name", "common_name"):
                english = getattr(country, attribute, None)
                if english:
                    found.setdefault(_key(catalogue.gettext(english)), set()).add(country.alpha_2)
    # A name two countries share in some language is no evidence for either.
    return {name: codes.pop() for name, codes in found.items() if len(codes) == 1}


def normalise_country(text: str | None) -> str | None:
    """Alpha-2 when recognised, else the trimmed text as given: a country is never lost."""
    if text is None or not text.strip():
        return None
    return country_code(text) or text.strip()


def _key(text: str) -> str:
    return " ".join(text.replace(".", "").split()).casefold()
