"""Everything the bot posts on its own (phase announcements, nudges, reports, personal
reminders and the 1:1 chats they need) goes through here, to one Outbound sender, so posts
share Teams' rate limits per conversation and per tenant."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from bot import failures
from bot.messages import card_message
from bot.outbound import Outbound
from cards.common import Card
from dialogs.context import Announcement, CardGone, ConversationUnreachable

log = logging.getLogger("bot.proactive")


class ProactivePoster:
    """The flows' `Poster`: posts a card to a conversation reference."""

    def __init__(self, outbound: Outbound) -> None:
        self._outbound = outbound

    async def post(
        self, reference: dict[str, Any], card: Card, *, within_s: float | None = None
    ) -> str | None:
        try:
            return await self._outbound.post(reference, card_message(card), within_s=within_s)
        except failures.ConversationUnreachable as gone:
            raise ConversationUnreachable(gone.status) from gone

    async def open_personal_chat(self, reference: dict[str, Any], person_id: str) -> dict[str, Any]:
        try:
            return await self._outbound.open_personal_chat(reference, person_id)
        except failures.ConversationUnreachable as gone:
            raise ConversationUnreachable(gone.status) from gone

    async def update(self, reference: dict[str, Any], activity_id: str, card: Card) -> None:
        try:
            await self._outbound.update(reference, activity_id, card_message(card))
        except failures.ActivityNotFound as gone:
            raise CardGone(activity_id) from gone
        except failures.ConversationUnreachable as gone:
            raise ConversationUnreachable(gone.status) from gone

    async def announce(self, announcements: Iterable[Announcement]) -> None:
        """Posts each announcement; a failed post is logged, not raised: the change that
        caused it is saved, only the post failed."""
        for announcement in announcements:
            try:
                await self.post(announcement.reference, announcement.card)
            except Exception as error:  # see the docstring
                log.warning("could not post an announcement: %s", type(error).__name__)
