"""Text commands: what each one answers. Registered by the names in dialogs/commands.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.actions import ActionContext, my_tasks_view, setup_form
from bot.routing import Router
from bot.scope import TurnScope
from bot.services import Services
from cards.common import Card
from cards.help import help_card
from cards.mytasks import my_tasks_card
from cards.overview import overview_card
from cards.phase import phase_card, phase_intro_card
from domain.engagement import Engagement
from domain.errors import NotPermitted, UnknownTrack


@dataclass(frozen=True)
class CommandContext:
    argument: str
    # The same tools a card action has: a command is a click typed out.
    tools: ActionContext
    _loaded: list[Engagement] = field(default_factory=list)

    @property
    def scope(self) -> TurnScope:
        return self.tools.scope

    @property
    def services(self) -> Services:
        return self.tools.services

    async def engagement(self) -> Engagement:
        if not self._loaded:
            engagement, _ = await self.services.engagement_for(self.scope)
            self._loaded.append(engagement)
        return self._loaded[0]

    @property
    def needs_setup(self) -> bool:
        """Whether the engagement this command read has not been set up yet."""
        return bool(self._loaded) and self._loaded[0].profile is None


CommandHandler = Callable[[CommandContext], Awaitable[list[Card]]]
commands: Router[CommandHandler] = Router()


@commands.register("help")
async def show_help(ctx: CommandContext) -> list[Card]:
    engagement = await ctx.engagement()
    return [help_card(ctx.services.view(engagement, ctx.scope).lang)]


@commands.register("status")
async def show_status(ctx: CommandContext) -> list[Card]:
    engagement = await ctx.engagement()
    view = ctx.services.view(engagement, ctx.scope)
    return [overview_card(engagement, ctx.services.catalog, view)]


@commands.register("next")
@commands.register("start")
async def walk_current_phase(ctx: CommandContext) -> list[Card]:
    """The current phase's introduction, then its tasks."""
    catalog = ctx.services.catalog
    engagement = await ctx.engagement()
    view = ctx.services.view(engagement, ctx.scope)
    current = engagement.current_phase(catalog)
    if current is None:
        return [overview_card(engagement, catalog, view)]
    return [
        phase_intro_card(engagement, catalog, current, view),
        phase_card(engagement, catalog, current, view),
    ]


@commands.register("phase")
async def show_phase(ctx: CommandContext) -> list[Card]:
    catalog = ctx.services.catalog
    track = catalog.find_track(ctx.argument)
    if track is None:
        raise UnknownTrack(name=ctx.argument[:40])
    engagement = await ctx.engagement()
    return [phase_card(engagement, catalog, track, ctx.services.view(engagement, ctx.scope))]


@commands.register("general")
async def show_general(ctx: CommandContext) -> list[Card]:
    catalog = ctx.services.catalog
    engagement = await ctx.engagement()
    view = ctx.services.view(engagement, ctx.scope)
    return [phase_card(engagement, catalog, catalog.general, view)]


@commands.register("my tasks")
async def show_my_tasks(ctx: CommandContext) -> list[Card]:
    scope = ctx.scope
    if scope.is_shared_conversation:
        # Only the person asking sees their list: Teams refreshes this card for them alone.
        engagement = await ctx.engagement()
        view = ctx.services.view(engagement, scope)
        return [
            my_tasks_card(
                [],
                ctx.services.catalog,
                view,
                owner_name=scope.actor.name,
                refresh_for=scope.user_id,
            )
        ]
    return [await my_tasks_view(ctx.tools)]


@commands.register("settings")
async def show_settings(ctx: CommandContext) -> list[Card]:
    engagement = await ctx.engagement()
    if not engagement.is_manager(ctx.scope.actor):
        raise NotPermitted(action="setup")
    return [await setup_form(ctx.tools, engagement)]
