"""The Teams edge's turn: an activity becomes a flow call, the flow's reply becomes messages
(or an invoke response), its announcements proactive posts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.schema import ActivityTypes, ChannelAccount

from bot.adapter import answer_invoke
from bot.messages import (
    bad_request_invoke_response,
    card_invoke_response,
    card_message,
    message_invoke_response,
    search_invoke_response,
    send_owned,
)
from bot.proactive import ProactivePoster
from bot.roster import MemberLists, TurnRoster, is_member, team_channels
from bot.scope import MalformedActivity, scope_of, tenant_of
from cards.common import Card
from cards.notice import error_card
from dialogs import welcome
from dialogs.context import CardData, FlowContext, InvalidAction, Reply
from dialogs.live import LiveCards, Posted, remember
from dialogs.router import Router
from dialogs.scope import TurnScope
from dialogs.services import Services
from dialogs.zones import BadSearch, zone_search
from domain.catalog import Language
from domain.errors import DomainError
from domain.i18n import language_for, text
from domain.profile import Channel
from storage.base import StoreUnavailable

log = logging.getLogger("bot.turn")


class TeamsChannelDataNoise(logging.Filter):
    """Drops one msrest warning. botbuilder's TeamsInfo.get_team_id (under get_members)
    builds `TeamsChannelData(**channel_data)`, and msrest warns about every field of Teams'
    channelData its model lacks ('source', 'legacy', sent with every click): a warning per
    click that says nothing wrong. Other msrest warnings still pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        unknown = record.msg == "%s is not a known attribute of class %s and will be ignored"
        return not (unknown and len(args) == 2 and "TeamsChannelData" in str(args[1]))


logging.getLogger("msrest.serialization").addFilter(TeamsChannelDataNoise())

REFUSALS = (DomainError, StoreUnavailable)
# Teams gives up on a turn after about 15 s and redelivers it: in a store outage a click or
# command (however many wait for the same engagement) is refused politely well before that.
TURN_DEADLINE_S = 4.0


def refusal(lang: Language, error: Exception) -> str:
    if isinstance(error, StoreUnavailable):
        return text(lang, "error.store_unavailable")
    if isinstance(error, DomainError):
        return text(lang, f"error.{error.code}", **error.params)
    return text(lang, "error.invalid_request")


