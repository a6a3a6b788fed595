"""What kind of mailbox an email domain is: disposable/spam, free mail, or (by default) business.

Both lists are plain text files shipped in `shared/data/` so that operators can edit them without
touching code; they are found relative to this module, which is where the deployed package lives.
Load them once per worker (in the composition root), not per lead.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

import pycountry

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
SPAM_DOMAINS_FILE = DATA_DIR / "spam_domains.txt"
FREE_MAIL_DOMAINS_FILE = DATA_DIR / "free_mail_domains.txt"


class DomainKind(StrEnum):
    BUSINESS = "Business"
    FREE_MAIL = "FreeMail"
    DISPOSABLE = "Disposable"
    UNKNOWN = "Unknown"


class DomainProblem(StrEnum):
    """Why an address cannot be the customer's, whatever its syntax says."""

    RESERVED = "Reserved"  # RFC 2606 / 6761 names: never a real mailbox
    PLACEHOLDER = "Placeholder"  # test@test.com: typed to get past a form
    TYPO = "Typo"  # one slip away from a major provider or ending: gmial.con
    MIXED_SCRIPTS = "MixedScripts"  # a Cyrillic a (U+0430) in "example.com": a look-alike


# RFC 2606 and RFC 6761 (and the IANA special-use registry): no mail is ever delivered there.
_RESERVED_TLDS = frozenset({"test", "example", "invalid", "localhost", "local", "onion", "arpa"})
_RESERVED_DOMAINS = frozenset({"example.com", "example.net", "example.org"})
# A registered name that people type when they do not want to give theirs.
_PLACEHOLDER_NAMES = frozenset(
    {"test", "testing", "example", "sample", "asdf", "qwerty", "fake", "dummy", "foobar",
     "nomail", "noemail", "none", "null", "placeholder"}
)  # fmt: skip
# Providers long enough that one slip is not another real name (gmx, aol, web are not).
_MAJOR_PROVIDERS = frozenset(
    {"gmail", "googlemail", "yahoo", "hotmail", "outlook", "icloud", "protonmail"}
)
_COMMON_ENDINGS = ("com", "net", "org")
_OTHER_ENDINGS = frozenset(
    {"co", "io", "ai", "biz", "info", "app", "dev", "eu", "uk", "cat", "mobi", "pro", "tel",
     "name", "aero", "asia", "jobs", "museum", "travel", "coop", "int", "edu", "gov", "mil"}
)  # fmt: skip


def domain_problem(domain: str) -> DomainProblem | None:
    """What is obviously wrong with an email domain (Unicode or ASCII form), or None."""
    name = domain.strip().casefold().strip(".")
    labels = name.split(".")
    if labels[-1] in _RESERVED_TLDS or name in _RESERVED_DOMAINS:
        return DomainProblem.RESERVED
    if _mixes_scripts(name):
        return DomainProblem.MIXED_SCRIPTS
    if len(labels) < 2:
        return None
    registered, ending = labels[-2], labels[-1]
    if registered in _PLACEHOLDER_NAMES:
        return DomainProblem.PLACEHOLDER
    near_provider = any(
        registered != provider and _one_slip(registered, provider) for provider in _MAJOR_PROVIDERS
    )
    if near_provider or _mistyped_ending(ending):
        return DomainProblem.TYPO
    return None


def _mistyped_ending(ending: str) -> bool:
    """`con`, `cmo`, `nett`: one slip from .com/.net/.org and no top-level domain of its own."""
    if ending in _COMMON_ENDINGS or ending in _OTHER_ENDINGS or _is_country_code(ending):
        return False
    return any(_one_slip(ending, common) for common in _COMMON_ENDINGS)


def _is_country_code(ending: str) -> bool:
    return len(ending) == 2 and pycountry.countries.get(alpha_2=ending.upper()) is not None


