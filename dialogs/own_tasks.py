"""The engagement's own tasks: `add task` (a checklist pasted line by line, checked, then
created), editing one's title and description, and removing one (restorable for seven days).

A checklist of more than one line, or with lines that could not be read, is shown before
anything is created; its Create button names the check it confirms (`batch`), so clicking
it twice, or Teams redelivering the click, creates the tasks once. The text is read again
when Create is clicked: a list edited since the check is checked again, not created.
"""

from __future__ import annotations

from cards.own_tasks import ECHO_CHARS, add_tasks_card, edit_task_card, removed_card
from cards.phase import page_of, phase_card
from dialogs.changes import change_engagement
from dialogs.context import FlowContext, Reply
from dialogs.router import Routes
from dialogs.task import task_details
from domain.catalog import Track
from domain.engagement import Engagement
from domain.errors import TextTooLong, UnknownTask
from domain.own_tasks import (
    MAX_CHECKLIST_CHARS,
    SEPARATOR,
    Checklist,
    OwnTask,
    parse_checklist,
)
from domain.roles import ManagerAction
from domain.text import is_blank

routes = Routes()


async def _track(ctx: FlowContext, engagement: Engagement) -> Track:
    """The phase the data names; without one, the current phase (the general track once
    every phase is complete)."""
    if ctx.data.get("phase") not in (None, ""):
        return ctx.track()
    catalog = ctx.services.catalog
    return engagement.current_phase(catalog) or catalog.general


async def _checklist(ctx: FlowContext, kept: str | None = None) -> tuple[str, Checklist]:
    """The lines the form sent; when it sent none, the list kept for the preview `kept`."""
    lines = ctx.data.text("lines") or ""
    if kept is not None and is_blank(lines):
        engagement = await ctx.engagement()
        lines = await ctx.services.checklist_draft(engagement.id, kept) or ""
    if len(lines) > MAX_CHECKLIST_CHARS:
        raise TextTooLong(limit=MAX_CHECKLIST_CHARS)
    # The roster is asked for only when a line names an owner.
    members = await ctx.roster() if SEPARATOR in lines else []
    checked = parse_checklist(lines, members)
    if checked.errors and members:
        # An owner the kept list lacks may have joined seconds ago: Teams' list decides.
        checked = parse_checklist(lines, await ctx.roster(fresh=True))
    return lines, checked


@routes.verb("own.add", command="add task", argument="phase")
async def show_form(ctx: FlowContext) -> Reply:
    engagement = await ctx.engagement()
    track = await _track(ctx, engagement)
    return Reply(add_tasks_card(ctx.services.catalog, track, ctx.view(engagement)))


@routes.verb("own.check")
async def check(ctx: FlowContext) -> Reply:
    """One readable line is created at once; anything else is shown first."""
    engagement = await ctx.engagement()
    track = await _track(ctx, engagement)
    lines, checked = await _checklist(ctx)
    if len(checked.items) == 1 and not checked.errors:
        return await _create(ctx, track, checked, batch=ctx.scope.op_id)
    return await _answer(ctx, engagement, track, lines, checked)


@routes.verb("own.create")
async def create(ctx: FlowContext) -> Reply:
    engagement = await ctx.engagement()
    track = await _track(ctx, engagement)
    batch, count = ctx.data.identifier("batch"), ctx.data.text("count")
    lines, checked = await _checklist(ctx, kept=batch)
    confirmed = not checked.errors or ctx.data.get("valid_only") == "1"
    if not confirmed or count != str(len(checked.items)):
        view = ctx.view(engagement)
        return await _answer(ctx, engagement, track, lines, checked, view.t("own.changed"))
    return await _create(ctx, track, checked, batch=batch)


async def _answer(
    ctx: FlowContext,
    engagement: Engagement,
    track: Track,
    lines: str,
    checked: Checklist,
    notice: str | None = None,
) -> Reply:
    """The form again with what the check found; nothing is created. A list too long to
    carry back on the card (28 KB) is kept server-side for its Create button instead."""
    view = ctx.view(engagement)
    if not checked.items and not checked.errors:
        notice = view.t("own.empty")
    echo = lines
    if len(lines) > ECHO_CHARS:
        await ctx.services.save_checklist_draft(engagement.id, ctx.scope.op_id, lines)
        echo, kept = "", view.t("own.kept", count=len(lines.splitlines()))
        notice = f"{notice}  \n{kept}" if notice else kept
    card = add_tasks_card(
        ctx.services.catalog,
        track,
        view,
        lines=echo,
        checked=checked,
        batch=ctx.scope.op_id,
        notice=notice,
    )
    return Reply(card)


