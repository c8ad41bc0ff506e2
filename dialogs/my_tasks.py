"""'my tasks': what the person asking owns, in every engagement of their tenant."""

from __future__ import annotations

from datetime import datetime

from cards.common import Card, View
from cards.mytasks import OwnedTask, my_tasks_card
from dialogs.context import FlowContext, Reply
from dialogs.router import Routes
from dialogs.services import Services

routes = Routes()


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
    person_ids = {scope.actor.id} | ({scope.actor.aad_id} if scope.actor.aad_id else set())
    now = services.clock()
    items = await owned_tasks(services, person_ids, scope.key.tenant_id, now)
    own = await services.find(scope.key.id)
    view = services.view(own, scope) if own else View(scope.lang, now.date(), None)
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
