"""Nudges: the digest the bot posts to the engagement's channel on its schedule, and the
buttons that snooze, stop and resume it.

Any number of bot instances (and the external run endpoint) may run at once. Each engagement
is claimed with a conditional write before its nudge is posted, so only one run posts it;
the slot is recorded right after the post, and that pair is shielded from cancellation, so a
stopped run finishes the nudge in hand and the next run sends the rest. A run that dies
between the post and the record (a hard kill in that instant) leaves a claim that expires
after the lease: that nudge is posted again rather than lost. So after a crash at most the
nudges in flight (CONCURRENCY, TENANT_CONCURRENCY of one tenant) are posted twice, and none is
skipped.

The post must end well within the claim's lease (NUDGE_LEASE_SECONDS, 2 minutes by default),
or a later run would take the slot over while it is still being sent: it is given half the
lease, and a `Retry-After` that would
outlast that ends the attempt unsent (the claim then lapses and a later run sends it).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from cards.nudge import nudge_card
from dialogs.changes import change_then_overview
from dialogs.context import ConversationUnreachable, FlowContext, Poster, Reply
from dialogs.reminders import PersonalReminders
from dialogs.router import Handler, Routes
from dialogs.services import Services
from domain.engagement import NUDGE_LEASE, Engagement
from domain.roles import ManagerAction

log = logging.getLogger("bot.nudges")

SNOOZE = timedelta(days=1)
BATCH = 200
# Nudges in flight per tenant: Teams allows a tenant 50 sends/s, and at a few hundred ms per
# send 16 keep that busy. Past it a tenant's nudges wait without holding a slot of the run's
# cap, so one big tenant cannot hold up the others.
TENANT_CONCURRENCY = 16
# Nudges in flight in all: tenants' sends go in parallel (each under its own limits), twice
# the sends the process has threads for (bot/connectors.py OUTBOUND_THREADS), so the next
# ones' claims and cards are ready when a thread frees up.
CONCURRENCY = 64
REFILL_AT = CONCURRENCY // 2

routes = Routes()


@routes.verb("nudge.snooze")
async def snooze(ctx: FlowContext) -> Reply:
    now = ctx.services.clock()
    until = now + SNOOZE
    return await change_then_overview(
        ctx,
        lambda e: e.snooze(until, actor=ctx.scope.actor, at=now, op_id=ctx.scope.op_id),
        lambda view: view.t("nudge.snoozed", when=view.moment(until)),
    )


def _pause_handler(paused: bool, notice: str) -> Handler:
    async def handle(ctx: FlowContext) -> Reply:
        return await change_then_overview(
            ctx,
            lambda e: e.set_nudges_paused(
                paused, actor=ctx.scope.actor, at=ctx.services.clock(), op_id=ctx.scope.op_id
            ),
            lambda view: view.t(notice),
        )

    return handle


routes.verb("nudge.stop", manager_only=ManagerAction.NUDGES)(_pause_handler(True, "nudge.stopped"))
routes.verb("nudge.resume", manager_only=ManagerAction.NUDGES)(
    _pause_handler(False, "nudge.resumed")
)


@dataclass
class NudgeReport:
    sent: list[str] = field(default_factory=list)
    quiet: list[str] = field(default_factory=list)  # due, nothing to say
    unreachable: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    taken: list[str] = field(default_factory=list)  # claimed by another run

    def as_dict(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self.__dict__.items()}


class DueRun:
    """A run over the engagements the scheduler's index says are due (the index holds the
    earliest of an engagement's digest and weekly report): each is handled by `_handle`,
    at most TENANT_CONCURRENCY of one tenant and CONCURRENCY in all at a time."""

    def __init__(self, services: Services, poster: Poster, lease: timedelta = NUDGE_LEASE) -> None:
        self.services = services
        self.poster = poster
        self.lease = lease
        self._in_flight: set[asyncio.Task[None]] = set()

    async def drain(self) -> None:
        """Waits for posts already under way (used at shutdown, after cancelling runs)."""
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def run(self, now: datetime | None = None) -> NudgeReport:
        now = now or self.services.clock()
        run_id = uuid.uuid4().hex
        report = NudgeReport()
        seen: set[str] = set()
        gate = asyncio.Semaphore(CONCURRENCY)
        tenant_gates: dict[str, asyncio.Semaphore] = {}

        async def one(engagement: Engagement) -> None:
            tenant = engagement.key.tenant_id
            tenant_gate = tenant_gates.get(tenant)
            if tenant_gate is None:
                tenant_gate = tenant_gates[tenant] = asyncio.Semaphore(TENANT_CONCURRENCY)
            # The tenant's gate first: waiting for a busy tenant holds no slot of the run's.
            async with tenant_gate, gate:
                # The claim, post and record of one engagement finish even if the run is
                # cancelled; cancellation stops the run before the next engagement.
                task = asyncio.ensure_future(self._handle(engagement, now, run_id, report))
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)
                await asyncio.shield(task)

        # Engagements queued or in flight; the next query is made when they are down to
        # REFILL_AT, so the posts never wait for a batch's last one or for the query.
        running: set[asyncio.Task[None]] = set()
        room, errors = asyncio.Event(), list[BaseException]()

        def finished(task: asyncio.Task[None]) -> None:
            running.discard(task)
            error = None if task.cancelled() else task.exception()
            if error is not None:
                errors.append(error)
            if len(running) <= REFILL_AT:
                room.set()

        try:
            while True:
                # Those in flight are still due until recorded: ask for as many more.
                limit = BATCH + len(running)
                due = await self.services.due_for_nudge(now, limit)
                fresh = [e for e in due if e.id not in seen]
                seen.update(e.id for e in fresh)
                for engagement in fresh:
                    task = asyncio.ensure_future(one(engagement))
                    running.add(task)
                    task.add_done_callback(finished)
                if len(due) < limit or not fresh:
                    # Every due engagement is in hand (or was already): finish them.
                    if running:
                        await asyncio.wait(running)
                    if errors:
                        raise errors[0]
                    return report
                room.clear()
                if len(running) > REFILL_AT:
                    await room.wait()
                if errors:
                    raise errors[0]
        finally:
            for task in running:
                task.cancel()

    async def _handle(
        self, engagement: Engagement, now: datetime, run_id: str, report: NudgeReport
    ) -> None:
        raise NotImplementedError


class Nudger(DueRun):
    def __init__(self, services: Services, poster: Poster, lease: timedelta = NUDGE_LEASE) -> None:
        super().__init__(services, poster, lease)
        self.reminders = PersonalReminders(services, poster, lease)

    async def _handle(
        self, engagement: Engagement, now: datetime, run_id: str, report: NudgeReport
    ) -> None:
        services, catalog, engagement_id = self.services, self.services.catalog, engagement.id
        slot = engagement.due_slot(now)
        if slot is None:
            return
        try:
            engagement, claimed = await services.change_schedule(
                engagement_id, lambda e: e.claim_nudge(slot, run_id, now, self.lease)
            )
            if not claimed:
                report.taken.append(engagement_id)
                return
            digest = engagement.digest(catalog, now)
            reference = engagement.conversation_reference
            if not digest.empty and reference:
                view = services.engagement_view(engagement, now)
                try:
                    card = nudge_card(engagement, catalog, digest, view)
                    within_s = self.lease.total_seconds() / 2
                    await self.poster.post(reference, card, within_s=within_s)
                except ConversationUnreachable as gone:
                    status = gone.status
                    await services.change_schedule(
                        engagement_id, lambda e: e.mark_unreachable(status, now)
                    )
                    report.unreachable.append(engagement_id)
                    return
                report.sent.append(engagement_id)
            else:
                report.quiet.append(engagement_id)
            await services.change_schedule(engagement_id, lambda e: e.complete_nudge(slot))
            # Owners of overdue tasks also hear it in their 1:1 chats (dialogs/reminders.py).
            await self.reminders.remind_owners(engagement, now, run_id)
        except Exception as error:  # one engagement's failure must not stop the run
            # The claim expires after its lease and a later run retries this engagement.
            log.warning("nudge for %s failed: %s", engagement_id, type(error).__name__)
            report.failed.append(engagement_id)


class Run(Protocol):
    async def run(self, now: datetime | None = None) -> NudgeReport: ...


async def run_periodically(nudger: Run, interval_s: float) -> None:
    """The in-process scheduler: one run per interval until cancelled at shutdown (the
    digest's, and the weekly report's)."""
    while True:
        try:
            report = await nudger.run()
            if report.sent or report.failed or report.unreachable:
                log.info("nudge run: %s", {k: len(v) for k, v in report.as_dict().items()})
        except Exception as error:  # a failed run (store down) must not end the scheduler
            log.warning("nudge run failed: %s", type(error).__name__)
        await asyncio.sleep(interval_s)
