"""The overview (`status`) and help: where people start and come back to."""

from __future__ import annotations

from cards.help import help_card
from cards.overview import overview_card
from dialogs.context import FlowContext, Reply, Shown
from dialogs.router import Routes

routes = Routes()


@routes.verb("status.show", command="status")
async def show_status(ctx: FlowContext) -> Reply:
    engagement = await ctx.engagement()
    card = overview_card(engagement, ctx.services.catalog, ctx.view(engagement))
    return Reply(card, shows=Shown(Shown.OVERVIEW))


@routes.verb("help.show", command="help", typed_only=True)
async def show_help(ctx: FlowContext) -> Reply:
    engagement = await ctx.engagement()
    return Reply(help_card(ctx.view(engagement).lang))


async def unknown_command(ctx: FlowContext) -> Reply:
    """Typed text that is no command: the help, saying so."""
    return Reply(help_card(ctx.scope.lang, unknown_text=True))
