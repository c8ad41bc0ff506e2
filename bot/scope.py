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
    """A team's channels share one engagement (keyed by the team); other scopes are keyed by
    the conversation, without the per-thread ';messageid=' suffix Teams adds in channels."""
    team = _channel_data(activity).get("team")
    if isinstance(team, dict) and isinstance(team.get("id"), str) and team["id"]:
        return f"team:{team['id']}"
    return str(activity.conversation.id).split(";messageid=", 1)[0]


def scope_of(activity: Activity) -> TurnScope:
    conversation = activity.conversation
    if conversation is None or not isinstance(conversation.id, str) or not conversation.id:
        raise MalformedActivity("activity has no conversation id")
    sender = activity.from_property
    if sender is None or not isinstance(sender.id, str) or not sender.id:
        raise MalformedActivity("activity has no sender")
    return TurnScope(
        key=EngagementKey(tenant_of(activity), conversation_key(activity)),
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
