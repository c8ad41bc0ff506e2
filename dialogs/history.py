"""`history`: the engagement's audit trail, newest first, paged, optionally one task's (the
History button on a task's details)."""

from __future__ import annotations

from cards.history import history_card
from dialogs.context import FlowContext, Reply
from dialogs.router import Routes
from domain.export import known_names
from domain.history import history_page

routes = Routes()


@routes.verb("history.show", command="history")
async def show_history(ctx: FlowContext) -> Reply:
    task = await ctx.task() if ctx.data.get("task") is not None else None
    page = ctx.data.page()
    engagement = await ctx.engagement()
    trail = await ctx.services.audit_trail(engagement.id)
    history = history_page(trail, page, task.id if task else None)
    card = history_card(
        history,
        engagement,
        ctx.services.catalog,
        ctx.view(engagement),
        names=known_names(engagement, trail),
        task=task,
    )
    return Reply(card)
