"""The `reindex-leads` job: rewrite each lead stored under an older index layout.

A lead's index rows (listing ranges, due rows, search and owner copies) are rewritten with every
change of the lead. A lead that has not changed since the layout grew (a new range, a new
index) would be missing from it: invisible to a search or an owner filter, listed in the wrong
range. After such an upgrade an operator runs this job once (the runbook says how); it writes
each outdated lead back unchanged, so its rows are the current layout's, and it is idempotent.
"""

from __future__ import annotations

from datetime import datetime

from shared.domain.errors import ConcurrentModification, NotFound
from shared.services.job_ports import LeadIndexAudit, PartnerRun
from shared.services.lead_sweeps import CONFLICTS, SKIPPED
from shared.services.ports import LeadRepository

REINDEXED = "reindexed"


class LeadReindex:
    def __init__(self, *, audit: LeadIndexAudit, leads: LeadRepository) -> None:
        self._audit = audit
        self._leads = leads

    @property
    def reports(self) -> tuple[str, ...]:
        return (REINDEXED, SKIPPED, CONFLICTS)

    def run_partner(self, partner_id: str, as_of: datetime, *, limit: int) -> PartnerRun:
        """`as_of` does not matter: the layout a lead was written under is not a time."""
        run = PartnerRun()
        for lead_id in self._audit.outdated(partner_id):
            if run.changed >= limit:
                run.more = True
                break
            outcome = self._rewrite(partner_id, lead_id)
            run.counts[outcome] += 1
            run.changed += outcome == REINDEXED
        return run

    def _rewrite(self, partner_id: str, lead_id: str) -> str:
        try:
            lead = self._leads.get(partner_id, lead_id)
            self._leads.save(lead)  # no change, no event: only its rows, under its ETag
        except NotFound:
            return SKIPPED
        except ConcurrentModification:
            # Changed meanwhile, and so rewritten under the current layout by that change.
            return CONFLICTS
        return REINDEXED
