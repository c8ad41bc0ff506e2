"""Builders for the activities Teams sends, in the shapes Teams uses, and for the proactive
address the bot stores for a conversation."""

from __future__ import annotations

import itertools
from typing import Any

BOT_ID = "28:bot-app-id"
TENANT = "tenant-1"
TEAM = "19:team-general@thread.tacv2"
USER = {"id": "29:user1", "name": "User One", "aadObjectId": "aad-user1"}
_ids = itertools.count(1_700_000_000_000)


def next_id() -> str:
    """A new activity id, as Teams numbers them."""
    return str(next(_ids))


def conversation_reference(
    service_url: str,
    conversation: str,
    tenant: str = TENANT,
    conversation_type: str = "channel",
) -> dict[str, Any]:
    """The proactive address the bot stores for an engagement (the shape bot/scope.py keeps)."""
    return {
        "serviceUrl": service_url,
        "channelId": "msteams",
        "conversation": {
            "id": conversation,
            "conversationType": conversation_type,
            "tenantId": tenant,
        },
        "bot": {"id": BOT_ID, "name": "Onboarding"},
    }


def _base(
    service_url: str,
    *,
    conversation: str,
    conversation_type: str,
    locale: str,
    tenant: str = TENANT,
    sender: dict[str, str] | None = None,
) -> dict[str, Any]:
    channel_data: dict[str, Any] = {"tenant": {"id": tenant}}
    if conversation_type == "channel":
        channel_data |= {"team": {"id": TEAM}, "channel": {"id": conversation}}
    return {
        "id": next_id(),
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": sender or USER,
        "recipient": {"id": BOT_ID, "name": "Onboarding"},
        "conversation": {
            "id": conversation,
            "conversationType": conversation_type,
            "tenantId": tenant,
        },
        "locale": locale,
        "channelData": channel_data,
        "timestamp": "2026-11-29T09:00:00.000Z",
    }


def install(
    service_url: str,
    *,
    conversation: str = TEAM,
    conversation_type: str = "channel",
    locale: str = "en-US",
    **kw: Any,
) -> list[dict[str, Any]]:
    """The two activities Teams sends when the app is added to a conversation."""
    update = _base(
        service_url,
        conversation=conversation,
        conversation_type=conversation_type,
        locale=locale,
        **kw,
    )
    update |= {"type": "conversationUpdate", "membersAdded": [{"id": BOT_ID}]}
    added = _base(
        service_url,
        conversation=conversation,
        conversation_type=conversation_type,
        locale=locale,
        **kw,
    )
    added |= {"type": "installationUpdate", "action": "add"}
    return [update, added]


def message(
    service_url: str,
    text: str,
    *,
    conversation: str = TEAM,
    conversation_type: str = "channel",
    locale: str = "en-US",
    mention: bool = False,
    **kw: Any,
) -> dict[str, Any]:
    """A message; in a channel it starts a new thread, as a post to the channel does."""
    activity = _base(
        service_url,
        conversation=f"{conversation};messageid={next_id()}"
        if conversation_type == "channel"
        else conversation,
        conversation_type=conversation_type,
        locale=locale,
        **kw,
    )
    activity |= {"type": "message", "text": f"<at>Onboarding</at> {text}" if mention else text}
    if mention:
        activity["entities"] = [
            {
                "type": "mention",
                "text": "<at>Onboarding</at>",
                "mentioned": {"id": BOT_ID, "name": "Onboarding"},
            }
        ]
    return activity


def click(
    service_url: str,
    verb: str,
    data: dict[str, Any] | None = None,
    *,
    conversation: str = TEAM,
    conversation_type: str = "channel",
    locale: str = "en-US",
    reply_to: str = "card-1",
    **kw: Any,
) -> dict[str, Any]:
    """A card button press: an `adaptiveCard/action` invoke (Universal Actions)."""
    activity = _base(
        service_url,
        conversation=conversation,
        conversation_type=conversation_type,
        locale=locale,
        **kw,
    )
    activity |= {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "replyToId": reply_to,
        "value": {
            "action": {"type": "Action.Execute", "verb": verb, "data": data or {}},
            "trigger": "manual",
        },
    }
    return activity
