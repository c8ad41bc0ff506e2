"""`report`: the status report card, on demand here and weekly from the scheduler
(dialogs/weekly.py), with the burn-up chart behind a signed link."""

from __future__ import annotations

from datetime import datetime

from cards.common import Card, View
from cards.report import report_card
from dialogs.context import FlowContext, Reply
from dialogs.router import Routes
from dialogs.services import Services
from domain.engagement import Engagement
from domain.report import build_report, report_since

routes = Routes()


async def status_report(
    services: Services, engagement: Engagement, view: View, now: datetime
) -> Card:
    # The card needs the period's changes only; the chart, served at its own link, replays
    # the whole trail.
    recent = await services.audit_since(engagement, report_since(engagement, now))
    report = build_report(engagement, services.catalog, recent, now)
    chart = services.links.url("chart", engagement.id, engagement.key.tenant_id, now)
    title = engagement.profile.name if engagement.profile else view.t("overview.title")
    return report_card(report, title, view, chart_url=chart)


@routes.verb("report.show", command="report")
async def show_report(ctx: FlowContext) -> Reply:
    engagement = await ctx.engagement()
    now = ctx.services.clock()
    return Reply(await status_report(ctx.services, engagement, ctx.view(engagement), now))
