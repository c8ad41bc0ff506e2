"""Everything the bot posts on its own (phase announcements, nudges, reports, personal
reminders and the 1:1 chats they need) goes through here, to one Outbound sender, so posts
share Teams' rate limits per conversation and per tenant.

A person's 1:1 chat with the bot is the same conversation every time Teams is asked for it,
so it is remembered (in the process, the most recently used PERSONAL_CHATS_MOST) and created
once: the next post goes straight to it. If Teams refuses a remembered chat (403/404: the
app was removed and added again, the person blocked it), it is forgotten and created again,
once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from bot import failures
from bot.messages import card_message
from bot.outbound import Outbound, tenant_of
from bot.recent import Recent
from cards.common import Card
from dialogs.context import Announcement, CardGone, ConversationUnreachable

log = logging.getLogger("bot.proactive")

PERSONAL_CHATS_MOST = 10_000
# Batches of announcements posted at once in the background; past that a turn posts its own
# before answering (slower, but nothing is dropped or queued without bound).
ANNOUNCING_MOST = 64
# How long one batch may take, the sender's retries and Teams' Retry-After included.
ANNOUNCE_WITHIN_S = 60.0


class ProactivePoster:
    """The flows' `Poster`: posts a card to a conversation reference."""

    def __init__(self, outbound: Outbound) -> None:
        self._outbound = outbound
        # (tenant, person id) -> the reference of their 1:1 chat with the bot.
        self._personal_chats: Recent[tuple[str, str], dict[str, Any]] = Recent(PERSONAL_CHATS_MOST)
        self._announcing: set[asyncio.Task[None]] = set()

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

    async def announce(self, announcements: Sequence[Announcement]) -> None:
        """Posts the announcements of a turn's saved changes in the background, so the turn
        answers at once: a click's answer must not wait for Teams' rate limits or an outage
        of the Bot Connector (Teams gives it 15 s). When ANNOUNCING_MOST batches are already
        under way, waits for this one instead."""
        if not announcements:
            return
        if len(self._announcing) >= ANNOUNCING_MOST:
            await self._announce_now(list(announcements))
            return
        task = asyncio.create_task(self._announce_now(list(announcements)))
        self._announcing.add(task)
        task.add_done_callback(self._announcing.discard)

    async def drain(self) -> None:
        """Waits for announcements under way (shutdown, tests)."""
        while self._announcing:
            await asyncio.gather(*self._announcing, return_exceptions=True)

    async def _announce_now(self, announcements: list[Announcement]) -> None:
        """Posts each announcement in order; a failed post is logged, not raised: the change
        that caused it is saved, only the post failed."""
        try:
            async with asyncio.timeout(ANNOUNCE_WITHIN_S):
                for announcement in announcements:
                    try:
                        await self.post(announcement.reference, announcement.card)
                    except Exception as error:  # see the docstring
                        log.warning("could not post an announcement: %s", type(error).__name__)
        except TimeoutError:
            log.warning("announcements not posted within %g s", ANNOUNCE_WITHIN_S)
