"""Installation and removal: the welcome card once, and no nudges once the bot is gone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from cards.common import Card
from cards.overview import welcome_card
from dialogs.scope import TurnScope
from dialogs.services import Services
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
    if not created:
        return None
    return welcome_card(engagement, services.catalog, services.view(engagement, scope))


async def uninstall(services: Services, scope: TurnScope) -> None:
    """The bot was removed: keep the engagement (a reinstall picks it up) but stop nudging a
    conversation it can no longer post to."""
    if await services.find(scope.key.id) is not None:
        await services.change_by_id(scope.key.id, _set_installed(False))
