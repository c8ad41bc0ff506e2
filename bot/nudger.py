"""Nudge runs: find engagements whose slot is due, post each digest once, record it.

Any number of bot instances (and the external run endpoint) may run at once. Each engagement
is claimed with a conditional write before its nudge is posted, so only one run posts it;
the slot is recorded right after the post, and that pair is shielded from cancellation, so a
stopped run finishes the nudge in hand and the next run sends the rest. A run that dies
between the post and the record (a hard kill in that instant) leaves a claim that expires
after the lease: that nudge is posted again rather than lost.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from bot.outbound import ConversationUnreachable, Outbound
from bot.services import Services
from bot.teams_bot import card_message
from cards.common import View
from cards.nudge import nudge_card
from domain.engagement import Engagement, utc_iso
from domain.i18n import language_for
from storage.base import Document

log = logging.getLogger("bot.nudges")

BATCH = 200
CONCURRENCY = 16


@dataclass
class NudgeReport:
    sent: list[str] = field(default_factory=list)
    quiet: list[str] = field(default_factory=list)  # due, nothing to say
    unreachable: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    taken: list[str] = field(default_factory=list)  # claimed by another run

    def as_dict(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self.__dict__.items()}


class Nudger:
    def __init__(self, services: Services, outbound: Outbound) -> None:
        self.services = services
        self.outbound = outbound
        self._in_flight: set[asyncio.Task[None]] = set()

    async def drain(self) -> None:
        """Waits for nudges already being posted (used at shutdown, after cancelling runs)."""
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def run(self, now: datetime | None = None) -> NudgeReport:
        now = now or self.services.clock()
        run_id = uuid.uuid4().hex
        report = NudgeReport()
        seen: set[str] = set()
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(doc: Document) -> None:
            async with gate:
                # The claim, post and record of one engagement finish even if the run is
                # cancelled; cancellation stops the run before the next engagement.
                task = asyncio.ensure_future(self._nudge(doc, now, run_id, report))
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)
                await asyncio.shield(task)

        while True:
            due = await self.services.repo.due_for_nudge(utc_iso(now), BATCH)
            fresh = [d for d in due if d.pk not in seen]
            if not fresh:
                return report
            seen.update(d.pk for d in fresh)
            await asyncio.gather(*(one(d) for d in fresh))

    async def _nudge(self, doc: Document, now: datetime, run_id: str, report: NudgeReport) -> None:
        repo, catalog = self.services.repo, self.services.catalog
        slot = Engagement.from_dict(doc.body).due_slot(now)
        if slot is None:
            return
        try:
            engagement, claimed = await repo.update(
                doc.pk, lambda e: e.claim_nudge(slot, run_id, now), current=doc
            )
            if not claimed:
                report.taken.append(doc.pk)
                return
            digest = engagement.digest(catalog, now)
            if not digest.empty and engagement.conversation_reference:
                view = View.of(
                    engagement, engagement.language(language_for(engagement.locale)), now
                )
                card = nudge_card(engagement, catalog, digest, view)
                try:
                    await self.outbound.post(engagement.conversation_reference, card_message(card))
                except ConversationUnreachable as gone:
                    status = gone.status
                    await repo.update(doc.pk, lambda e: e.mark_unreachable(status, now))
                    report.unreachable.append(doc.pk)
                    return
                report.sent.append(doc.pk)
            else:
                report.quiet.append(doc.pk)
            await repo.update(doc.pk, lambda e: e.complete_nudge(slot))
        except Exception as error:  # one engagement's failure must not stop the run
            # The claim expires after its lease and a later run retries this engagement.
            log.warning("nudge for %s failed: %s", doc.pk, type(error).__name__)
            report.failed.append(doc.pk)


async def run_periodically(nudger: Nudger, interval_s: float) -> None:
    """The in-process scheduler: one run per interval until cancelled at shutdown."""
    while True:
        try:
            report = await nudger.run()
            if report.sent or report.failed or report.unreachable:
                log.info("nudge run: %s", {k: len(v) for k, v in report.as_dict().items()})
        except Exception as error:  # a failed run (store down) must not end the scheduler
            log.warning("nudge run failed: %s", type(error).__name__)
        await asyncio.sleep(interval_s)
