"""The follow-up SLA (`escalate-stale-leads`): a lead still Received, unassigned or untouched by
its owner, `followUpHours` after it needed action, is escalated once: its admins and profile
contacts are emailed and the feed says so (notification_plans.py, owner_notices.py).

It is a sweep like expiry (lead_sweeps.py): the follow-up index `K|<followUpBy>|<id>` holds
exactly the leads still waiting for a follow-up (`Lead.is_follow_up_pending`), so a run reads
only what is due; escalating drops the lead's row in the same batch, so it happens once. The
deadline is set when the lead needs action, from the partner's routing settings (routing.py);
an owner acting on the lead (taking, accepting, declining it) drops the row too.
"""

from __future__ import annotations

from shared.domain.lead import Lead
from shared.domain.notification import NotificationKind
from shared.services.job_ports import DueKind
from shared.services.lead_sweeps import SweepRule

ESCALATE = SweepRule(
    DueKind.FOLLOW_UP, Lead.escalate, "escalated", NotificationKind.FOLLOW_UP_OVERDUE
)
