"""What a flow gets and what it gives back. SDK-free: `bot/` builds these from activities.

A flow (a card verb's or a typed command's handler) receives a `FlowContext`: the turn's
`TurnScope` (who, which engagement, which language), the click's data with typed accessors,
the application `Services` and the conversation's roster. It returns a `Reply`: the cards
to show, whether the engagement changed for everyone in the conversation, and the
announcements to post to engagements' own channels.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from cards.common import Card, View
from dialogs.scope import TurnScope
from dialogs.services import Services
from domain.catalog import Task, Track
from domain.engagement import Engagement
from domain.errors import UnknownPerson, UnknownTask, UnknownTrack
from domain.own_tasks import is_own_id
from domain.profile import Channel, Person

MAX_ID_CHARS = 64
MAX_PAGE_DIGITS = 3
ENGAGEMENT_ID = re.compile(r"^eng-[0-9a-f]{40}$")
ASCII_DIGITS = frozenset("0123456789")


class InvalidAction(ValueError):
    """The click's data does not have the shape its verb needs (or the verb is unknown)."""


@dataclass(frozen=True)
class CardData:
    """The data a card button (or a typed command's argument) carries, read with checks:
    anything of the wrong shape raises InvalidAction before a flow acts on it."""

    values: Mapping[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> object:
        return self.values.get(name)

    def identifier(self, name: str) -> str:
        value = self.values.get(name)
        if not isinstance(value, str) or not value or len(value) > MAX_ID_CHARS:
            raise InvalidAction(f"'{name}' must be a short string")
        return value

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None or isinstance(value, str):
            return value
        raise InvalidAction(f"'{name}' must be text")

    def page(self) -> int:
        raw = self.values.get("page", "0")
        # ASCII digits only: str.isdigit also admits '²', which int() then refuses.
        if not isinstance(raw, str) or not raw or len(raw) > MAX_PAGE_DIGITS:
            raise InvalidAction("'page' must be a small number")
        if not set(raw) <= ASCII_DIGITS:
            raise InvalidAction("'page' must be a small number")
        return int(raw)

    def form(self) -> dict[str, str]:
        """The text inputs of a submitted form (other values are not inputs)."""
        return {k: v for k, v in self.values.items() if isinstance(v, str)}


class Roster(Protocol):
    """The people of this conversation, listed by Teams on first use (or kept from a recent
    turn: bot/roster.py). `fresh` asks Teams again, at most once a turn: before a flow
    refuses someone the list lacks, since they may have joined seconds ago."""

    async def __call__(self, *, fresh: bool = False) -> list[Person]: ...


@dataclass
class FlowContext:
    scope: TurnScope
    data: CardData
    services: Services
    roster: Roster
    # What the flow posts on its own (a person's list sent to their personal chat).
    poster: Poster
    # A team's channels, listed by Teams on first use (none outside a team).
    channels: Callable[[], Awaitable[list[Channel]]]
    # Whether Teams lists a person (by Teams user id) in another conversation (by its
    # proactive reference): False when Teams says they are not there, None when it can't say.
    member_of: Callable[[dict[str, Any] | None, str], Awaitable[bool | None]]
    # Whether the person typed a command (as opposed to clicking a button).
    typed: bool = False
    # Engagements this turn changed, whose live cards the edge then brings up to date.
    changed: set[str] = field(default_factory=set)
    # Cards for engagements' own conversations, collected as soon as the change that causes
    # them is saved: the edge posts them even if the flow fails afterwards.
    announcements: list[Announcement] = field(default_factory=list)
    _engagement: Engagement | None = field(default=None, init=False)

    async def engagement(self) -> Engagement:
        """The conversation's engagement, created on first contact; read once per turn."""
        if self._engagement is None:
            self._engagement, _ = await self.services.engagement_for(self.scope)
        return self._engagement

    @property
    def loaded(self) -> Engagement | None:
        """The engagement this turn read, if it read it."""
        return self._engagement

    def view(self, engagement: Engagement) -> View:
        return self.services.view(engagement, self.scope)

    async def task(self) -> Task:
        """The task the data names: the catalog's, or one of the engagement's own (of this
        conversation, or of the one a 'my tasks' entry points at, in the same tenant)."""
        task_id = self.data.identifier("task")
        catalog = self.services.catalog
        if catalog.has_task(task_id):
            return catalog.task(task_id)
        if not is_own_id(task_id):
            raise UnknownTask(task_id=task_id)
        foreign = self.pointer()
        engagement = await self.services.find(foreign) if foreign else await self.engagement()
        if engagement is None or engagement.key.tenant_id != self.scope.key.tenant_id:
            raise UnknownTask(task_id=task_id)
        return engagement.task(catalog, task_id)

    def track(self) -> Track:
        """The phase (or the general track) the data names, by id or by name."""
        name = self.data.get("phase")
        # A typed argument may be anything the person wrote; a button's is an id.
        if not isinstance(name, str) or not (self.typed or 0 < len(name) <= MAX_ID_CHARS):
            raise InvalidAction("'phase' must be a short string")
        track = self.services.catalog.find_track(name)
        if track is None:
            raise UnknownTrack(name=name[:40])
        return track

    def pointer(self) -> str | None:
        """An engagement named by a 'my tasks' card, which lists tasks of other conversations.
        Only a pointer: acting on it requires owning the task there."""
        value = self.data.get("engagement")
        if value is None:
            return None
        if not isinstance(value, str) or not ENGAGEMENT_ID.match(value):
            raise InvalidAction("'engagement' is malformed")
        return None if value == self.scope.key.id else value

    async def person(self, person_id: object) -> Person:
        """Someone picked in a people picker, who must be in this conversation."""
        if not isinstance(person_id, str) or not person_id or len(person_id) > 200:
            raise UnknownPerson()
        for fresh in (False, True):
            for member in await self.roster(fresh=fresh):
                if member.id == person_id:
                    return member
        raise UnknownPerson()


@dataclass(frozen=True)
class Announcement:
    """A card the bot posts on its own to an engagement's conversation."""

    reference: dict[str, Any]
    card: Card


@dataclass(frozen=True)
class Shown:
    """What a shared card shows, enough to draw it again: the overview or a phase's page."""

    OVERVIEW = "overview"

    kind: str  # OVERVIEW or a phase id
    page: int = 0


@dataclass(frozen=True)
class Reply:
    # Answers a click in place; a typed command gets it, then `follow_up`, as messages.
    card: Card
    follow_up: tuple[Card, ...] = ()
    # The engagement changed (False for a no-op such as a double click).
    changed: bool = False
    # The card is the clicker's own view ('my tasks'), not one the conversation shares.
    personal: bool = False
    # What the card shows, if it is one the bot keeps current in a shared conversation.
    shows: Shown | None = None

    @property
    def cards(self) -> tuple[Card, ...]:
        return (self.card, *self.follow_up)


class ConversationUnreachable(Exception):
    """Teams refused a post for good (the bot was removed or blocked, the conversation is
    gone): the caller records it and stops posting there."""

    def __init__(self, status: int) -> None:
        super().__init__(f"conversation unreachable: HTTP {status}")
        self.status = status


class CardGone(Exception):
    """Teams cannot find the message to update (deleted, or its sporadic
    ActivityNotFoundInConversation): stop updating it."""


class Poster(Protocol):
    """Posts a card to a conversation on the bot's own initiative (bot/proactive.py)."""

    async def post(
        self, reference: dict[str, Any], card: Card, *, within_s: float | None = None
    ) -> str | None:
        """Returns the new message's id; raises ConversationUnreachable, or another error
        when the post failed after the sender's retries or could not be made within
        `within_s` seconds."""

    async def post_to_personal_chat(
        self, reference: dict[str, Any], person_id: str, card: Card
    ) -> str | None:
        """Posts `card` to the bot's 1:1 chat with `person_id`, a member of the conversation
        `reference` names (the chat is created there when need be); raises like `post`
        (ConversationUnreachable when the person blocked the bot or is no longer there)."""

    async def update(self, reference: dict[str, Any], activity_id: str, card: Card) -> None:
        """Replaces message `activity_id` with `card`; raises CardGone, ConversationUnreachable,
        or another error when the update failed after the sender's retries."""
