"""What handlers need, owned by the application and handed to every turn."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from bot.scope import TurnScope
from cards.common import View
from domain.catalog import Catalog
from domain.engagement import Engagement
from domain.errors import EngagementMissing
from storage.repository import EngagementRepository

R = TypeVar("R")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    repo: EngagementRepository
    catalog: Catalog
    clock: Callable[[], datetime] = utc_now

    def view(self, engagement: Engagement, scope: TurnScope) -> View:
        return View.of(engagement, scope.lang, self.clock())

    def new_engagement(self, scope: TurnScope) -> Engagement:
        return Engagement(
            key=scope.key,
            conversation_type=scope.conversation_type,
            created_at=self.clock(),
            installed_by=scope.actor,
            locale="ko-KR" if scope.lang == "ko" else "en-US",
            conversation_reference=scope.reference,
        )

    async def engagement_for(self, scope: TurnScope) -> tuple[Engagement, bool]:
        """The conversation's engagement, created on first contact (Teams does not always
        send an installation event, e.g. for a personal chat opened from the app store).
        Returns it and whether this call created it."""
        engagement = await self.repo.get(scope.key.id)
        if engagement is None:
            return await self.repo.create_if_missing(self.new_engagement(scope))
        if engagement.conversation_reference != scope.reference or engagement.unreachable:
            engagement, _ = await self.change(scope, lambda e: None)
        return engagement, False

    async def change(
        self, scope: TurnScope, change: Callable[[Engagement], R]
    ) -> tuple[Engagement, R]:
        """Applies `change` to the conversation's engagement, keeping its proactive address
        fresh from the activity."""

        def apply(engagement: Engagement) -> R:
            engagement.conversation_reference = scope.reference
            # An activity from the conversation shows the bot can be reached there again.
            engagement.unreachable = None
            return change(engagement)

        try:
            return await self.repo.update(scope.key.id, apply)
        except EngagementMissing:
            await self.repo.create_if_missing(self.new_engagement(scope))
            return await self.repo.update(scope.key.id, apply)
