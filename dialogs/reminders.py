"""Personal reminders: channel mentions get lost in busy channels, so when an engagement's
digest run reaches it, each owner of its overdue tasks also gets a message in their 1:1 chat
with the bot, at most once a day: the overdue tasks they own (in every engagement of the
tenant) with the usual buttons, and a switch only they control.

The day is claimed in the person's own document with a conditional write before anything is
sent (the digest's pattern, dialogs/nudges.py), so with several instances one run sends it. A
403/404 from Teams (the person blocked the bot or left) stops reminders for that person; it
is recorded, so it is logged once and never retried. Turning reminders on again from the 1:1
chat clears that.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from cards.reminder import personal_reminder_card, reminder_switch_card
from dialogs.context import ConversationUnreachable, FlowContext, Poster, Reply
from dialogs.my_tasks import owned_tasks
from dialogs.router import Routes
from dialogs.services import Services
from domain.engagement import Engagement
from domain.profile import Person
from domain.reminders import day_slot

log = logging.getLogger("bot.reminders")

routes = Routes()


async def _switch(ctx: FlowContext, on: bool) -> Reply:
    # The switch is the clicker's own: whose it is comes from the activity, never from data.
    actor = ctx.scope.actor
    for person_id in actor.ids:
        await ctx.services.change_reminders(person_id, lambda r: r.switch(on))
    card = reminder_switch_card(ctx.view(await ctx.engagement()), on=on)
    return Reply(card, personal=True)


@routes.verb("reminders.stop")
async def stop(ctx: FlowContext) -> Reply:
    return await _switch(ctx, on=False)


@routes.verb("reminders.resume")
async def resume(ctx: FlowContext) -> Reply:
    return await _switch(ctx, on=True)


class PersonalReminders:
    def __init__(self, services: Services, poster: Poster, lease: timedelta) -> None:
        self.services = services
        self.poster = poster
        self.lease = lease

    async def remind_owners(self, engagement: Engagement, now: datetime, run_id: str) -> None:
        """Reminds each owner of the engagement's overdue tasks whose day is still free. One
        person's failure is logged and leaves their claim to expire; the others go on."""
        reference = engagement.conversation_reference
        if not reference:
            return
        today = engagement.today(now)
        owners = {
            record.owner.id: record.owner
            for task_id, record in engagement.tasks.items()
            if record.owner and engagement.is_overdue(task_id, today)
        }
        if not owners:
            return
        slot = day_slot(engagement.time_zone, now)
        # One run reaches several engagements at once: each is its own claimant of a person's
        # day (a claim is re-entrant for its claimant).
        claimant = f"{run_id}:{engagement.id}"
        for person_id in sorted(owners):
            try:
                await self._remind(engagement, reference, owners[person_id], slot, now, claimant)
            except Exception as error:  # see the docstring
                log.warning(
                    "personal reminder from %s failed: %s", engagement.id, type(error).__name__
                )

    async def _remind(
        self,
        engagement: Engagement,
        reference: dict[str, Any],
        person: Person,
        slot: datetime,
        now: datetime,
        claimant: str,
    ) -> None:
        services = self.services
        _, claimed = await services.change_reminders(
            person.id, lambda r: r.claim_day(slot, claimant, now, self.lease)
        )
        if not claimed:
            return
        items = await owned_tasks(services, {person.id}, engagement.key.tenant_id, now)
        overdue = sorted(
            (i for i in items if i.overdue),
            key=lambda i: (i.engagement.record(i.task.id).due or date.max, i.task.id),
        )
        if overdue:
            view = services.engagement_view(engagement, now)
            card = personal_reminder_card(overdue, services.catalog, view, owner_name=person.name)
            try:
                await self.poster.post_to_personal_chat(reference, person.id, card)
            except ConversationUnreachable as gone:
                status = gone.status
                await services.change_reminders(
                    person.id, lambda r: r.mark_unreachable(status, now)
                )
                log.warning(
                    "personal reminders stopped for an owner in %s: Teams answered HTTP %s",
                    engagement.id,
                    status,
                )
                return
        await services.change_reminders(person.id, lambda r: r.complete_day(slot))
