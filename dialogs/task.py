"""A task: Done, Not applicable, Reopen, and its details (the form is dialogs/details.py).

A click answers with the card it came from (a phase card, the task's details, or 'my
tasks'), showing the change.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from cards.common import Card, View
from cards.phase import page_of, phase_card, reason_input_id
from cards.task import task_card
from dialogs.changes import change_engagement
from dialogs.context import FlowContext, Reply, Shown
from dialogs.my_tasks import my_tasks_view
from dialogs.router import Handler, Routes
from domain.catalog import Task
from domain.engagement import AuditEntry, Engagement, TaskStatus

routes = Routes()


# One of the engagement's task methods, e.g. `Engagement.set_due`.
TaskChange = Callable[..., AuditEntry | None]


async def task_details(
    ctx: FlowContext, engagement: Engagement, task: Task, view: View, notice: str | None = None
) -> Card:
    # The notes come from the store, the members from Teams: asked for at the same time.
    notes, members = await asyncio.gather(ctx.services.notes(engagement.id, task.id), ctx.roster())
    return task_card(
        engagement, ctx.services.catalog, task, view, notes=notes, members=members, notice=notice
    )


async def card_clicked(
    ctx: FlowContext, engagement: Engagement, task: Task, notice: str | None = None
) -> Card:
    """The card to show after a change to `task`: the one the click came from (the task's
    details say what changed in `notice`)."""
    wanted = ctx.data.get("view")
    if wanted == "mytasks":
        return await my_tasks_view(ctx)
    view = ctx.view(engagement)
    if wanted == "task":
        return await task_details(ctx, engagement, task, view, notice)
    catalog = ctx.services.catalog
    track = catalog.track(task.track_id)
    return phase_card(engagement, catalog, track, view, page=page_of(engagement, catalog, task))


async def _task_change(ctx: FlowContext, change: TaskChange, **values: Any) -> Reply:
    """Applies `change` to the task the click names, as the person clicking."""
    task = await ctx.task()

    def apply(engagement: Engagement) -> AuditEntry | None:
        return change(
            engagement,
            ctx.services.catalog,
            task_id=task.id,
            actor=ctx.scope.actor,
            at=ctx.services.clock(),
            op_id=ctx.scope.op_id,
            **values,
        )

    outcome = await change_engagement(ctx, apply, task=task)
    card = await card_clicked(ctx, outcome.engagement, task)
    wanted = ctx.data.get("view")
    catalog = ctx.services.catalog
    # A phase card (the default view) is one the channel keeps current.
    page = page_of(outcome.engagement, catalog, task)
    shows = None if wanted in ("mytasks", "task") else Shown(task.track_id, page)
    return Reply(card, changed=outcome.changed, personal=wanted == "mytasks", shows=shows)


def _status_handler(status: TaskStatus) -> Handler:
    async def handle(ctx: FlowContext) -> Reply:
        reason = ctx.data.text(reason_input_id((await ctx.task()).id))
        return await _task_change(ctx, Engagement.set_task_status, status=status, reason=reason)

    return handle


routes.verb("task.done")(_status_handler(TaskStatus.DONE))
routes.verb("task.na")(_status_handler(TaskStatus.NOT_APPLICABLE))
routes.verb("task.reopen")(_status_handler(TaskStatus.OPEN))
# Standing duties (the general track) are acknowledged with an owner instead of done.
routes.verb("task.acknowledge")(_status_handler(TaskStatus.ACKNOWLEDGED))


# Old Details cards (before one Save) carry these; new cards clear a field in the form.
@routes.verb("task.unassign", legacy=True)
async def unassign(ctx: FlowContext) -> Reply:
    return await _task_change(ctx, Engagement.assign_owner, owner=None)


@routes.verb("task.due_clear", legacy=True)
async def clear_due(ctx: FlowContext) -> Reply:
    return await _task_change(ctx, Engagement.set_due, due=None)


@routes.verb("task.show")
async def show_task(ctx: FlowContext) -> Reply:
    task = await ctx.task()
    engagement = await ctx.engagement()
    return Reply(await task_details(ctx, engagement, task, ctx.view(engagement)))
