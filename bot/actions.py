"""Card verbs: what each Action.Execute button does, registered by verb name.

A handler gets the turn's scope and the click's data and returns the card that replaces the
one clicked. It raises InvalidAction for data of the wrong shape and DomainError for a request
the rules refuse; in both cases nothing was changed.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from bot.routing import Router
from bot.scope import TurnScope
from bot.services import Services
from cards.common import Card, View
from cards.mytasks import OwnedTask, my_tasks_card
from cards.overview import overview_card
from cards.phase import page_of, phase_card, reason_input_id
from cards.setup import form_values, setup_card
from cards.task import task_card
from domain.catalog import Task, Track
from domain.engagement import AuditEntry, Engagement, TaskStatus, check_note
from domain.errors import (
    DomainError,
    NotOwner,
    NotPermitted,
    UnknownPerson,
    UnknownTask,
    UnknownTrack,
)
from domain.notes import Note
from domain.profile import Person, ProfileInvalid, parse_date, validate_profile

MAX_ID_CHARS = 64
SNOOZE = timedelta(days=1)
ENGAGEMENT_ID = re.compile(r"^eng-[0-9a-f]{40}$")
R = TypeVar("R")


class InvalidAction(ValueError):
    """The click's data does not have the shape its verb needs."""


class BadDate(DomainError):
    code = "bad_date"


@dataclass(frozen=True)
class ActionResult:
    card: Card
    # Whether the click changed the engagement, so the shared card should show it to all.
    changed: bool = False


class SetupDrafts(Protocol):
    """A half-filled setup form kept in the conversation's botbuilder state, so a form sent
    back with errors is not lost when someone opens the settings again later."""

    async def load(self) -> dict[str, str] | None: ...

    async def save(self, values: dict[str, str] | None) -> None: ...


