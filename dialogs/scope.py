"""What a turn is about: which engagement, who, which language, where to post later.

`bot/` derives it from the activity alone (never from card data); flows only read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.catalog import Language
from domain.engagement import Actor, EngagementKey


@dataclass(frozen=True)
class TurnScope:
    key: EngagementKey
    actor: Actor
    user_id: str  # the Teams user id (29:...), what user-specific card views are keyed by
    lang: Language
    conversation_type: str
    # Teams gives each delivery of an activity the same id, so it identifies a click
    # across redeliveries.
    op_id: str
    # Where the bot may post on its own later: a serialised ConversationReference.
    reference: dict[str, Any]
    # Where the engagement of this conversation was stored before its key changed (personal
    # chats: by conversation, now by person); used while nothing is stored under `key`.
    legacy_key: EngagementKey | None = None

    @property
    def is_shared_conversation(self) -> bool:
        return self.conversation_type in ("channel", "groupChat")
