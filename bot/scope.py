"""An activity's TurnScope (which engagement, who, which language), from the activity alone.

Nothing here trusts card data: the engagement key comes from the tenant and conversation
that Teams put on the activity.
"""

from __future__ import annotations

import uuid
from typing import Any

from botbuilder.schema import Activity

from dialogs.scope import TurnScope
from domain.engagement import Actor, EngagementKey
from domain.i18n import language_for


class MalformedActivity(ValueError):
    """The activity lacks what every turn needs (conversation, sender)."""


def _channel_data(activity: Activity) -> dict[str, Any]:
    data = activity.channel_data
    return data if isinstance(data, dict) else {}


def tenant_of(activity: Activity) -> str:
    tenant = _channel_data(activity).get("tenant")
    if isinstance(tenant, dict) and isinstance(tenant.get("id"), str):
        return str(tenant["id"])
    conversation_tenant = getattr(activity.conversation, "tenant_id", None)
    return conversation_tenant or "no-tenant"


def conversation_key(activity: Activity) -> str:
    """A team's channels share one engagement (keyed by the team); a personal chat is keyed
    by the person (their Entra object id, else their Teams id), since its conversation id is
    new at every start of the local client; other scopes by the conversation."""
    team = _channel_data(activity).get("team")
    if isinstance(team, dict) and isinstance(team.get("id"), str) and team["id"]:
        return f"team:{team['id']}"
    person = _person_of(activity)
    return f"person:{person}" if person else _conversation_id(activity)


def _conversation_id(activity: Activity) -> str:
    """Without the per-thread ';messageid=' suffix Teams adds in channels."""
    return str(activity.conversation.id).split(";messageid=", 1)[0]


def _person_of(activity: Activity) -> str | None:
    """Who a personal chat is with; None in any other conversation."""
    if (activity.conversation.conversation_type or "personal") != "personal":
        return None
    sender = activity.from_property
    for person in (getattr(sender, "aad_object_id", None), getattr(sender, "id", None)):
        if isinstance(person, str) and person:
            return person
    return None


def scope_of(activity: Activity) -> TurnScope:
    conversation = activity.conversation
    if conversation is None or not isinstance(conversation.id, str) or not conversation.id:
        raise MalformedActivity("activity has no conversation id")
    sender = activity.from_property
    if sender is None or not isinstance(sender.id, str) or not sender.id:
        raise MalformedActivity("activity has no sender")
    tenant = tenant_of(activity)
    key = EngagementKey(tenant, conversation_key(activity))
    return TurnScope(
        key=key,
        # Personal chats were keyed by their conversation id before.
        legacy_key=EngagementKey(tenant, _conversation_id(activity))
        if _person_of(activity)
        else None,
        actor=Actor(
            sender.id,
            sender.name[:200] if isinstance(sender.name, str) else "",
            sender.aad_object_id if isinstance(sender.aad_object_id, str) else None,
        ),
        user_id=sender.id,
        lang=language_for(activity.locale),
        conversation_type=conversation.conversation_type or "personal",
        op_id=activity.id or f"local-{uuid.uuid4()}",
        reference=_proactive_reference(activity),
    )


def _proactive_reference(activity: Activity) -> dict[str, Any]:
    """Where the bot may post on its own later, as a serialised ConversationReference. Only
    the parts that identify the place, not the sender, so it changes (and is rewritten) only
    when Teams moves the conversation. Built directly: msrest's serializer costs more than
    the rest of a click."""
    conversation = activity.conversation
    reference: dict[str, Any] = {
        "conversation": {
            # Post to the channel's root, not into the thread this turn came from.
            "id": str(conversation.id).split(";messageid=", 1)[0],
            # Teams' spelling; botbuilder's own model drops it, the sender paces by tenant.
            "tenantId": tenant_of(activity),
        },
        "channelId": activity.channel_id,
        "serviceUrl": activity.service_url,
    }
    if conversation.conversation_type:
        reference["conversation"]["conversationType"] = conversation.conversation_type
    bot = activity.recipient
    if bot is not None:
        reference["bot"] = {"id": bot.id, **({"name": bot.name} if bot.name else {})}
    return reference
