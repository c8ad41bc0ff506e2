"""The meeting log: `meeting` (or `Record a meeting` on a phase's introduction) opens the
form; Save records the meeting, planned or held, and turns its action items into tasks.

A meeting is saved in two steps: its document (conditionally: created, or replaced with the
etag it was read with), then the engagement (its summary for the overview and the action
items' tasks, as one change). Each step is recognised when done again: the document by the
form it came from, the tasks by the save (`batch`). So a double click, a redelivery or a
retry after a failure between the two steps finishes the save once; a save from a form
opened before someone else's is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

from cards.meeting import meeting_card, meeting_form_card
from dialogs.changes import change_engagement
from dialogs.context import FlowContext, InvalidAction, Reply
from dialogs.router import Routes
from domain.catalog import Track
from domain.engagement import Engagement
from domain.errors import (
    ActionItemUnreadable,
    MeetingChanged,
    TooManyTasks,
    UnknownMeeting,
    UnknownPerson,
    UnknownTrack,
)
from domain.meetings import (
    Meeting,
    MeetingForm,
    Recorded,
    action_items,
    form_token,
    is_form_token,
    is_meeting_id,
    new_meeting_id,
    read_form,
)
from domain.own_tasks import MAX_OWN_TASKS
from storage.base import AlreadyExists, EtagMismatch, NotFound

routes = Routes()
MAX_REVISION_DIGITS = 6
R = TypeVar("R")


async def _with_members(ctx: FlowContext, read: Callable[..., R]) -> R:
    """`read(members=...)` of the form against the conversation's people; when it refuses an
    attendee or an owner, once more against Teams' current list (they may have joined
    seconds ago)."""
    try:
        return read(members=await ctx.roster())
    except (UnknownPerson, ActionItemUnreadable):
        return read(members=await ctx.roster(fresh=True))


def _phase(ctx: FlowContext, engagement: Engagement) -> Track:
    """The phase the data names; without one, the current phase (the last once all are
    complete). Meetings belong to phases, not to the standing duties."""
    catalog = ctx.services.catalog
    if ctx.data.get("phase") in (None, ""):
        return engagement.current_phase(catalog) or catalog.phases[-1]
    track = ctx.track()
    if track.kind != "phase":
        raise UnknownTrack(name=track.id)
    return track


def _meeting_id(ctx: FlowContext) -> str:
    meeting_id = ctx.data.identifier("meeting")
    if not is_meeting_id(meeting_id):
        raise UnknownMeeting()
    return meeting_id


async def _stored(ctx: FlowContext, engagement: Engagement) -> tuple[Meeting, str]:
    found = await ctx.services.meeting(engagement.id, _meeting_id(ctx))
    if found is None:
        raise UnknownMeeting()
    return found


@routes.verb("meeting.new", command="meeting", argument="phase")
async def show_form(ctx: FlowContext) -> Reply:
    engagement = await ctx.engagement()
    track = _phase(ctx, engagement)
    form = form_token(ctx.scope.op_id)
    card = meeting_form_card(
        ctx.services.catalog,
        track,
        ctx.view(engagement),
        await ctx.roster(),
        meeting_id=new_meeting_id(form),
        form=form,
    )
    return Reply(card)


@routes.verb("meeting.edit")
async def edit(ctx: FlowContext) -> Reply:
    engagement = await ctx.engagement()
    meeting, _ = await _stored(ctx, engagement)
    card = meeting_form_card(
        ctx.services.catalog,
        ctx.services.catalog.track(meeting.summary.track_id),
        ctx.view(engagement),
        await ctx.roster(),
        meeting_id=meeting.id,
        form=form_token(ctx.scope.op_id),
        meeting=meeting,
    )
    return Reply(card)


@routes.verb("meeting.show")
async def show(ctx: FlowContext) -> Reply:
    engagement = await ctx.engagement()
    meeting, _ = await _stored(ctx, engagement)
    return Reply(meeting_card(meeting, engagement, ctx.services.catalog, ctx.view(engagement)))


def _form(ctx: FlowContext) -> MeetingForm:
    fields = ("kind", "title", "date", "time", "attendees", "notes")
    kind, title, day, at, attendees, notes = (ctx.data.text(f) or "" for f in fields)
    decisions, items, link = (ctx.data.text(f) or "" for f in ("decisions", "actionItems", "link"))
    return MeetingForm(kind, title, day, at, attendees, notes, decisions, items, link)


def _seen(ctx: FlowContext) -> int:
    raw = ctx.data.identifier("seen")
    if len(raw) > MAX_REVISION_DIGITS or not raw.isascii() or not raw.isdigit():
        raise InvalidAction("'seen' must be a small number")
    return int(raw)


@routes.verb("meeting.save")
async def save(ctx: FlowContext) -> Reply:
    meeting_id, seen, form = _meeting_id(ctx), _seen(ctx), ctx.data.identifier("form")
    if not is_form_token(form):
        raise InvalidAction("'form' is malformed")
    engagement = await ctx.engagement()
    services = ctx.services
    found = await services.meeting(engagement.id, meeting_id)
    if found is None and seen:
        raise UnknownMeeting()
    recorded = None
    for _ in range(2):
        stored, etag = found if found else (None, None)
        if stored is not None and stored.form == form:
            break  # this form was saved already: finish its second step only
        if (stored.revision if stored else 0) != seen:
            raise MeetingChanged()
        track = (
            services.catalog.track(stored.summary.track_id) if stored else _phase(ctx, engagement)
        )
        read = partial(
            read_form,
            _form(ctx),
            meeting_id=meeting_id,
            track=track,
            time_zone=engagement.profile.time_zone if engagement.profile else None,
            now=services.clock(),
            revision=seen + 1,
            by=ctx.scope.actor.person,
            form_id=form,
            earlier=stored.action_items if stored else "",
        )
        recorded = await _with_members(ctx, read)
        if engagement.live_own_tasks() + len(recorded.action_items) > MAX_OWN_TASKS:
            raise TooManyTasks(limit=MAX_OWN_TASKS)
        try:
            await services.save_meeting(engagement.id, recorded.meeting, etag)
            break
        except (AlreadyExists, EtagMismatch, NotFound):
            # Someone saved it in between: this form's own save again, or another's.
            found, recorded = await services.meeting(engagement.id, meeting_id), None
    else:
        raise MeetingChanged()
    if recorded is None:
        assert found is not None
        # The stored save of this form, with the action items the form sent: their tasks
        # exist already, unless the first attempt stopped between the two steps.
        items = await _with_members(ctx, partial(action_items, _form(ctx).action_items))
        recorded = Recorded(found[0], items)
    return await _apply(ctx, recorded)


async def _apply(ctx: FlowContext, recorded: Recorded) -> Reply:
    meeting, catalog, services = recorded.meeting, ctx.services.catalog, ctx.services
    summary = meeting.summary
    # The history names a catalog meeting by its id (shown in the reader's language).
    name = summary.kind if catalog.track(summary.track_id).meeting(summary.kind) else summary.title
    outcome = await change_engagement(
        ctx,
        lambda engagement: engagement.record_meeting(
            catalog,
            summary=meeting.summary,
            name=name,
            action_items=recorded.action_items,
            batch=meeting.batch,
            actor=ctx.scope.actor,
            at=services.clock(),
            op_id=ctx.scope.op_id,
        ),
    )
    engagement = outcome.engagement
    view = ctx.view(engagement)
    notice = view.t("meeting.saved")
    card = meeting_card(meeting, engagement, catalog, view, notice)
    return Reply(card, changed=outcome.changed)
