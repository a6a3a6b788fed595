"""The marketplace's `LeadSource` and `ActionCode` vocabulary.

See docs/behaviour.md, "Marketplace deliveries".

`LeadSource` arrives bare (`AzureMarketplace`, with `ActionCode` beside it) or combined as
`Source-Action|publisher.offer`. Codes we do not know are kept verbatim and flagged, never refused:
the marketplace adds values over time, and a lead is worth more than tidy data.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.domain.lead_values import CallToAction, LeadFlag, Storefront

# Compared on letters and digits only, case-folded: `AppSource (SPZA)`, `appsource(spza)` and
# `AppSource-SPZA` are one source.
_SOURCES: dict[str, Storefront] = {
    "azuremarketplace": Storefront.AZURE_MARKETPLACE,
    "azureportal": Storefront.AZURE_PORTAL,
    "appsourcespza": Storefront.APPSOURCE,
    "appsource": Storefront.APPSOURCE,
    "spza": Storefront.APPSOURCE,
    "testdrive": Storefront.AZURE_MARKETPLACE,  # test drives run from the marketplace
}
_TEST_DRIVE_SOURCE = "testdrive"
_ACTIONS: dict[str, CallToAction | None] = {
    "ins": CallToAction.GET_IT_NOW,
    "create": CallToAction.GET_IT_NOW,
    "plt": CallToAction.CONTACT_ME,
    "starttestdrive": CallToAction.TEST_DRIVE,
    "testdrive": CallToAction.TEST_DRIVE,
    "freetrial": CallToAction.FREE_TRIAL,
    "startfreetrial": CallToAction.FREE_TRIAL,
    "trial": CallToAction.FREE_TRIAL,
    "dnc": None,  # do not contact: shared for information; a known code, so not flagged
}


@dataclass(frozen=True, slots=True)
class SourceReading:
    storefront: Storefront | None
    raw_source: str | None  # the source part as given, known or not
    action_code: str | None  # as given
    call_to_action: CallToAction | None
    offer_id: str | None  # `publisherId.offerId`, from the combined form only
    flags: tuple[LeadFlag, ...]


def read_lead_source(lead_source: str | None, action_code: str | None) -> SourceReading:
    """Storefront, call to action and offer id; a combined action wins over a separate one."""
    source, combined_action, offer_id = split_lead_source(lead_source)
    action = combined_action if combined_action is not None else action_code
    storefront = _SOURCES.get(_key(source)) if source else None
    call_to_action, action_known = _call_to_action(source, action)
    flags = [LeadFlag.UNKNOWN_SOURCE] if storefront is None else []
    if not action_known:
        flags.append(LeadFlag.UNKNOWN_ACTION_CODE)
    return SourceReading(storefront, source, action, call_to_action, offer_id, tuple(flags))


def split_lead_source(lead_source: str | None) -> tuple[str | None, str | None, str | None]:
    """`Source-Action|publisher.offer` → (source, action, offer id); a bare source passes through.

    The offer follows the first `|`; the action follows the last `-` before it. The dash is only
    taken as a separator when the whole left part is not itself a known source (`AppSource-SPZA`)
    and one side of it is known: an unknown `Some-Thing` stays one raw source, so that a separate
    `ActionCode` is not overridden by half a name.
    """
    if lead_source is None:
        return None, None, None
    left, _, offer = lead_source.partition("|")
    source, dash, action = left.rpartition("-")
    splits = bool(dash) and _key(left) not in _SOURCES
    if splits and (_key(source) in _SOURCES or _key(action) in _ACTIONS):
        return _part(source), _part(action), _part(offer)
    return _part(left), None, _part(offer)


def _call_to_action(source: str | None, action: str | None) -> tuple[CallToAction | None, bool]:
    """The call to action, and whether the action code (or its absence) was understood."""
    if action is None:
        # A TestDrive source names the action itself; otherwise a missing code is flagged.
        test_drive = source is not None and _key(source) == _TEST_DRIVE_SOURCE
        return (CallToAction.TEST_DRIVE, True) if test_drive else (None, False)
    if _key(action) in _ACTIONS:
        return _ACTIONS[_key(action)], True
    return None, False


def _part(text: str) -> str | None:
    return text.strip() or None


def _key(text: str) -> str:
    return "".join(char for char in text if char.isalnum()).casefold()
