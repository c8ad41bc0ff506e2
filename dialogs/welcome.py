"""Installation and removal: the welcome card once, and no nudges once the bot is gone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from cards.common import Card
from cards.overview import welcome_card
from cards.team_engagements import with_team_engagements
from dialogs.scope import TurnScope
from dialogs.services import Services
from dialogs.team_engagements import team_engagements
from domain.engagement import Engagement


def _set_installed(installed: bool) -> Callable[[Engagement], None]:
    def apply(engagement: Engagement) -> None:
        engagement.installed = installed

    return apply


def _installed_here(scope: TurnScope, at: datetime) -> Callable[[Engagement], None]:
    """The bot was added here: this is the engagement's channel (a team's General, where
    Teams sends the installation), whichever channel spoke first."""

    def apply(engagement: Engagement) -> None:
        engagement.installed = True
        engagement.post_to(scope.reference)
        engagement.installed_by_event(scope.actor, at=at, op_id=scope.op_id)

    return apply


async def install(services: Services, scope: TurnScope) -> Card | None:
    """Teams sends both conversationUpdate and installationUpdate, and may redeliver either:
    only the turn that creates the engagement answers, with the welcome card."""
    engagement, created = await services.engagement_for(scope)
    if (
        not engagement.installed
        or engagement.conversation_reference != scope.reference
        or engagement.installed_by != scope.actor
    ):
        installed = _installed_here(scope, services.clock())
        engagement, _ = await services.change_by_id(scope.key.id, installed)
    if scope.is_shared_conversation:
        await services.note_member(scope.actor.person.id, scope.key)
    if not created:
        return None
    view = services.view(engagement, scope)
    card = welcome_card(engagement, services.catalog, view)
    # A personal chat: the team engagements the person is already in.
    listed = await team_engagements(services, scope)
    return with_team_engagements(card, listed, services.catalog, view)


async def uninstall(services: Services, scope: TurnScope) -> None:
    """The bot was removed: keep the engagement (a reinstall picks it up) but stop nudging a
    conversation it can no longer post to."""
    if await services.find(scope.key.id) is not None:
        await services.change_by_id(scope.key.id, _set_installed(False))


async def left(services: Services, scope: TurnScope, person_ids: list[str]) -> None:
    """People left the conversation: their personal chats no longer list its engagement."""
    for person_id in person_ids:
        await services.forget_member(person_id, scope.key.id)
