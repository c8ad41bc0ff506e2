"""Nudges: the digest the bot posts to the engagement's channel on its schedule, and the
buttons that snooze, stop and resume it.

Any number of bot instances (and the external run endpoint) may run at once. Each engagement
is claimed with a conditional write before its nudge is posted, so only one run posts it;
the slot is recorded right after the post, and a cancelled run finishes the claim, post and
record in hand before it stops (dialogs/due_run.py), so the next run sends the rest. A run that dies
between the post and the record (a hard kill in that instant) leaves a claim that expires
after the lease: that nudge is posted again rather than lost. So after a crash at most the
nudges in flight (CONCURRENCY, TENANT_CONCURRENCY of one tenant, in dialogs/due_run.py) are
posted twice, and none is skipped.

The post must end well within the claim's lease (NUDGE_LEASE_SECONDS, 2 minutes by default),
or a later run would take the slot over while it is still being sent: it is given half the
lease, and a `Retry-After` that would outlast that ends the attempt unsent (the claim then
lapses and a later run sends it).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from cards.nudge import nudge_card
from dialogs.changes import change_then_overview
from dialogs.context import ConversationUnreachable, FlowContext, Poster, Reply
from dialogs.due_run import DueRun, NudgeReport
from dialogs.reminders import PersonalReminders
from dialogs.router import Handler, Routes
from dialogs.services import Services
from domain.engagement import NUDGE_LEASE, Engagement
from domain.roles import ManagerAction

log = logging.getLogger("bot.nudges")

SNOOZE = timedelta(days=1)
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
