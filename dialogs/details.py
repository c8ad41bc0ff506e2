"""The Details card's form: owner, due date and a note, saved together by one Save.

Teams sends every input of a card with any of its buttons, so one Save reads them all and
applies each field that differs from the task's state; the answer says what it changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from dialogs.changes import change_engagement
from dialogs.context import FlowContext, InvalidAction, Reply
from dialogs.router import Routes
from dialogs.task import card_clicked
from domain.catalog import Task
from domain.engagement import AuditEntry, Engagement, check_note
from domain.errors import BadDate
from domain.notes import Note
from domain.profile import Person, parse_date
from domain.text import is_blank

routes = Routes()


@dataclass(frozen=True)
class Unchanged:
    """A field the click did not send: the task keeps what it has."""


KEEP = Unchanged()


@dataclass(frozen=True)
class TaskEdit:
    owner: Person | Unchanged | None = KEEP
    due: date | Unchanged | None = KEEP
    note: str | None = None  # a note to add


async def read_form(ctx: FlowContext, owner: Person | Unchanged | None = KEEP) -> TaskEdit:
    """The form's fields, each checked before anything is stored. An emptied field clears
    the owner or the due date; an empty note adds none."""
    values = ctx.data.values
    if isinstance(owner, Unchanged) and "owner" in values:
        picked = ctx.data.text("owner")
        owner = await ctx.person(picked) if picked and not is_blank(picked) else None
    due: date | Unchanged | None = KEEP
    if "due" in values:
        typed = ctx.data.text("due") or ""
        due = parse_date(typed) if typed.strip() else None
        if due is None and typed.strip():
            raise BadDate()
    note = ctx.data.text("note") or ""
    return TaskEdit(owner, due, None if is_blank(note) else check_note(note))


def _applier(ctx: FlowContext, task: Task, edit: TaskEdit) -> Callable[[Engagement], list[str]]:
    """Applies the edit; returns the fields it changed. Several changes of one click share
    the click's op id: the first change applied takes it (a redelivery finds it and changes
    nothing), the others a derived one, since each change refuses an op id already applied."""
    services, scope = ctx.services, ctx.scope

    def apply(engagement: Engagement) -> list[str]:
        if engagement.has_applied(scope.op_id):
            return []
        changed: list[str] = []

        def op_id() -> str:
            return scope.op_id if not changed else f"{scope.op_id}:{len(changed)}"

        catalog, actor, at = services.catalog, scope.actor, services.clock()
        if not isinstance(edit.owner, Unchanged) and engagement.assign_owner(
            catalog, task_id=task.id, owner=edit.owner, actor=actor, at=at, op_id=op_id()
        ):
            changed.append("owner")
        if not isinstance(edit.due, Unchanged) and engagement.set_due(
            catalog, task_id=task.id, due=edit.due, actor=actor, at=at, op_id=op_id()
        ):
            changed.append("due")
        if edit.note is not None and engagement.note_added(
            catalog, task_id=task.id, text=edit.note, actor=actor, at=at, op_id=op_id()
        ):
            changed.append("note")
        return changed

    return apply


async def save_task(ctx: FlowContext, owner: Person | Unchanged | None = KEEP) -> Reply:
    task = await ctx.task()
    edit = await read_form(ctx, owner)
    apply = _applier(ctx, task, edit)
    if edit.note is not None:
        if ctx.pointer() is not None:
            raise InvalidAction("notes are added in the engagement's own conversation")
        # The rules run on a copy first, so a refused change stores no orphan note.
        apply((await ctx.engagement()).copy())
        note = Note(task.id, ctx.scope.actor, ctx.services.clock(), edit.note)
        await ctx.services.save_note(ctx.scope.key.id, note, ctx.scope.op_id)
    fields: list[str] = []

    def record(engagement: Engagement) -> AuditEntry | None:
        # Owner, due date and notes complete no phase: nothing for change_engagement to
        # announce, so the entry itself is not needed.
        fields[:] = apply(engagement)
        return None

    outcome = await change_engagement(ctx, record, task=task)
    view = ctx.view(outcome.engagement)
    if fields:
        names = view.t("list.separator").join(view.t(f"task.saved.{f}") for f in fields)
        notice = view.t("task.saved", fields=names)
    else:
        notice = view.t("task.saved.nothing")
    card = await card_clicked(ctx, outcome.engagement, task, notice)
    changed = outcome.changed or bool(fields)
    return Reply(card, changed=changed, personal=ctx.data.get("view") == "mytasks")


@routes.verb("task.save")
async def save(ctx: FlowContext) -> Reply:
    return await save_task(ctx)


@routes.verb("task.take")
async def take(ctx: FlowContext) -> Reply:
    """One click to own the task; on the Details card the rest of the form is saved too."""
    return await save_task(ctx, owner=ctx.scope.actor.person)


# Old Details cards had one button per field; each sent the whole form, as Save does.
routes.verb("task.assign", legacy=True)(save)
routes.verb("task.due", legacy=True)(save)
routes.verb("task.note", legacy=True)(save)