@dataclass(frozen=True)
class ActionContext:
    scope: TurnScope
    data: dict[str, Any]
    services: Services
    members: Callable[[], Awaitable[list[Person]]]
    announce: Callable[[Engagement, list[Track]], Awaitable[None]]
    drafts: SetupDrafts

    def identifier(self, name: str) -> str:
        value = self.data.get(name)
        if not isinstance(value, str) or not value or len(value) > MAX_ID_CHARS:
            raise InvalidAction(f"'{name}' must be a short string")
        return value

    def text(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is None or isinstance(value, str):
            return value
        raise InvalidAction(f"'{name}' must be text")

    def page(self) -> int:
        raw = self.data.get("page", "0")
        if not isinstance(raw, str) or not raw.isdigit() or len(raw) > 3:
            raise InvalidAction("'page' must be a small number")
        return int(raw)

    def task(self) -> Task:
        task_id = self.identifier("task")
        if not self.services.catalog.has_task(task_id):
            raise UnknownTask(task_id=task_id)
        return self.services.catalog.task(task_id)

    def pointer(self) -> str | None:
        """An engagement named by a 'my tasks' card, which lists tasks of other conversations.
        Only a pointer: acting on it requires owning the task there (see `_guard`)."""
        value = self.data.get("engagement")
        if value is None:
            return None
        if not isinstance(value, str) or not ENGAGEMENT_ID.match(value):
            raise InvalidAction("'engagement' is malformed")
        return None if value == self.scope.key.id else value

    async def person(self, person_id: object) -> Person:
        """Someone picked in a people picker, who must be in this conversation."""
        if not isinstance(person_id, str) or not person_id or len(person_id) > 200:
            raise UnknownPerson()
        for member in await self.members():
            if member.id == person_id:
                return member
        raise UnknownPerson()


ActionHandler = Callable[[ActionContext], Awaitable[ActionResult]]
actions: Router[ActionHandler] = Router()


async def _change(
    ctx: ActionContext, change: Callable[[Engagement], R], *, task: Task | None = None
) -> Engagement:
    """Applies `change` to the engagement the click is about, then announces phases it
    completed. On a foreign engagement (from 'my tasks') the clicker must own the task."""
    scope, services = ctx.scope, ctx.services
    foreign = ctx.pointer()

    def guarded(engagement: Engagement) -> list[Track]:
        if foreign is not None:
            owner = engagement.record(task.id).owner if task else None
            if engagement.key.tenant_id != scope.key.tenant_id or not scope.actor.is_(owner):
                raise NotOwner()
        entry = change(engagement)
        # Only a task's status or a skip can complete a phase: its own.
        if not isinstance(entry, AuditEntry) or entry.change not in ("status", "skip"):
            return []
        catalog = services.catalog
        track_id = (
            catalog.task(entry.subject).track_id if entry.change == "status" else entry.subject
        )
        return engagement.take_completed_phases(catalog, services.clock(), track_id=track_id)

    if foreign is None:
        engagement, completed = await services.change(scope, guarded)
    else:
        engagement, completed = await services.repo.update(foreign, guarded)
    if completed:
        await ctx.announce(engagement, completed)
    return engagement


async def _change_then_overview(
    ctx: ActionContext,
    change: Callable[[Engagement], object],
    notice: Callable[[View], str] | None = None,
) -> ActionResult:
    """Applies an engagement-wide change and answers with the overview (and a notice)."""
    engagement = await _change(ctx, change)
    view = ctx.services.view(engagement, ctx.scope)
    notices = [notice(view)] if notice else []
    card = overview_card(engagement, ctx.services.catalog, view, notices=notices)
    return ActionResult(card, changed=True)


async def _task_view(ctx: ActionContext, engagement: Engagement, task: Task, view: View) -> Card:
    return task_card(
        engagement,
        ctx.services.catalog,
        task,
        view,
        notes=await ctx.services.repo.notes(engagement.id, task.id),
        members=await ctx.members(),
    )


async def _render(ctx: ActionContext, engagement: Engagement, task: Task) -> Card:
    """The card to show after a change to `task`: the one the click came from."""
    wanted = ctx.data.get("view")
    if wanted == "mytasks":
        return await my_tasks_view(ctx)
    view = ctx.services.view(engagement, ctx.scope)
    if wanted == "task":
        return await _task_view(ctx, engagement, task, view)
    catalog = ctx.services.catalog
    track = catalog.track(task.track_id)
    return phase_card(engagement, catalog, track, view, page=page_of(catalog, task))


async def _task_change(
    ctx: ActionContext, change: Callable[..., object], **values: Any
) -> ActionResult:
    """Applies one of the engagement's task methods (e.g. `Engagement.set_due`) to the task
    the click names, as the person clicking, and answers with the card the click came from."""
    task = ctx.task()

    def apply(engagement: Engagement) -> object:
        return change(
            engagement,
            ctx.services.catalog,
            task_id=task.id,
            actor=ctx.scope.actor,
            at=ctx.services.clock(),
            op_id=ctx.scope.op_id,
            **values,
        )

    engagement = await _change(ctx, apply, task=task)
    return ActionResult(await _render(ctx, engagement, task), changed=True)


def _status_handler(status: TaskStatus) -> ActionHandler:
    async def handle(ctx: ActionContext) -> ActionResult:
        reason = ctx.text(reason_input_id(ctx.task().id))
        return await _task_change(ctx, Engagement.set_task_status, status=status, reason=reason)

    return handle


actions.register("task.done")(_status_handler(TaskStatus.DONE))
actions.register("task.na")(_status_handler(TaskStatus.NOT_APPLICABLE))
actions.register("task.reopen")(_status_handler(TaskStatus.OPEN))
# Standing duties (the general track) are acknowledged with an owner instead of done.
actions.register("task.acknowledge")(_status_handler(TaskStatus.ACKNOWLEDGED))


@actions.register("task.assign")
async def assign(ctx: ActionContext) -> ActionResult:
    ctx.task()  # an unknown task is reported before the person
    owner = await ctx.person(ctx.data.get("owner"))
    return await _task_change(ctx, Engagement.assign_owner, owner=owner)


@actions.register("task.take")
async def take(ctx: ActionContext) -> ActionResult:
    return await _task_change(ctx, Engagement.assign_owner, owner=ctx.scope.actor.person)


@actions.register("task.unassign")
async def unassign(ctx: ActionContext) -> ActionResult:
    return await _task_change(ctx, Engagement.assign_owner, owner=None)


@actions.register("task.due")
async def set_due(ctx: ActionContext) -> ActionResult:
    due = parse_date(ctx.data.get("due"))
    if due is None:
        raise BadDate()
    return await _task_change(ctx, Engagement.set_due, due=due)


@actions.register("task.due_clear")
async def clear_due(ctx: ActionContext) -> ActionResult:
    return await _task_change(ctx, Engagement.set_due, due=None)


@actions.register("task.note")
async def add_note(ctx: ActionContext) -> ActionResult:
    task = ctx.task()
    if ctx.pointer() is not None:
        raise InvalidAction("notes are added in the engagement's own conversation")
    # Checked before anything is stored, by the same rule the engagement applies.
    note = Note(task.id, ctx.scope.actor, ctx.services.clock(), check_note(ctx.text("note") or ""))
    await ctx.services.repo.save_note(ctx.scope.key.id, note, ctx.scope.op_id)
    return await _task_change(ctx, Engagement.note_added, text=note.text)


@actions.register("task.show")
async def show_task(ctx: ActionContext) -> ActionResult:
    task = ctx.task()
    engagement, _ = await ctx.services.engagement_for(ctx.scope)
    return ActionResult(
        await _task_view(ctx, engagement, task, ctx.services.view(engagement, ctx.scope))
    )


def _track(ctx: ActionContext) -> Track:
    name = ctx.identifier("phase")
    track = ctx.services.catalog.find_track(name)
    if track is None:
        raise UnknownTrack(name=name)
    return track


@actions.register("phase.show")
async def show_phase(ctx: ActionContext) -> ActionResult:
    track, page = _track(ctx), ctx.page()
    engagement, _ = await ctx.services.engagement_for(ctx.scope)
    view = ctx.services.view(engagement, ctx.scope)
    return ActionResult(phase_card(engagement, ctx.services.catalog, track, view, page=page))


@actions.register("phase.skip")
async def skip_phase(ctx: ActionContext) -> ActionResult:
    track = _track(ctx)
    return await _change_then_overview(
        ctx,
        lambda e: e.skip_phase(
            ctx.services.catalog,
            phase_id=track.id,
            reason=ctx.text(reason_input_id(track.id)),
            actor=ctx.scope.actor,
            at=ctx.services.clock(),
            op_id=ctx.scope.op_id,
        ),
    )


@actions.register("status.show")
async def show_status(ctx: ActionContext) -> ActionResult:
    engagement, _ = await ctx.services.engagement_for(ctx.scope)
    view = ctx.services.view(engagement, ctx.scope)
    return ActionResult(overview_card(engagement, ctx.services.catalog, view))


async def setup_form(ctx: ActionContext, engagement: Engagement) -> Card:
    view = ctx.services.view(engagement, ctx.scope)
    draft = await ctx.drafts.load()
    return setup_card(
        ctx.services.catalog,
        view,
        values=draft or form_values(engagement.profile, view),
        members=await ctx.members(),
    )


@actions.register("setup.show")
async def show_setup(ctx: ActionContext) -> ActionResult:
    engagement, _ = await ctx.services.engagement_for(ctx.scope)
    if not engagement.is_manager(ctx.scope.actor):
        raise NotPermitted(action="setup")
    return ActionResult(await setup_form(ctx, engagement))


@actions.register("setup.save")
async def save_setup(ctx: ActionContext) -> ActionResult:
    catalog, scope = ctx.services.catalog, ctx.scope
    engagement, _ = await ctx.services.engagement_for(scope)
    if not engagement.is_manager(scope.actor):
        raise NotPermitted(action="setup")
    form = {k: v for k, v in ctx.data.items() if isinstance(v, str)}
    try:
        manager = await ctx.person(form.get("projectManager"))
    except UnknownPerson:
        manager = None
    try:
        profile = validate_profile(form, catalog, manager)
    except ProfileInvalid as invalid:
        await ctx.drafts.save({k: v[:200] for k, v in form.items()})
        view = ctx.services.view(engagement, scope)
        members = await ctx.members()
        return ActionResult(
            setup_card(catalog, view, values=form, members=members, errors=dict(invalid.errors))
        )
    result = await _change_then_overview(
        ctx,
        lambda e: e.apply_profile(
            catalog, profile, actor=scope.actor, at=ctx.services.clock(), op_id=scope.op_id
        ),
        lambda view: view.t("setup.saved"),
    )
    await ctx.drafts.save(None)
    return result


async def my_tasks_view(ctx: ActionContext) -> Card:
    """The tasks the person clicking owns, in every engagement of their tenant."""
    scope, repo, catalog = ctx.scope, ctx.services.repo, ctx.services.catalog
    person_ids = {scope.actor.id} | ({scope.actor.aad_id} if scope.actor.aad_id else set())
    now = ctx.services.clock()
    items: list[OwnedTask] = []
    for engagement_id in await repo.owned_engagements(person_ids):
        engagement = await repo.get(engagement_id)
        if engagement is None or engagement.key.tenant_id != scope.key.tenant_id:
            continue
        today = engagement.today(now)
        for task_id in engagement.owned_by(person_ids):
            if catalog.has_task(task_id):
                task = catalog.task(task_id)
                items.append(OwnedTask(engagement, task, engagement.is_overdue(task_id, today)))
    own = await repo.get(scope.key.id)
    view = View.of(own, scope.lang, now) if own else View(scope.lang, now.date(), None)
    return my_tasks_card(items, catalog, view, owner_name=scope.actor.name)


@actions.register("mytasks.show")
async def show_my_tasks(ctx: ActionContext) -> ActionResult:
    return ActionResult(await my_tasks_view(ctx))


@actions.register("nudge.snooze")
async def snooze(ctx: ActionContext) -> ActionResult:
    now = ctx.services.clock()
    until = now + SNOOZE
    return await _change_then_overview(
        ctx,
        lambda e: e.snooze(until, actor=ctx.scope.actor, at=now, op_id=ctx.scope.op_id),
        lambda view: view.t("nudge.snoozed", when=view.moment(until)),
    )


def _pause_handler(paused: bool, notice: str) -> ActionHandler:
    async def handle(ctx: ActionContext) -> ActionResult:
        return await _change_then_overview(
            ctx,
            lambda e: e.set_nudges_paused(
                paused, actor=ctx.scope.actor, at=ctx.services.clock(), op_id=ctx.scope.op_id
            ),
            lambda view: view.t(notice),
        )

    return handle


actions.register("nudge.stop")(_pause_handler(True, "nudge.stopped"))
actions.register("nudge.resume")(_pause_handler(False, "nudge.resumed"))
