"""What Teams lists about the conversation of a turn: its members (the people picker's
choices) and, in a team, the team's channels (where setup may send nudges and
announcements); and whether someone is a member of another conversation (a team engagement
opened from a personal chat). All are conveniences a click must not wait on for long, nor
fail for.

A conversation's member list is kept briefly in the process (MemberLists), so clicks in a row
ask Teams once: Teams tells the bot of every join and leave (conversationUpdate
membersAdded / membersRemoved), which forgets the conversation's list at once; the time limit
bounds what another instance of the bot, which did not get the event, may still offer. A
flow asks again (`fresh`) before refusing someone the kept list lacks. Whether someone is a
member of *another* conversation (is_member, which grants a personal chat the sight of a team
engagement) is always asked of Teams: it is never read from a kept list."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.core.teams import TeamsInfo

from bot.connector_http import ConnectorHttp
from bot.failures import failure_of
from bot.recent import Recent
from bot.scope import tenant_of
from dialogs.scope import TurnScope
from domain.profile import Channel, Person

log = logging.getLogger("bot.turn")

LIST_TIMEOUT_S = 3.0
# Short: another instance of the bot may have missed a leave (see the module's docstring).
MEMBERS_TTL_S = 60.0
MEMBER_LISTS_MOST = 2000


class MemberLists:
    """Each conversation's people as Teams last listed them, for MEMBERS_TTL_S at most."""

    def __init__(
        self,
        ttl_s: float = MEMBERS_TTL_S,
        most: int = MEMBER_LISTS_MOST,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._kept: Recent[tuple[str, str], tuple[Person, ...]] = Recent(most, ttl_s, clock)

    def forget(self, turn_context: TurnContext) -> None:
        """Someone joined or left the turn's conversation (or its team)."""
        self._kept.forget(_listed(turn_context))

    def get(self, turn_context: TurnContext) -> tuple[Person, ...] | None:
        return self._kept.get(_listed(turn_context))

    def put(self, turn_context: TurnContext, people: tuple[Person, ...]) -> None:
        self._kept.put(_listed(turn_context), people)


class TurnRoster:
    """A turn's `roster` (dialogs.context.Roster): the people of this conversation (what the
    people picker offers and accepts), from the kept list when there is one, else listed by
    Teams; `fresh` asks Teams unless this turn already did. If Teams cannot list them, the
    person acting is still known."""

    def __init__(self, turn_context: TurnContext, scope: TurnScope, kept: MemberLists) -> None:
        self._turn_context, self._scope, self._kept = turn_context, scope, kept
        self._people: list[Person] | None = None
        self._listed_by_teams = False

    async def __call__(self, *, fresh: bool = False) -> list[Person]:
        if self._people is None or (fresh and not self._listed_by_teams):
            listed = None if fresh else self._kept.get(self._turn_context)
            if listed is None:
                listed = await self._list()
                self._listed_by_teams = True
            me = self._scope.actor
            # A member list without Entra ids (the Agents Playground's says `objectId`) lists
            # the person under their Teams id: the same person, once.
            known = any(p.id in (me.person.id, me.id) for p in listed)
            self._people = list(listed) if known else [me.person, *listed]
        return self._people

    async def _list(self) -> tuple[Person, ...]:
        try:
            async with asyncio.timeout(LIST_TIMEOUT_S):
                accounts = await _members(self._turn_context)
        except Exception as error:  # see the module's docstring (timeouts too)
            log.warning("could not list members: %s", type(error).__name__)
            return ()  # not kept: the next turn asks again
        listed = tuple(
            Person(str(a.get("aadObjectId") or a["id"]), str(a.get("name") or ""))
            for a in accounts
            if isinstance(a.get("id"), str) and a["id"]
        )
        self._kept.put(self._turn_context, listed)
        return listed


def _listed(turn_context: TurnContext) -> tuple[str, str]:
    """What a member list is kept under: the tenant, and the team or else the conversation
    (what _members lists)."""
    activity = turn_context.activity
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    team = channel_data.get("team")
    team_id = team.get("id") if isinstance(team, dict) else None
    listed = team_id if isinstance(team_id, str) and team_id else activity.conversation.id
    return tenant_of(activity), str(listed)


async def _members(turn_context: TurnContext) -> list[dict[str, Any]]:
    """The team's members in a team, else the conversation's, as TeamsInfo.get_members asks
    for them; through the adapter's own connector calls where it has them."""
    _, conversation = _listed(turn_context)
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
