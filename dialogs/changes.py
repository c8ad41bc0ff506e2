"""How a flow changes an engagement: the rules run in the domain, the phases a change
completes become announcements for the engagement's own conversation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cards.announce import phase_completed_card, phase_reopened_card
from cards.common import View
from cards.overview import overview_card
from dialogs.context import Announcement, FlowContext, Reply, Shown
from dialogs.services import Services
from domain.catalog import Task, Track
from domain.engagement import AuditEntry, Engagement
from domain.errors import NotOwner

EngagementChange = Callable[[Engagement], AuditEntry | None]
# The change that took signed phases back to in progress, and those phases.
PhaseReopened = tuple[AuditEntry | None, list[Track]]


@dataclass(frozen=True)
class Changed:
    engagement: Engagement
    # False for a no-op: a double click, the value it already had. True for a redelivered
    # activity too, so the retry brings the shared card up to date if the first could not.
    changed: bool


async def change_engagement(
    ctx: FlowContext, change: EngagementChange, *, task: Task | None = None
) -> Changed:
    """Applies `change` to the engagement the click is about; the phases it completed go to
    `ctx.announcements` as soon as it is saved. On a foreign engagement (an entry of 'my
    tasks') the person clicking must own the task there."""
    scope, services = ctx.scope, ctx.services
    foreign = ctx.pointer()

    def guarded(engagement: Engagement) -> tuple[bool, list[Track], PhaseReopened]:
        if foreign is not None:
            owner = engagement.record(task.id).owner if task else None
            if engagement.key.tenant_id != scope.key.tenant_id or not scope.actor.is_(owner):
                raise NotOwner()
        redelivered = engagement.has_applied(scope.op_id)
        entry = change(engagement)
        at = services.clock()
        reopened = engagement.phases_reopened_by(services.catalog, entry, at)
        completed = engagement.phases_completed_by(services.catalog, entry, at)
        return entry is not None or redelivered, completed, (entry, reopened)

    if foreign is None:
        engagement, (changed, completed, reopened) = await services.change(scope, guarded)
    else:
        engagement, (changed, completed, reopened) = await services.change_by_id(foreign, guarded)
    ctx.announcements.extend(reopening_announcements(services, engagement, *reopened))
    ctx.announcements.extend(completion_announcements(services, engagement, completed))
    if changed:
        ctx.changed.add(engagement.id)
    return Changed(engagement, changed)


def reopening_announcements(
    services: Services, engagement: Engagement, cause: AuditEntry | None, reopened: list[Track]
) -> list[Announcement]:
    """A signed phase taken back to in progress is said, with why, in its own conversation."""
    reference = engagement.conversation_reference
    if not reference or cause is None or not reopened:
        return []
    view = services.engagement_view(engagement)
    return [
        Announcement(reference, phase_reopened_card(engagement, services.catalog, p, view, cause))
        for p in reopened
    ]


def completion_announcements(
    services: Services, engagement: Engagement, completed: list[Track]
) -> list[Announcement]:
    """Phase completions go to the engagement's own conversation (its channel), wherever the
    click that completed them came from, in the engagement's language."""
    reference = engagement.conversation_reference
    if not reference or not completed:
        return []
    view = services.engagement_view(engagement)
    return [
        Announcement(reference, phase_completed_card(engagement, services.catalog, phase, view))
        for phase in completed
    ]


async def change_then_overview(
    ctx: FlowContext, change: EngagementChange, notice: Callable[[View], str] | None = None
) -> Reply:
    """Applies an engagement-wide change and answers with the overview (and a notice)."""
    outcome = await change_engagement(ctx, change)
    view = ctx.view(outcome.engagement)
    notices = [notice(view)] if notice else []
    card = overview_card(outcome.engagement, ctx.services.catalog, view, notices=notices)
    return Reply(card, changed=outcome.changed, shows=Shown(Shown.OVERVIEW))
