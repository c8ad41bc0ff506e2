"""The weekly status report, posted to the engagement's channel at the hour setup chose
(default Monday 09:00 in its time zone), exactly once per week across instances.

The same pattern as the digest (dialogs/nudges.py): the slot is claimed with a conditional
write to the engagement, the report is posted, the slot is recorded; claim, post and record
are shielded from cancellation, and a claim left by a run that died expires after its lease.
"""

from __future__ import annotations

import logging
from datetime import datetime

from dialogs.context import ConversationUnreachable
from dialogs.due_run import DueRun, NudgeReport
from dialogs.report import status_report
from domain.engagement import Engagement

log = logging.getLogger("bot.reports")


class Reporter(DueRun):
    async def _handle(
        self, engagement: Engagement, now: datetime, run_id: str, outcome: NudgeReport
    ) -> None:
        services, engagement_id = self.services, engagement.id
        slot = engagement.report_due_slot(now)
        if slot is None:
            return
        try:
            engagement, claimed = await services.change_schedule(
                engagement_id, lambda e: e.claim_report(slot, run_id, now, self.lease)
            )
            if not claimed:
                outcome.taken.append(engagement_id)
                return
            reference = engagement.conversation_reference
            if reference:
                view = services.engagement_view(engagement, now)
                card = await status_report(services, engagement, view, now)
                try:
                    await self.poster.post(reference, card)
                except ConversationUnreachable as gone:
                    status = gone.status
                    await services.change_schedule(
                        engagement_id, lambda e: e.mark_unreachable(status, now)
                    )
                    outcome.unreachable.append(engagement_id)
                    return
                outcome.sent.append(engagement_id)
            await services.change_schedule(engagement_id, lambda e: e.complete_report(slot))
        except Exception as error:  # one engagement's failure must not stop the run
            log.warning("weekly report for %s failed: %s", engagement_id, type(error).__name__)
            outcome.failed.append(engagement_id)