async def _create(ctx: FlowContext, track: Track, checked: Checklist, *, batch: str) -> Reply:
    catalog = ctx.services.catalog
    outcome = await change_engagement(
        ctx,
        lambda engagement: engagement.add_tasks(
            catalog,
            track_id=track.id,
            items=checked.items,
            actor=ctx.scope.actor,
            at=ctx.services.clock(),
            op_id=ctx.scope.op_id,
            batch=batch,
        ),
    )
    engagement = outcome.engagement
    tasks = engagement.tasks_of(catalog, track.id)
    page = page_of(engagement, catalog, tasks[-1]) if tasks else 0
    card = phase_card(engagement, catalog, track, ctx.view(engagement), page=page)
    return Reply(card, changed=outcome.changed)


def _own(engagement: Engagement, task_id: str) -> OwnTask:
    """An own task on this conversation's checklist; UnknownTask for anything else."""
    own = engagement.own_tasks.get(task_id)
    if own is None or own.removed_at is not None:
        raise UnknownTask(task_id=task_id[:64])
    return own


@routes.verb("own.edit", manager_only=ManagerAction.TASKS)
async def edit(ctx: FlowContext) -> Reply:
    engagement = await ctx.engagement()
    own = _own(engagement, ctx.data.identifier("task"))
    return Reply(edit_task_card(own, ctx.view(engagement)))


@routes.verb("own.save", manager_only=ManagerAction.TASKS)
async def save(ctx: FlowContext) -> Reply:
    """The edit, judged against the text the form was opened with (`seen`)."""
    task_id, seen = ctx.data.identifier("task"), ctx.data.identifier("seen")
    title, description = ctx.data.text("title"), ctx.data.text("description")
    catalog = ctx.services.catalog
    outcome = await change_engagement(
        ctx,
        lambda engagement: engagement.edit_task(
            catalog,
            task_id=task_id,
            title=title,
            description=description,
            seen=seen,
            actor=ctx.scope.actor,
            at=ctx.services.clock(),
            op_id=ctx.scope.op_id,
        ),
    )
    engagement = outcome.engagement
    task = engagement.task(catalog, task_id)
    card = await task_details(ctx, engagement, task, ctx.view(engagement))
    return Reply(card, changed=outcome.changed)


@routes.verb("own.remove", manager_only=ManagerAction.TASKS)
async def remove(ctx: FlowContext) -> Reply:
    task = await ctx.task()
    catalog = ctx.services.catalog
    outcome = await change_engagement(
        ctx,
        lambda engagement: engagement.remove_task(
            catalog,
            task_id=task.id,
            actor=ctx.scope.actor,
            at=ctx.services.clock(),
            op_id=ctx.scope.op_id,
        ),
    )
    view = ctx.view(outcome.engagement)
    card = removed_card(task, catalog.track(task.track_id), view)
    return Reply(card, changed=outcome.changed)


@routes.verb("own.restore", manager_only=ManagerAction.TASKS)
async def restore(ctx: FlowContext) -> Reply:
    task_id = ctx.data.identifier("task")
    catalog = ctx.services.catalog
    outcome = await change_engagement(
        ctx,
        lambda engagement: engagement.restore_task(
            catalog,
            task_id=task_id,
            actor=ctx.scope.actor,
            at=ctx.services.clock(),
            op_id=ctx.scope.op_id,
        ),
    )
    engagement = outcome.engagement
    task = engagement.find_task(catalog, task_id)
    if task is None:
        raise UnknownTask(task_id=task_id)
    track = catalog.track(task.track_id)
    view = ctx.view(engagement)
    page = page_of(engagement, catalog, task)
    return Reply(phase_card(engagement, catalog, track, view, page=page), changed=outcome.changed)
