"""One router for card verbs and typed commands.

Each flow module declares its routes in one place: `@routes.verb("task.done")` for a button,
with `command="status"` (or `routes.command(...)`) when people may also type it. A typed
command is a verb typed out: `status`, `phase assess` and `my tasks` run the same handler as
the buttons that show those views. The words people type live in dialogs/commands.py (data,
both languages); a command's name there is the name a route binds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TypeVar

from cards.overview import with_setup_offer
from dialogs.commands import COMMANDS, MAX_COMMAND_TEXT, parse_command
from dialogs.context import CardData, FlowContext, InvalidAction, Reply
from domain.engagement import Engagement
from domain.errors import TextTooLong
from domain.roles import ManagerAction

Handler = Callable[[FlowContext], Awaitable[Reply]]
T = TypeVar("T")


@dataclass(frozen=True)
class VerbRoute:
    handler: Handler
    # Checked before the handler runs, against the conversation's engagement (the domain
    # checks again when it applies the change).
    manager_only: ManagerAction | None = None
    # A view only typed commands open (no button carries the verb): clicks are refused.
    typed_only: bool = False
    # A verb only cards the bot sent before carry (Teams keeps old messages): still
    # answered, never put on a new card.
    legacy: bool = False


@dataclass(frozen=True)
class CommandRoute:
    verb: str
    # The data key the typed argument goes to (`phase assess` → {"phase": "assess"}).
    argument: str | None = None
    data: Mapping[str, str] = field(default_factory=dict)
    # Whether the answer carries the set-up offer while the engagement is not set up.
    offers_setup: bool = True


class Routes:
    """The verbs and commands of one flow module."""

    def __init__(self) -> None:
        self.verbs: dict[str, VerbRoute] = {}
        self.commands: dict[str, CommandRoute] = {}

    def verb(
        self,
        name: str,
        *,
        command: str | None = None,
        argument: str | None = None,
        manager_only: ManagerAction | None = None,
        offers_setup: bool = True,
        typed_only: bool = False,
        legacy: bool = False,
    ) -> Callable[[Handler], Handler]:
        if command is None and (argument is not None or not offers_setup or typed_only):
            raise ValueError(f"{name!r}: argument, offers_setup and typed_only need a command")

        def register(handler: Handler) -> Handler:
            _add(self.verbs, name, VerbRoute(handler, manager_only, typed_only, legacy))
            if command is not None:
                self.command(command, verb=name, argument=argument, offers_setup=offers_setup)
            return handler

        return register

    def command(
        self,
        name: str,
        *,
        verb: str,
        argument: str | None = None,
        data: Mapping[str, str] | None = None,
        offers_setup: bool = True,
    ) -> None:
        _add(self.commands, name, CommandRoute(verb, argument, data or {}, offers_setup))


def _add(table: dict[str, T], name: str, route: T) -> None:
    if name in table:
        raise ValueError(f"{name!r} is registered twice")
    table[name] = route


class Router:
    """All flows' routes. Built once at start-up; refuses duplicates and commands that the
    vocabulary and the flows don't both know."""

    def __init__(self, *flows: Routes, unknown_command: Handler) -> None:
        self._verbs: dict[str, VerbRoute] = {}
        self._commands: dict[str, CommandRoute] = {}
        for routes in flows:
            for name, verb in routes.verbs.items():
                _add(self._verbs, name, verb)
            for name, command in routes.commands.items():
                _add(self._commands, name, command)
        self._unknown_command = unknown_command
        vocabulary = {spec.name for spec in COMMANDS}
        if vocabulary != set(self._commands):
            raise ValueError(
                f"commands without a route or words: {vocabulary ^ set(self._commands)}"
            )
        unbound = {c.verb for c in self._commands.values()} - set(self._verbs)
        if unbound:
            raise ValueError(f"commands bound to unknown verbs: {unbound}")

    @property
    def verbs(self) -> frozenset[str]:
        """The verbs a new card's buttons may carry."""
        return frozenset(
            name for name, route in self._verbs.items() if not (route.typed_only or route.legacy)
        )

    @property
    def commands(self) -> dict[str, str]:
        """Each typed command and the verb it runs."""
        return {name: route.verb for name, route in self._commands.items()}

    async def click(self, verb: object, ctx: FlowContext) -> Reply:
        """Runs the handler of a card verb (Action.Execute, or Action.Submit's `verb`)."""
        route = self._verbs.get(verb) if isinstance(verb, str) else None
        if route is None or route.typed_only:
            raise InvalidAction(f"unknown verb {str(verb)[:40]!r}")
        return await self._run(route, ctx)

    async def typed(self, text: str, ctx: FlowContext) -> Reply:
        """Runs what a typed command asks for, or the unknown-command answer."""
        if len(text) > MAX_COMMAND_TEXT:
            raise TextTooLong(limit=MAX_COMMAND_TEXT)
        command = parse_command(text)
        route = self._commands.get(command.name) if command else None
        if command is None or route is None:
            return await self._unknown_command(ctx)
        data = dict(route.data)
        if route.argument is not None:
            data[route.argument] = command.argument
        # The words' language is the person's: their own views answer in it.
        scope = replace(ctx.scope, lang=command.lang or ctx.scope.lang)
        ctx = replace(ctx, scope=scope, data=CardData(data), typed=True)
        reply = await self._run(self._verbs[route.verb], ctx)
        engagement = ctx.loaded
        if route.offers_setup and engagement is not None and engagement.profile is None:
            offer = with_setup_offer(reply.card, ctx.view(engagement))
            reply = replace(reply, card=offer)
        return reply

    async def _run(self, route: VerbRoute, ctx: FlowContext) -> Reply:
        if route.manager_only is not None:
            engagement = await ctx.engagement()
            if route.manager_only is ManagerAction.SETUP and engagement.manager is None:
                engagement = await _claim_setup(ctx)
            engagement.require_manager(ctx.scope.actor, route.manager_only)
        reply = await route.handler(ctx)
        scope = ctx.scope
        if scope.is_shared_conversation:
            # The person is in this conversation: their personal chat lists its engagement.
            await ctx.services.note_member(scope.actor.person.id, scope.key)
        return reply


async def _claim_setup(ctx: FlowContext) -> Engagement:
    """Nobody installed the bot here (no installation event came): whoever opens setup
    first may run it. Its own op id, so the setup it opens is not taken for a redelivery."""
    scope = ctx.scope
    at, op_id = ctx.services.clock(), f"{scope.op_id}:role"
    engagement, _ = await ctx.services.change(
        scope, lambda e: e.claim_setup(scope.actor, at=at, op_id=op_id)
    )
    return engagement
