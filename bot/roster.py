"""What Teams lists about the conversation of a turn: its members (the people picker's
choices) and, in a team, the team's channels (where setup may send nudges and
announcements); and whether someone is a member of another conversation (a team engagement
opened from a personal chat). All are conveniences a click must not wait on for long, nor
fail for."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.core.teams import TeamsInfo

from bot.connector_http import ConnectorHttp
from bot.failures import failure_of
from dialogs.scope import TurnScope
from domain.profile import Channel, Person

log = logging.getLogger("bot.turn")

LIST_TIMEOUT_S = 3.0


async def members(turn_context: TurnContext, scope: TurnScope) -> list[Person]:
    """People of this conversation (what the people picker offers and accepts). If Teams
    cannot list them, the person acting is still known."""
    try:
        async with asyncio.timeout(LIST_TIMEOUT_S):
            accounts = await _members(turn_context)
    except Exception as error:  # see the module's docstring (timeouts too)
        log.warning("could not list members: %s", type(error).__name__)
        accounts = []
    people = [
        Person(str(a.get("aadObjectId") or a["id"]), str(a.get("name") or ""))
        for a in accounts
        if isinstance(a.get("id"), str) and a["id"]
    ]
    me = scope.actor
    # A member list without Entra ids (the Agents Playground's says `objectId`) lists the
    # person under their Teams id: the same person, once.
    listed = any(p.id in (me.person.id, me.id) for p in people)
    return people if listed else [me.person, *people]


async def _members(turn_context: TurnContext) -> list[dict[str, Any]]:
    """The team's members in a team, else the conversation's, as TeamsInfo.get_members asks
    for them; through the adapter's own connector calls where it has them."""
    team_id = TeamsInfo.get_team_id(turn_context)
    conversation = team_id or turn_context.activity.conversation.id
    client = turn_context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
    connector_http = getattr(turn_context.adapter, "connector_http", None)
    if isinstance(connector_http, ConnectorHttp):
        listed = await connector_http.members(client, conversation)
        if listed is not None:
            return listed
    accounts = await TeamsInfo.get_members(turn_context)
    return [{**a.additional_properties, **a.serialize()} for a in accounts]


async def team_channels(turn_context: TurnContext, scope: TurnScope) -> list[Channel]:
    """The team's channels (the General channel has no name); none outside a team, or when
    Teams cannot list them (setup then leaves the channel as it is)."""
    if scope.conversation_type != "channel" or not TeamsInfo.get_team_id(turn_context):
        return []
    try:
        async with asyncio.timeout(LIST_TIMEOUT_S):
            team_id = TeamsInfo.get_team_id(turn_context)
            client = await TeamsInfo.get_teams_connector_client(turn_context)
            # botbuilder's Teams client is synchronous (requests): off the event loop.
            answer = await asyncio.to_thread(client.teams.get_teams_channels, team_id)
        listed = answer.conversations or []
    except Exception as error:  # see the module's docstring (timeouts too)
        log.warning("could not list the team's channels: %s", type(error).__name__)
        return []
    return [Channel(c.id, c.name or "") for c in listed if c.id]


async def is_member(
    turn_context: TurnContext, reference: dict[str, Any] | None, member_id: str
) -> bool | None:
    """Whether Teams lists `member_id` in the conversation `reference` addresses (a team's
    channel answers for the team): False on Teams' 404, None when it cannot say (no address,
    no answer in time, another error), for the caller to fall back on what it recorded."""
    conversation = (reference or {}).get("conversation")
    conversation_id = conversation.get("id") if isinstance(conversation, dict) else None
    client = turn_context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
    if not isinstance(conversation_id, str) or client is None:
        return None
    try:
        async with asyncio.timeout(LIST_TIMEOUT_S):
            await client.conversations.get_conversation_member(conversation_id, member_id)
    except Exception as error:  # see the module's docstring (timeouts too)
        failure = failure_of(error)
        if failure is not None and failure.status == 404:
            return False
        log.warning("could not look a member up: %s", type(error).__name__)
        return None
    return True
