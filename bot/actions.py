"""Card verbs: what each Action.Execute button does. Registered by verb name.

A handler gets the turn's scope and the click's data and returns the card that replaces the
one clicked. It raises InvalidAction for data of the wrong shape and DomainError for a request
the rules refuse; in both cases nothing was changed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.routing import Router
from bot.scope import TurnScope
from bot.services import Services
from cards.common import Card
from cards.overview import overview_card
from cards.phase import phase_card, reason_input_id
from domain.engagement import TaskStatus
from domain.errors import UnknownTask, UnknownTrack

MAX_ID_CHARS = 64


class InvalidAction(ValueError):
    """The click's data does not have the shape its verb needs."""


@dataclass(frozen=True)
class ActionContext:
    scope: TurnScope
    data: dict[str, Any]
    services: Services

    def identifier(self, name: str) -> str:
        value = self.data.get(name)
        if not isinstance(value, str) or not value or len(value) > MAX_ID_CHARS:
            raise InvalidAction(f"'{name}' must be a short string")
        return value

    def optional_text(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is None or isinstance(value, str):
            return value
        raise InvalidAction(f"'{name}' must be text")


ActionHandler = Callable[[ActionContext], Awaitable[Card]]
actions: Router[ActionHandler] = Router()


async def _set_task_status(ctx: ActionContext, status: TaskStatus) -> Card:
    task_id = ctx.identifier("task")
    catalog = ctx.services.catalog
    if not catalog.has_task(task_id):
        raise UnknownTask(task_id=task_id)
    reason = ctx.optional_text(reason_input_id(task_id))
    engagement, _ = await ctx.services.change(
        ctx.scope,
        lambda e: e.set_task_status(
            catalog,
            task_id=task_id,
            status=status,
            actor=ctx.scope.actor,
            at=ctx.services.clock(),
            op_id=ctx.scope.op_id,
            reason=reason,
        ),
    )
    track = catalog.track(catalog.task(task_id).track_id)
    return phase_card(engagement, catalog, track, ctx.scope.lang)


@actions.register("task.done")
async def mark_done(ctx: ActionContext) -> Card:
    return await _set_task_status(ctx, TaskStatus.DONE)


@actions.register("task.na")
async def mark_not_applicable(ctx: ActionContext) -> Card:
    return await _set_task_status(ctx, TaskStatus.NOT_APPLICABLE)


@actions.register("task.reopen")
async def reopen(ctx: ActionContext) -> Card:
    return await _set_task_status(ctx, TaskStatus.OPEN)


@actions.register("phase.show")
async def show_phase(ctx: ActionContext) -> Card:
    track_id = ctx.identifier("phase")
    catalog = ctx.services.catalog
    track = catalog.find_track(track_id)
    if track is None:
        raise UnknownTrack(name=track_id)
    engagement, _ = await ctx.services.engagement_for(ctx.scope)
    return phase_card(engagement, catalog, track, ctx.scope.lang)


@actions.register("status.show")
async def show_status(ctx: ActionContext) -> Card:
    engagement, _ = await ctx.services.engagement_for(ctx.scope)
    return overview_card(engagement, ctx.services.catalog, ctx.scope.lang)
