"""What kind of mailbox an email domain is: disposable/spam, free mail, or (by default) business.

Both lists are plain text files shipped in `shared/data/` so that operators can edit them without
touching code; they are found relative to this module, which is where the deployed package lives.
Load them once per worker (in the composition root), not per lead.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
SPAM_DOMAINS_FILE = DATA_DIR / "spam_domains.txt"
FREE_MAIL_DOMAINS_FILE = DATA_DIR / "free_mail_domains.txt"


class DomainKind(StrEnum):
    BUSINESS = "Business"
    FREE_MAIL = "FreeMail"
    DISPOSABLE = "Disposable"
    UNKNOWN = "Unknown"


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
