"""The Teams edge: turns activities into domain calls and domain results into cards."""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from botbuilder.core import (
    ActivityHandler,
    CardFactory,
    ConversationState,
    InvokeResponse,
    MessageFactory,
    TurnContext,
)
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

from bot.actions import ActionContext, ActionResult, InvalidAction, actions
from bot.adapter import answer_invoke
from bot.commands import CommandContext, commands
from bot.outbound import Outbound
from bot.scope import MalformedActivity, TurnScope, scope_of, tenant_of
from bot.services import Services
from cards.announce import phase_completed_card
from cards.common import Card, View
from cards.help import help_card
from cards.notice import error_card
from cards.overview import welcome_card, with_setup_offer
from dialogs.commands import MAX_COMMAND_TEXT, parse_command
from domain.catalog import Language, Track
from domain.engagement import Engagement
from domain.errors import DomainError, TextTooLong
from domain.i18n import language_for, text
from domain.profile import Person
from storage.base import StoreUnavailable

log = logging.getLogger("bot.turn")

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"
ERROR_CONTENT_TYPE = "application/vnd.microsoft.error"
REFUSALS = (DomainError, StoreUnavailable)


def card_invoke_response(card: Card) -> InvokeResponse:
    return InvokeResponse(
        status=HTTPStatus.OK, body={"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": card}
    )


def message_invoke_response(message: str) -> InvokeResponse:
    """Shown to the person who clicked, without replacing their card."""
    return InvokeResponse(
        status=HTTPStatus.OK,
        body={"statusCode": 200, "type": MESSAGE_CONTENT_TYPE, "value": message},
    )


def bad_request_invoke_response(message: str) -> InvokeResponse:
    return InvokeResponse(
        status=HTTPStatus.BAD_REQUEST,
        body={
            "statusCode": 400,
            "type": ERROR_CONTENT_TYPE,
            "value": {"code": "BadRequest", "message": message},
        },
    )


def refusal(lang: Language, error: Exception) -> str:
    if isinstance(error, StoreUnavailable):
        return text(lang, "error.store_unavailable")
    if isinstance(error, DomainError):
        return text(lang, f"error.{error.code}", **error.params)
    return text(lang, "error.invalid_request")


def _set_installed(installed: bool) -> Callable[[Engagement], None]:
    def apply(engagement: Engagement) -> None:
        engagement.installed = installed

    return apply


def card_message(card: Card) -> Activity:
    message = MessageFactory.attachment(CardFactory.adaptive_card(card))
    message.type = ActivityTypes.message
    return message


class ConversationDrafts:
    """Setup drafts in botbuilder's ConversationState (stored through our document store)."""

    def __init__(self, state: ConversationState, turn_context: TurnContext) -> None:
        self._state = state
        self._turn = turn_context
        self._property = state.create_property("setupDraft")

    async def load(self) -> dict[str, str] | None:
        await self._state.load(self._turn)
        value = await self._property.get(self._turn, lambda: None)
        return value if isinstance(value, dict) else None

    async def save(self, values: dict[str, str] | None) -> None:
        await self._state.load(self._turn)
        await self._property.set(self._turn, values)
        await self._state.save_changes(self._turn)


