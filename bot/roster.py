"""What Teams lists about the conversation of a turn: its members (the people picker's
choices) and, in a team, the team's channels (where setup may send nudges and
announcements). Both are conveniences a click must not wait on for long, nor fail for."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.core.teams import TeamsInfo

from bot.connector_http import ConnectorHttp
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
    me = scope.actor.person
    return people if any(p.id == me.id for p in people) else [me, *people]


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
