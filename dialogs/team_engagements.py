"""A person's team engagements, seen from their personal chat: `status` (and the welcome)
there lists the team and group-chat engagements they belong to, and `Open` shows one's
overview. Which ones: those they were seen acting in (dialogs/router.py records it), own
tasks in, or manage. Every entry is a hint, checked against the engagement it names on
every list and every open; an open also asks Teams whether the person is still a member."""

from __future__ import annotations

from cards.team_engagements import team_overview_card
from dialogs.context import FlowContext, InvalidAction, Reply
from dialogs.router import Routes
from dialogs.scope import TurnScope
from dialogs.services import Services
from domain.engagement import Engagement
from domain.errors import NotAMember

routes = Routes()
SHARED_CONVERSATIONS = ("channel", "groupChat")


def _belongs(engagement: Engagement | None, scope: TurnScope, recorded: bool) -> bool:
    """Whether the engagement is a team one of this tenant the person is known to be in:
    recorded there, or named in it (owner of a task, the manager)."""
    if engagement is None or engagement.id == scope.key.id:
        return False
    if engagement.key.tenant_id != scope.key.tenant_id:
        return False
    if engagement.conversation_type not in SHARED_CONVERSATIONS:
        return False
    named = bool(engagement.owned_by(scope.actor.ids)) or engagement.is_manager(scope.actor)
    return recorded or named


async def team_engagements(services: Services, scope: TurnScope) -> list[Engagement]:
    """The person's team engagements, by name, for their personal chat (none elsewhere)."""
    if scope.is_shared_conversation:
        return []
    recorded, owned = await services.engagements_of(scope.actor.person.id)
    found = []
    for engagement_id in sorted(recorded | owned):
        engagement = await services.find(engagement_id)
        if engagement is not None and _belongs(engagement, scope, engagement_id in recorded):
            found.append(engagement)
    return sorted(found, key=lambda e: (e.profile.name.casefold() if e.profile else "", e.id))


@routes.verb("engagement.open")
async def open_team_engagement(ctx: FlowContext) -> Reply:
    """The button carries only the engagement's id: whether the person may see it is
    decided here, on every click, from who they are (the activity's sender)."""
    engagement_id = ctx.pointer()
    if engagement_id is None:
        raise InvalidAction("'engagement' names no other engagement")
    scope, services = ctx.scope, ctx.services
    person = scope.actor.person.id
    engagement = await services.find(engagement_id)
    recorded = await services.is_recorded_member(person, engagement_id)
    if engagement is None or not _belongs(engagement, scope, recorded):
        raise NotAMember()
    if await ctx.member_of(engagement.conversation_reference, scope.user_id) is False:
        # Teams says they left: the entry goes, and nothing is shown.
        await services.forget_member(person, engagement_id)
        raise NotAMember()
    view = services.personal_view(engagement, scope)
    return Reply(team_overview_card(engagement, services.catalog, view), personal=True)
