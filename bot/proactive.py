"""Everything the bot posts on its own (phase announcements, nudges, reports, personal
reminders and the 1:1 chats they need) goes through here, to one Outbound sender, so posts
share Teams' rate limits per conversation and per tenant.

A person's 1:1 chat with the bot is the same conversation every time Teams is asked for it,
so it is remembered (in the process, the most recently used PERSONAL_CHATS_MOST) and created
once: the next post goes straight to it. If Teams refuses a remembered chat (403/404: the
app was removed and added again, the person blocked it), it is forgotten and created again,
once."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from bot import failures
from bot.messages import card_message
from bot.outbound import Outbound, tenant_of
from bot.recent import Recent
from cards.common import Card
from dialogs.context import Announcement, CardGone, ConversationUnreachable

log = logging.getLogger("bot.proactive")

PERSONAL_CHATS_MOST = 10_000


class ProactivePoster:
    """The flows' `Poster`: posts a card to a conversation reference."""

    def __init__(self, outbound: Outbound) -> None:
        self._outbound = outbound
        # (tenant, person id) -> the reference of their 1:1 chat with the bot.
        self._personal_chats: Recent[tuple[str, str], dict[str, Any]] = Recent(PERSONAL_CHATS_MOST)

    async def post(
        self, reference: dict[str, Any], card: Card, *, within_s: float | None = None
    ) -> str | None:
        try:
            return await self._outbound.post(reference, card_message(card), within_s=within_s)
        except failures.ConversationUnreachable as gone:
            raise ConversationUnreachable(gone.status) from gone

    async def post_to_personal_chat(
        self, reference: dict[str, Any], person_id: str, card: Card
    ) -> str | None:
        chat_of = (tenant_of(reference) or "", person_id)
        remembered = self._personal_chats.get(chat_of)
        if remembered is not None:
            try:
                return await self.post(remembered, card)
            except ConversationUnreachable:
                self._personal_chats.forget(chat_of)
        chat = await self._open_personal_chat(reference, person_id)
        sent = await self.post(chat, card)
        self._personal_chats.put(chat_of, chat)
        return sent

    async def _open_personal_chat(
        self, reference: dict[str, Any], person_id: str
    ) -> dict[str, Any]:
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