def _one_slip(typed: str, meant: str) -> bool:
    """One letter wrong, missing, extra, or two neighbours swapped (Damerau distance 1)."""
    if abs(len(typed) - len(meant)) > 1 or typed == meant:
        return False
    if len(typed) == len(meant):
        diffs = [i for i, (a, b) in enumerate(zip(typed, meant, strict=True)) if a != b]
        if len(diffs) == 1:
            return True
        first, second = diffs[0], diffs[-1]
        return (
            len(diffs) == 2
            and second == first + 1
            and (typed[first], typed[second]) == (meant[second], meant[first])
        )
    shorter, longer = sorted((typed, meant), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def _mixes_scripts(domain: str) -> bool:
    """A label mixing alphabets (Latin with Cyrillic or Greek...) imitates another domain."""
    for label in domain.split("."):
        scripts = {_script(char) for char in label if char.isalpha()}
        if len(scripts) > 1:
            return True
    return False


# Scripts that are written together in one name: Japanese mixes kanji and kana, Korean hanja.
_WRITTEN_TOGETHER = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "HANGUL": "CJK"}


def _script(char: str) -> str:
    # Unicode names start with the script: "LATIN SMALL LETTER A", "CYRILLIC SMALL LETTER A".
    script = unicodedata.name(char, "UNKNOWN").split(" ")[0]
    return _WRITTEN_TOGETHER.get(script, script)


class SpamDomains:
    """The spam/disposable list (domains and full addresses) and the free-mail list.

    A listed domain covers its subdomains (`mail.spam.example` matches `spam.example`), because
    throwaway services hand out addresses on many subdomains of one registered domain.
    """

    def __init__(
        self,
        *,
        spam_domains: Iterable[str],
        spam_addresses: Iterable[str],
        free_mail: Iterable[str],
    ) -> None:
        self._spam_domains = frozenset(spam_domains)
        self._spam_addresses = frozenset(spam_addresses)
        self._free_mail = frozenset(free_mail)

    @classmethod
    def load(cls, path: Path | None = None, *, free_mail_path: Path | None = None) -> SpamDomains:
        """Read the spam list (default: the shipped one) and the free-mail list (ditto)."""
        spam_lines = (path or SPAM_DOMAINS_FILE).read_text(encoding="utf-8").splitlines()
        free_path = free_mail_path or FREE_MAIL_DOMAINS_FILE
        return cls.from_lines(spam_lines, free_path.read_text(encoding="utf-8").splitlines())

    @classmethod
    def from_lines(cls, lines: Iterable[str], free_mail_lines: Iterable[str] = ()) -> SpamDomains:
        """Entries one a line; `#` starts a comment; blank lines ignored; case-insensitive."""
        entries = list(_entries(lines))
        return cls(
            spam_domains=(entry for entry in entries if "@" not in entry),
            spam_addresses=(entry for entry in entries if "@" in entry),
            free_mail=_entries(free_mail_lines),
        )

    def kind_of(self, domain: str) -> DomainKind | None:
        """Disposable or FreeMail when listed (disposable wins), None when not on either list."""
        suffixes = _suffixes(domain)
        if not self._spam_domains.isdisjoint(suffixes):
            return DomainKind.DISPOSABLE
        if not self._free_mail.isdisjoint(suffixes):
            return DomainKind.FREE_MAIL
        return None

    def is_spam(self, address_or_domain: str) -> bool:
        text = address_or_domain.strip().casefold()
        if "@" in text:
            if text in self._spam_addresses:
                return True
            text = text.rpartition("@")[2]
        return self.kind_of(text) is DomainKind.DISPOSABLE


def _entries(lines: Iterable[str]) -> Iterable[str]:
    for line in lines:
        entry = line.partition("#")[0].strip().casefold().removeprefix("*.").strip(".")
        if entry:
            yield entry


def _suffixes(domain: str) -> set[str]:
    """`a.b.example` → {a.b.example, b.example, example}: the domain and all its parents."""
    labels = domain.strip().casefold().strip(".").split(".")
    return {".".join(labels[start:]) for start in range(len(labels)) if labels[start]}
