"""`export`: signed links to the checklist, history and notes as a workbook, and the
checklist as CSV. The links are made for the engagement of the conversation asking (so only
its members are offered them) and its tenant, and expire after 15 minutes."""

from __future__ import annotations

from cards.export import export_card
from dialogs.context import FlowContext, Reply
from dialogs.links import EXPORT_LIFETIME
from dialogs.router import Routes

routes = Routes()


@routes.verb("export.show", command="export")
async def show_export(ctx: FlowContext) -> Reply:
    engagement = await ctx.engagement()
    links, now = ctx.services.links, ctx.services.clock()
    tenant = engagement.key.tenant_id
    card = export_card(
        ctx.view(engagement),
        xlsx_url=links.url("xlsx", engagement.id, tenant, now),
        csv_url=links.url("csv", engagement.id, tenant, now),
        minutes=int(EXPORT_LIFETIME.total_seconds() // 60),
    )
    return Reply(card)