class OnboardingBot(ActivityHandler):
    def __init__(
        self,
        services: Services,
        router: Router,
        poster: ProactivePoster,
        live: LiveCards,
        allowed_tenants: frozenset[str] = frozenset(),
    ) -> None:
        self.services = services
        self.router = router
        self.poster = poster
        self.live = live
        self.allowed_tenants = allowed_tenants
        self.member_lists = MemberLists()

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        refused = self.allowed_tenants and tenant_of(activity) not in self.allowed_tenants
        if refused:
            # Refused before anything is read or stored; said politely where someone asked.
            log.warning("refused activity from tenant outside ALLOWED_TENANTS")
        if activity.type == ActivityTypes.invoke:
            lang = language_for(activity.locale)
            response = (
                message_invoke_response(text(lang, "error.tenant_not_allowed"))
                if refused
                else await self.on_invoke_activity(turn_context)
            )
            answer_invoke(turn_context, response)
        elif refused:
            if activity.type == ActivityTypes.message:
                lang = language_for(activity.locale)
                await turn_context.send_activity(text(lang, "error.tenant_not_allowed"))
        else:
            await super().on_turn(turn_context)

    async def _run(
        self,
        turn_context: TurnContext,
        scope: TurnScope,
        data: dict[str, Any],
        flow: Callable[[FlowContext], Awaitable[Reply]],
    ) -> Reply:
        """Runs `flow` with the turn's context, within the turn's deadline (past it, the
        store is taken as unavailable: the answer is a refusal, and the op id makes Teams'
        redelivery or the person's retry safe). The announcements of changes it saved go out
        (after the answer) even if it fails afterwards: the change is saved, so is the news."""
        roster = TurnRoster(turn_context, scope, self.member_lists)
        listed: list[Channel] = []

        async def channels() -> list[Channel]:
            if not listed:
                listed.extend(await team_channels(turn_context, scope))
            return listed

        member_of = partial(is_member, turn_context)
        ctx = FlowContext(
            scope, CardData(data), self.services, roster, self.poster, channels, member_of
        )
        clicked: Posted | None = None
        try:
            async with asyncio.timeout(TURN_DEADLINE_S):
                ctx.scope = await self.services.stored_scope(scope)
                reply = await flow(ctx)
            message_id = turn_context.activity.reply_to_id
            if message_id and reply.changed and _shared(scope, reply):
                # The clicked message is updated for everyone (below): it now shows this.
                clicked = Posted(turn_context.activity.conversation.id, message_id, reply.shows)
            return reply
        except TimeoutError as late:
            raise StoreUnavailable(f"turn not done within {TURN_DEADLINE_S:g} s") from late
        finally:
            await self.poster.announce(ctx.announcements)
            for engagement_id in ctx.changed:
                own = engagement_id == ctx.scope.key.id
                # A personal chat's own engagement has no shared cards to keep current.
                if not own or scope.is_shared_conversation:
                    self.live.changed(engagement_id, clicked if own else None)

    async def _send(self, turn_context: TurnContext, cards: tuple[Card, ...]) -> str | None:
        """Sends the cards; returns the first one's message id."""
        sent = [await send_owned(turn_context, card_message(card)) for card in cards]
        return sent[0].id if sent and sent[0] else None

    # Installation -------------------------------------------------------------------

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        self.member_lists.forget(turn_context)
        if _includes_bot(members_added, turn_context):
            await self.on_installation_update_add(turn_context)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        scope = await self._stored_scope_or_none(turn_context)
        welcome_card = await welcome.install(self.services, scope) if scope else None
        if welcome_card is not None:
            await self._send(turn_context, (welcome_card,))

    async def on_members_removed_activity(
        self, members_removed: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        self.member_lists.forget(turn_context)  # before anything that may fail
        if _includes_bot(members_removed, turn_context):
            await self.on_installation_update_remove(turn_context)
        scope = await self._stored_scope_or_none(turn_context)
        if scope is not None and scope.is_shared_conversation:
            bot_id = getattr(turn_context.activity.recipient, "id", None)
            people = [
                m.aad_object_id or m.id for m in members_removed if m.id not in (None, bot_id)
            ]
            await welcome.left(self.services, scope, people)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        scope = await self._stored_scope_or_none(turn_context)
        if scope is not None:
            await welcome.uninstall(self.services, scope)

    async def _stored_scope_or_none(self, turn_context: TurnContext) -> TurnScope | None:
        scope = _scope_or_none(turn_context)
        return await self.services.stored_scope(scope) if scope else None

    # Typed commands and Action.Submit ----------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        lang = language_for(activity.locale)
        try:
            scope = scope_of(activity)
            if isinstance(activity.value, dict) and activity.text is None:
                # Action.Submit from a client without Universal Actions: same verbs.
                data = activity.value
                verb = data.get("verb")
                reply = await self._run(
                    turn_context, scope, data, lambda ctx: self.router.click(verb, ctx)
                )
                cards: tuple[Card, ...] = (reply.card,)
            else:
                typed = activity.text or ""
                reply = await self._run(
                    turn_context, scope, {}, lambda ctx: self.router.typed(typed, ctx)
                )
                cards = reply.cards
        except (*REFUSALS, InvalidAction, MalformedActivity) as error:
            log.info("refused message: %s", type(error).__name__)
            await self._send(turn_context, (error_card(lang, refusal(lang, error)),))
            return
        message_id = await self._send(turn_context, cards)
        if message_id and reply.shows and _shared(scope, reply):
            # A new card for everyone: the one to keep current from now on.
            posted = Posted(activity.conversation.id, message_id, reply.shows)
            try:
                await remember(self.services, scope.key.id, posted)
            except StoreUnavailable:
                log.warning("could not remember the shared card %s", message_id)

    # Action.Execute ---------------------------------------------------------------------

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        activity = turn_context.activity
        lang = language_for(activity.locale)
        if activity.name == "application/search":
            try:
                return search_invoke_response(zone_search(activity.value, lang))
            except BadSearch as error:
                return bad_request_invoke_response(str(error))
        if activity.name != "adaptiveCard/action":
            return bad_request_invoke_response("unsupported invoke")
        action = activity.value.get("action") if isinstance(activity.value, dict) else None
        if not isinstance(action, dict) or action.get("type") != "Action.Execute":
            return bad_request_invoke_response("value.action must be an Action.Execute")
        data = action.get("data", {})
        if not isinstance(data, dict):
            return bad_request_invoke_response("value.action.data must be an object")
        try:
            scope = scope_of(activity)
            verb = action.get("verb")
            reply = await self._run(
                turn_context, scope, data, lambda ctx: self.router.click(verb, ctx)
            )
        except (InvalidAction, MalformedActivity) as error:
            log.info("bad invoke: %s", error)
            return bad_request_invoke_response(str(error))
        except REFUSALS as error:
            log.info("refused invoke: %s", type(error).__name__)
            return message_invoke_response(refusal(lang, error))
        if reply.changed and _shared(scope, reply) and activity.reply_to_id:
            await self._update_shared_card(turn_context, activity.reply_to_id, reply.card)
        return card_invoke_response(reply.card)

    async def _update_shared_card(
        self, turn_context: TurnContext, message_id: str, card: Card
    ) -> None:
        """Everyone in a channel or group chat sees one card; the invoke response alone would
        refresh it for the person who clicked. A failed update is not the click's failure:
        the state is saved and the next view shows it."""
        update = card_message(card)
        update.id = message_id
        try:
            await turn_context.update_activity(update)
        except Exception as error:  # the state is saved; only the shared view lags
            log.warning("could not update shared card %s: %s", message_id, error)


def _shared(scope: TurnScope, reply: Reply) -> bool:
    """The reply is a card everyone in the conversation sees."""
    return scope.is_shared_conversation and not reply.personal


def _scope_or_none(turn_context: TurnContext) -> TurnScope | None:
    """An installation event that names no conversation or sender is ignored: nobody is
    waiting for an answer to it."""
    try:
        return scope_of(turn_context.activity)
    except MalformedActivity as error:
        log.info("ignored installation event: %s", error)
        return None


def _includes_bot(members: list[ChannelAccount], turn_context: TurnContext) -> bool:
    recipient = turn_context.activity.recipient
    bot_id = recipient.id if recipient else None
    return any(member.id == bot_id for member in members)
