"""What Teams lists about the conversation of a turn: its members (the people picker's
choices) and, in a team, the team's channels (where setup may send nudges and
announcements). Both are conveniences a click must not wait on for long, nor fail for."""

from __future__ import annotations

import asyncio
import logging

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo

from dialogs.scope import TurnScope
from domain.profile import Channel, Person

log = logging.getLogger("bot.turn")

LIST_TIMEOUT_S = 3.0


async def members(turn_context: TurnContext, scope: TurnScope) -> list[Person]:
    """People of this conversation (what the people picker offers and accepts). If Teams
    cannot list them, the person acting is still known."""
    try:
        async with asyncio.timeout(LIST_TIMEOUT_S):
            accounts = await TeamsInfo.get_members(turn_context)
    except Exception as error:  # see the module's docstring (timeouts too)
        log.warning("could not list members: %s", type(error).__name__)
        accounts = []
    people = [Person(a.aad_object_id or a.id, a.name or "") for a in accounts if a.id]
    me = scope.actor
    # A member list without Entra ids (the Agents Playground's says `objectId`, which the
    # SDK does not read) lists the person under their Teams id: the same person, once.
    listed = any(p.id in (me.person.id, me.id) for p in people)
    return people if listed else [me.person, *people]


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
