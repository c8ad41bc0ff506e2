"""'my tasks': what the person asking owns, in every engagement of their tenant."""

from __future__ import annotations

import logging
from datetime import datetime

from cards.common import Card
from cards.mytasks import OwnedTask, my_tasks_card, personal_chat_offer
from dialogs.context import ConversationUnreachable, FlowContext, Reply
from dialogs.router import Routes
from dialogs.services import Services

routes = Routes()
log = logging.getLogger("dialogs.my_tasks")


async def owned_tasks(
    services: Services, person_ids: set[str], tenant_id: str, now: datetime
) -> list[OwnedTask]:
    """The tasks `person_ids` own in the engagements of their tenant. Owner index entries
    are only hints: each engagement is read and checked (same tenant, still the owner)."""
    catalog = services.catalog
    items: list[OwnedTask] = []
    for engagement_id in await services.owned_engagements(person_ids):
        engagement = await services.find(engagement_id)
        if engagement is None or engagement.key.tenant_id != tenant_id:
            continue
        today = engagement.today(now)
        for task_id in engagement.owned_by(person_ids):
            if engagement.has_task(catalog, task_id):
                task = engagement.task(catalog, task_id)
                items.append(OwnedTask(engagement, task, engagement.is_overdue(task_id, today)))
    return items


async def my_tasks_view(ctx: FlowContext) -> Card:
    """The tasks the person clicking owns, overdue first."""
    scope, services, catalog = ctx.scope, ctx.services, ctx.services.catalog
    person_ids = scope.actor.ids
    now = services.clock()
    items = await owned_tasks(services, person_ids, scope.key.tenant_id, now)
    view = services.personal_view(await services.find(scope.key.id), scope)
    return my_tasks_card(items, catalog, view, owner_name=scope.actor.name)


@routes.verb("mytasks.show", command="my tasks", offers_setup=False)
async def show_my_tasks(ctx: FlowContext) -> Reply:
    scope = ctx.scope
    if ctx.typed and scope.is_shared_conversation:
        # Only the person asking sees their list: Teams refreshes this card for them alone
        # (the refresh runs this verb as a click).
        engagement = await ctx.engagement()
        card = my_tasks_card(
            [],
            ctx.services.catalog,
            ctx.view(engagement),
            owner_name=scope.actor.name,
            refresh_for=scope.user_id,
        )
        return Reply(card, personal=True)
    return Reply(await my_tasks_view(ctx), personal=True)


@routes.verb("mytasks.send")
async def send_to_personal_chat(ctx: FlowContext) -> Reply:
    """The fallback where Teams does not refresh the channel's placeholder: the clicker's own
    list goes to their personal chat with the bot, in their language; the placeholder says
    whether it went."""
    scope = ctx.scope
    sent = True
    try:
        await ctx.poster.post_to_personal_chat(
            scope.reference, scope.user_id, await my_tasks_view(ctx)
        )
    except ConversationUnreachable as gone:
        log.info("personal chat unreachable: HTTP %s", gone.status)
        sent = False
    # The answer replaces the placeholder for the clicker alone: it is their own view.
    view = ctx.services.personal_view(await ctx.engagement(), scope)
    notice = view.t("mytasks.sent" if sent else "mytasks.send_failed")
    card = personal_chat_offer(view, owner_name=scope.actor.name, notice=notice, sent=sent)
    return Reply(card, personal=True)
