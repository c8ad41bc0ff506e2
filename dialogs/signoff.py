"""A settled phase's sign-off: Sign off (the customer's project manager or a deputy; for
Remediate a FastTrack engineer too) and Reopen (the project manager or a deputy). The last
signature completes the phase, announced by dialogs/changes.py."""

from __future__ import annotations

from cards.phase import phase_card
from cards.signoff import comment_input_id, reopen_input_id
from dialogs.changes import EngagementChange, change_engagement
from dialogs.context import FlowContext, InvalidAction, Reply, Shown
from dialogs.router import Routes
from domain.catalog import Track
from domain.engagement import AuditEntry, Engagement
from domain.roles import ManagerAction, Side

routes = Routes()


@routes.verb("phase.signoff")
async def sign_off(ctx: FlowContext) -> Reply:
    """Who may sign for the side is the domain's check (domain/roles.py)."""
    track = ctx.track()
    try:
        side = Side(ctx.data.identifier("side"))
    except ValueError:
        raise InvalidAction("'side' is not a side") from None
    scope, services = ctx.scope, ctx.services

    def sign(engagement: Engagement) -> AuditEntry | None:
        return engagement.sign_off(
            services.catalog,
            phase_id=track.id,
            side=side,
            comment=ctx.data.text(comment_input_id(track.id, side)),
            actor=scope.actor,
            at=services.clock(),
            op_id=scope.op_id,
        )

    return await _phase_change(ctx, track, sign)


@routes.verb("phase.reopen", manager_only=ManagerAction.REOPEN_PHASE)
async def reopen_phase(ctx: FlowContext) -> Reply:
    track = ctx.track()
    scope, services = ctx.scope, ctx.services

    def reopen(engagement: Engagement) -> AuditEntry | None:
        return engagement.reopen_phase(
            services.catalog,
            phase_id=track.id,
            reason=ctx.data.text(reopen_input_id(track.id)),
            actor=scope.actor,
            at=services.clock(),
            op_id=scope.op_id,
        )

    return await _phase_change(ctx, track, reopen)


async def _phase_change(ctx: FlowContext, track: Track, change: EngagementChange) -> Reply:
    """Applies `change` and answers with the phase's card, which the channel keeps current."""
    outcome = await change_engagement(ctx, change)
    card = phase_card(outcome.engagement, ctx.services.catalog, track, ctx.view(outcome.engagement))
    return Reply(card, changed=outcome.changed, shows=Shown(track.id))
