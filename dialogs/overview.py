"""The overview (`status`) and help: where people start and come back to."""

from __future__ import annotations

from cards.help import help_card
from cards.overview import overview_card
from cards.team_engagements import with_team_engagements
from dialogs.context import FlowContext, Reply, Shown
from dialogs.router import Routes
from dialogs.team_engagements import team_engagements

routes = Routes()


@routes.verb("status.show", command="status")
async def show_status(ctx: FlowContext) -> Reply:
    engagement = await ctx.engagement()
    view = ctx.view(engagement)
    card = overview_card(engagement, ctx.services.catalog, view)
    # In a personal chat, the team engagements the person is in, each to open there.
    listed = await team_engagements(ctx.services, ctx.scope)
    card = with_team_engagements(card, listed, ctx.services.catalog, view)
    return Reply(card, shows=Shown(Shown.OVERVIEW))


@routes.verb("help.show", command="help", typed_only=True)
async def show_help(ctx: FlowContext) -> Reply:
    engagement = await ctx.engagement()
    return Reply(help_card(ctx.view(engagement).lang))


async def unknown_command(ctx: FlowContext) -> Reply:
    """Typed text that is no command: the help, saying so."""
    return Reply(help_card(ctx.scope.lang, unknown_text=True))
