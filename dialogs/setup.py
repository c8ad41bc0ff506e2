"""Setting up the engagement (project manager): the form, its validation, the draft, the save.

A form sent back with errors is kept as the engagement's draft, so opening the settings
later shows what was typed; a valid save replaces the profile and drops the draft.
"""

from __future__ import annotations

import logging

from cards.common import Card
from cards.setup import form_input_ids, form_values, setup_card
from dialogs.changes import change_then_overview
from dialogs.context import FlowContext, Reply
from dialogs.router import Routes
from domain.engagement import AuditEntry, Engagement
from domain.errors import UnknownPerson
from domain.profile import MAX_ROLE_PEOPLE, Person, ProfileInvalid, role_ids, validate_profile
from domain.roles import ManagerAction
from storage.base import StoreUnavailable

log = logging.getLogger("bot.setup")
routes = Routes()

# Longest value kept per field of a draft: enough for any valid entry.
MAX_DRAFT_VALUE_CHARS = 200
# The people pickers of the roles besides the project manager.
ROLE_INPUTS = ("fastTrackEngineers", "deputies")


async def _people(ctx: FlowContext, ids: list[str]) -> list[Person | None]:
    """The people the ids name in this conversation (None for an id naming nobody here);
    past the most a role takes, the ids are not looked up (the form is refused anyway)."""
    if len(ids) > MAX_ROLE_PEOPLE:
        return [None] * len(ids)
    found: list[Person | None] = []
    for person_id in ids:
        try:
            found.append(await ctx.person(person_id))
        except UnknownPerson:
            found.append(None)
    return found


async def setup_form(ctx: FlowContext, engagement: Engagement) -> Card:
    view = ctx.view(engagement)
    draft = await ctx.services.setup_draft(engagement.id)
    values = draft or form_values(engagement.profile, view)
    return setup_card(
        ctx.services.catalog,
        view,
        values={"channel": engagement.channel_id or "", **values},
        members=await ctx.roster(),
        channels=await ctx.channels(),
    )


@routes.verb("setup.show", command="settings", manager_only=ManagerAction.SETUP, offers_setup=False)
async def show_setup(ctx: FlowContext) -> Reply:
    return Reply(await setup_form(ctx, await ctx.engagement()))


@routes.verb("setup.save", manager_only=ManagerAction.SETUP)
async def save_setup(ctx: FlowContext) -> Reply:
    scope, services = ctx.scope, ctx.services
    engagement = await ctx.engagement()
    form = ctx.data.form()
    # A zone picked from the search wins over the typed one (which has a default).
    if form.get("timeZoneChoice"):
        form["timeZone"] = form["timeZoneChoice"]
    try:
        manager = await ctx.person(form.get("projectManager"))
    except UnknownPerson:
        manager = None
    roles = {key: await _people(ctx, role_ids(form, key)) for key in ROLE_INPUTS}
    try:
        profile = validate_profile(form, services.catalog, manager, roles)
    except ProfileInvalid as invalid:
        inputs = form_input_ids(services.catalog)
        draft = {k: v[:MAX_DRAFT_VALUE_CHARS] for k, v in form.items() if k in inputs}
        await services.save_setup_draft(engagement.id, draft)
        card = setup_card(
            services.catalog,
            ctx.view(engagement),
            values=form,
            members=await ctx.roster(),
            channels=await ctx.channels(),
            errors=dict(invalid.errors),
        )
        return Reply(card)
    channels = await ctx.channels() if form.get("channel") else []
    channel = next((c for c in channels if c.id == form["channel"]), None)
    at = services.clock()

    def save(e: Engagement) -> AuditEntry | None:
        saved = e.apply_profile(
            services.catalog, profile, actor=scope.actor, at=at, op_id=scope.op_id
        )
        # Only a channel Teams lists for the team; moving to where it is already is no change.
        moved = channel and e.move_channel(
            channel, channels, actor=scope.actor, at=at, op_id=scope.op_id
        )
        return saved or moved or None

    reply = await change_then_overview(ctx, save, lambda view: view.t("setup.saved"))
    if scope.is_shared_conversation:
        # Named, the manager sees the engagement in their personal chat before acting here.
        await services.note_member(profile.project_manager.id, scope.key)
    try:
        await services.save_setup_draft(engagement.id, None)
    except StoreUnavailable:  # the profile is saved; a stale draft only shows until next time
        log.warning("could not drop the setup draft of %s", engagement.id)
    return reply