class OnboardingBot(ActivityHandler):
    def __init__(
        self,
        services: Services,
        outbound: Outbound,
        conversation_state: ConversationState,
        allowed_tenants: frozenset[str] = frozenset(),
    ) -> None:
        self.services = services
        self.outbound = outbound
        self.conversation_state = conversation_state
        self.allowed_tenants = allowed_tenants

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

    # What every handler gets ----------------------------------------------------------

    def _context(
        self, turn_context: TurnContext, scope: TurnScope, data: dict[str, Any]
    ) -> ActionContext:
        members: list[Person] = []

        async def conversation_members() -> list[Person]:
            if not members:
                members.extend(await self._members(turn_context, scope))
            return members

        return ActionContext(
            scope,
            data,
            self.services,
            conversation_members,
            self._announce,
            ConversationDrafts(self.conversation_state, turn_context),
        )

    async def _members(self, turn_context: TurnContext, scope: TurnScope) -> list[Person]:
        """People of this conversation (what the people picker offers and accepts). If Teams
        cannot list them, the person acting is still known."""
        try:
            accounts = await TeamsInfo.get_members(turn_context)
        except Exception as error:  # the roster is a convenience, not a must
            log.warning("could not list members: %s", type(error).__name__)
            accounts = []
        people = [Person(a.aad_object_id or a.id, a.name or "") for a in accounts if a.id]
        me = scope.actor.person
        return people if any(p.id == me.id for p in people) else [me, *people]

    async def _announce(self, engagement: Engagement, completed: list[Track]) -> None:
        """Phase completions go to the engagement's own conversation (its channel), wherever
        the click that completed them came from."""
        if not engagement.conversation_reference:
            return
        lang = engagement.language(language_for(engagement.locale))
        view = View.of(engagement, lang, self.services.clock())
        for phase in completed:
            card = phase_completed_card(engagement, self.services.catalog, phase, view)
            try:
                await self.outbound.post(engagement.conversation_reference, card_message(card))
            except Exception as error:  # the change is saved; only the post failed
                log.warning("could not announce %s: %s", phase.id, type(error).__name__)

    # Installation -------------------------------------------------------------------

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(member.id == bot_id for member in members_added):
            await self._install(turn_context)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._install(turn_context)

    async def on_members_removed_activity(
        self, members_removed: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(member.id == bot_id for member in members_removed):
            await self._uninstall(turn_context)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        await self._uninstall(turn_context)

    async def _uninstall(self, turn_context: TurnContext) -> None:
        """The bot was removed: keep the engagement (a reinstall picks it up) but stop
        nudging a conversation it can no longer post to."""
        scope = scope_of(turn_context.activity)
        if await self.services.repo.get(scope.key.id) is not None:
            await self.services.repo.update(scope.key.id, _set_installed(False))

    async def _install(self, turn_context: TurnContext) -> None:
        # Teams sends both conversationUpdate and installationUpdate, and may redeliver
        # either: only the turn that creates the engagement posts the welcome.
        scope = scope_of(turn_context.activity)
        engagement, created = await self.services.engagement_for(scope)
        if not engagement.installed:
            engagement, _ = await self.services.change(scope, _set_installed(True))
        if created:
            card = welcome_card(
                engagement, self.services.catalog, self.services.view(engagement, scope)
            )
            await turn_context.send_activity(card_message(card))

    # Text commands and Action.Submit -----------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        lang = language_for(activity.locale)
        try:
            scope = scope_of(activity)
            if isinstance(activity.value, dict) and activity.text is None:
                # Action.Submit from a client without Universal Actions: same verbs.
                data = activity.value
                cards = [(await self._run_action(turn_context, scope, data.get("verb"), data)).card]
            else:
                cards = await self._run_command(turn_context, scope, activity.text or "")
        except (*REFUSALS, InvalidAction, MalformedActivity) as error:
            log.info("refused message: %s", type(error).__name__)
            cards = [error_card(lang, refusal(lang, error))]
        for card in cards:
            await turn_context.send_activity(card_message(card))

    async def _run_command(
        self, turn_context: TurnContext, scope: TurnScope, typed: str
    ) -> list[Card]:
        if len(typed) > MAX_COMMAND_TEXT:
            raise TextTooLong(limit=MAX_COMMAND_TEXT)
        command = parse_command(typed)
        handler = commands.get(command.name) if command else None
        if command is None or handler is None:
            return [help_card(scope.lang, unknown_text=True)]
        ctx = CommandContext(command.argument, self._context(turn_context, scope, {}))
        cards = await handler(ctx)
        if ctx.needs_setup and command.name not in ("settings", "my tasks"):
            engagement = await ctx.engagement()
            cards[0] = with_setup_offer(cards[0], self.services.view(engagement, scope))
        return cards

    async def _run_action(
        self, turn_context: TurnContext, scope: TurnScope, verb: object, data: dict[str, Any]
    ) -> ActionResult:
        handler = actions.get(verb) if isinstance(verb, str) else None
        if handler is None:
            raise InvalidAction(f"unknown verb {str(verb)[:40]!r}")
        return await handler(self._context(turn_context, scope, data))

    # Action.Execute ---------------------------------------------------------------------

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        activity = turn_context.activity
        if activity.name != "adaptiveCard/action":
            return bad_request_invoke_response("unsupported invoke")
        lang = language_for(activity.locale)
        action = activity.value.get("action") if isinstance(activity.value, dict) else None
        if not isinstance(action, dict) or action.get("type") != "Action.Execute":
            return bad_request_invoke_response("value.action must be an Action.Execute")
        data = action.get("data", {})
        if not isinstance(data, dict):
            return bad_request_invoke_response("value.action.data must be an object")
        try:
            scope = scope_of(activity)
            result = await self._run_action(turn_context, scope, action.get("verb"), data)
        except (InvalidAction, MalformedActivity) as error:
            log.info("bad invoke: %s", error)
            return bad_request_invoke_response(str(error))
        except REFUSALS as error:
            log.info("refused invoke: %s", type(error).__name__)
            return message_invoke_response(refusal(lang, error))
        shared = data.get("view") != "mytasks" and scope.is_shared_conversation
        if result.changed and shared and activity.reply_to_id:
            await self._update_shared_card(turn_context, activity.reply_to_id, result.card)
        return card_invoke_response(result.card)

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
