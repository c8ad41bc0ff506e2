"""Everything the bot posts on its own (announcements, nudges) goes through here."""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import Activity, ConversationReference

log = logging.getLogger("bot.outbound")


class Outbound:
    def __init__(self, adapter: BotAdapter, app_id: str) -> None:
        self._adapter = adapter
        self._app_id = app_id

    async def post(self, reference: dict[str, Any], activity: Activity) -> str | None:
        """Posts `activity` to the conversation `reference` names; returns the new message id."""
        sent: list[str | None] = []

        async def send(turn_context: TurnContext) -> None:
            response = await turn_context.send_activity(activity)
            sent.append(response.id if response else None)

        await self._adapter.continue_conversation(
            ConversationReference().deserialize(reference), send, self._app_id
        )
        return sent[0] if sent else None
