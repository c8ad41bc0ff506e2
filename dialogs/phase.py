"""A phase: its walkthrough (introduction, then tasks), its pages, skipping it and undoing
the skip."""

from __future__ import annotations

from cards.announce import phase_skipped_card
from cards.overview import overview_card
from cards.phase import phase_card, phase_intro_card, reason_input_id
from dialogs.changes import change_engagement, change_then_overview
from dialogs.context import Announcement, FlowContext, Reply, Shown
from dialogs.router import Routes
from domain.engagement import AuditEntry, Engagement
from domain.roles import ManagerAction

routes = Routes()


@routes.verb("phase.show", command="phase", argument="phase")
async def show_phase(ctx: FlowContext) -> Reply:
    name = ctx.data.get("phase")
    if ctx.typed and not (isinstance(name, str) and name.strip()):
        # `phase` alone: the overview lists every phase, each one click away.
        engagement = await ctx.engagement()
        view = ctx.view(engagement)
        card = overview_card(engagement, ctx.services.catalog, view, [view.t("phase.which")])
        return Reply(card)
    track, page = ctx.track(), ctx.data.page()
    engagement = await ctx.engagement()
    return Reply(
        phase_card(engagement, ctx.services.catalog, track, ctx.view(engagement), page=page),
        shows=Shown(track.id, page),
    )


routes.command("general", verb="phase.show", data={"phase": "general"})


@routes.verb("phase.walk", command="next", typed_only=True)
async def walk_current_phase(ctx: FlowContext) -> Reply:
    """The current phase's introduction, whose button opens its tasks (one card: the task
    list would repeat the introduction's header); the overview once all are done."""
    catalog = ctx.services.catalog
    engagement = await ctx.engagement()
    view = ctx.view(engagement)
    current = engagement.current_phase(catalog)
    if current is None:
        return Reply(overview_card(engagement, catalog, view))
    return Reply(phase_intro_card(engagement, catalog, current, view))


routes.command("start", verb="phase.walk")


@routes.verb("phase.skip", manager_only=ManagerAction.SKIP)
async def skip_phase(ctx: FlowContext) -> Reply:
    """The skip is announced in the engagement's conversation as a skip, with its undo."""
    track = ctx.track()
    scope, services = ctx.scope, ctx.services
    skipped: list[AuditEntry] = []  # the skip this click applied (none when redelivered)

    def skip(engagement: Engagement) -> AuditEntry | None:
        entry = engagement.skip_phase(
            services.catalog,
            phase_id=track.id,
            reason=ctx.data.text(reason_input_id(track.id)),
            actor=scope.actor,
            at=services.clock(),
            op_id=scope.op_id,
        )
        skipped[:] = [entry] if entry else []
        return entry

    outcome = await change_engagement(ctx, skip)
    engagement = outcome.engagement
    reference = engagement.conversation_reference
    if skipped and reference:
        view = services.engagement_view(engagement)
        card = phase_skipped_card(engagement, services.catalog, track, view)
        ctx.announcements.append(Announcement(reference, card))
    view = ctx.view(engagement)
    notice = view.t("phase.skipped_notice", phase=track.name.in_(view.lang))
    card = overview_card(engagement, services.catalog, view, [notice])
    return Reply(card, changed=outcome.changed, shows=Shown(Shown.OVERVIEW))


@routes.verb("phase.unskip", manager_only=ManagerAction.SKIP)
async def undo_skip(ctx: FlowContext) -> Reply:
    track = ctx.track()
    scope, services = ctx.scope, ctx.services
    return await change_then_overview(
        ctx,
        lambda e: e.undo_skip(
            services.catalog,
            phase_id=track.id,
            actor=scope.actor,
            at=services.clock(),
            op_id=scope.op_id,
        ),
        lambda view: view.t("phase.unskipped", phase=track.name.in_(view.lang)),
    )
