"""The weekly status report, posted to the engagement's channel at the hour setup chose
(default Monday 09:00 in its time zone), exactly once per week across instances.

The same pattern as the digest (dialogs/nudges.py): the slot is claimed with a conditional
write to the engagement, the report is posted, the slot is recorded; claim, post and record
are shielded from cancellation, and a claim left by a run that died expires after its lease.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime, timedelta

from dialogs.context import ConversationUnreachable, Poster
from dialogs.nudges import BATCH, CONCURRENCY, NudgeReport
from dialogs.report import status_report
from dialogs.services import Services
from domain.engagement import NUDGE_LEASE, Engagement

log = logging.getLogger("bot.reports")


class Reporter:
    def __init__(self, services: Services, poster: Poster, lease: timedelta = NUDGE_LEASE) -> None:
        self.services = services
        self.poster = poster
        self.lease = lease
        self._in_flight: set[asyncio.Task[None]] = set()

    async def drain(self) -> None:
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def run(self, now: datetime | None = None) -> NudgeReport:
        now = now or self.services.clock()
        run_id = uuid.uuid4().hex
        outcome = NudgeReport()
        seen: set[str] = set()
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(engagement: Engagement) -> None:
            async with gate:
                task = asyncio.ensure_future(self._report(engagement, now, run_id, outcome))
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)
                await asyncio.shield(task)

        while True:
            # The scheduler's index holds the earliest of digest and report per engagement.
            due = await self.services.due_for_nudge(now, BATCH)
            fresh = [e for e in due if e.id not in seen]
            if not fresh:
                return outcome
            seen.update(e.id for e in fresh)
            await asyncio.gather(*(one(e) for e in fresh))

    async def _report(
        self, engagement: Engagement, now: datetime, run_id: str, outcome: NudgeReport
    ) -> None:
        services, engagement_id = self.services, engagement.id
        slot = engagement.report_due_slot(now)
        if slot is None:
            return
        try:
            engagement, claimed = await services.change_by_id(
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
                    await services.change_by_id(
                        engagement_id, lambda e: e.mark_unreachable(status, now)
                    )
                    outcome.unreachable.append(engagement_id)
                    return
                outcome.sent.append(engagement_id)
            await services.change_by_id(engagement_id, lambda e: e.complete_report(slot))
        except Exception as error:  # one engagement's failure must not stop the run
            log.warning("weekly report for %s failed: %s", engagement_id, type(error).__name__)
            outcome.failed.append(engagement_id)
