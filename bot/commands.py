"""Text commands: what each one answers. Registered by the names in dialogs/commands.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.routing import Router
from bot.scope import TurnScope
from bot.services import Services
from cards.common import Card
from cards.help import help_card
from cards.overview import overview_card
from cards.phase import phase_card
from domain.errors import UnknownTrack


@dataclass(frozen=True)
class CommandContext:
    scope: TurnScope
    argument: str
    services: Services


CommandHandler = Callable[[CommandContext], Awaitable[Card]]
commands: Router[CommandHandler] = Router()


@commands.register("help")
async def show_help(ctx: CommandContext) -> Card:
    return help_card(ctx.scope.lang)


@commands.register("status")
async def show_status(ctx: CommandContext) -> Card:
    engagement, _ = await ctx.services.engagement_for(ctx.scope)
    return overview_card(engagement, ctx.services.catalog, ctx.scope.lang)


@commands.register("next")
async def show_next(ctx: CommandContext) -> Card:
    catalog = ctx.services.catalog
    engagement, _ = await ctx.services.engagement_for(ctx.scope)
    current = engagement.current_phase(catalog)
    if current is None:
        return overview_card(engagement, catalog, ctx.scope.lang)
    return phase_card(engagement, catalog, current, ctx.scope.lang)


@commands.register("phase")
async def show_phase(ctx: CommandContext) -> Card:
    catalog = ctx.services.catalog
    track = catalog.find_track(ctx.argument)
    if track is None:
        raise UnknownTrack(name=ctx.argument[:40])
    engagement, _ = await ctx.services.engagement_for(ctx.scope)
    return phase_card(engagement, catalog, track, ctx.scope.lang)


@commands.register("general")
async def show_general(ctx: CommandContext) -> Card:
    catalog = ctx.services.catalog
    engagement, _ = await ctx.services.engagement_for(ctx.scope)
    return phase_card(engagement, catalog, catalog.general, ctx.scope.lang)
