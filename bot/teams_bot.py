"""The Teams edge: turns activities into domain calls and domain results into cards."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from botbuilder.core import (
    ActivityHandler,
    CardFactory,
    InvokeResponse,
    MessageFactory,
    TurnContext,
)
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

from bot.actions import ActionContext, InvalidAction, actions
from bot.commands import CommandContext, commands
from bot.scope import MalformedActivity, TurnScope, scope_of
from bot.services import Services
from cards.common import Card
from cards.help import help_card
from cards.notice import error_card
from cards.overview import welcome_card
from dialogs.commands import MAX_COMMAND_TEXT, parse_command
from domain.catalog import Language
from domain.errors import DomainError, TextTooLong
from domain.i18n import language_for, text
from storage.base import StoreUnavailable

log = logging.getLogger("bot.turn")

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"
ERROR_CONTENT_TYPE = "application/vnd.microsoft.error"


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


class OnboardingBot(ActivityHandler):
    def __init__(self, services: Services) -> None:
        self.services = services

    # Installation -------------------------------------------------------------------

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(member.id == bot_id for member in members_added):
            await self._install(turn_context)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._install(turn_context)

    async def _install(self, turn_context: TurnContext) -> None:
        # Teams sends both conversationUpdate and installationUpdate, and may redeliver
        # either: only the turn that creates the engagement posts the welcome.
        scope = scope_of(turn_context.activity)
        engagement, created = await self.services.engagement_for(scope)
        if created:
            await turn_context.send_activity(
                _card_message(welcome_card(engagement, self.services.catalog, scope.lang))
            )

    # Text commands and Action.Submit -----------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        lang = language_for(activity.locale)
        try:
            scope = scope_of(activity)
            if isinstance(activity.value, dict) and activity.text is None:
                # Action.Submit from a client without Universal Actions: same verbs.
                card = await self._run_action(scope, activity.value.get("verb"), activity.value)
            else:
                card = await self._run_command(scope, activity.text or "")
        except (DomainError, StoreUnavailable, InvalidAction, MalformedActivity) as error:
            log.info("refused message: %s", type(error).__name__)
            card = error_card(lang, refusal(lang, error))
        await turn_context.send_activity(_card_message(card))

    async def _run_command(self, scope: TurnScope, typed: str) -> Card:
        if len(typed) > MAX_COMMAND_TEXT:
            raise TextTooLong(limit=MAX_COMMAND_TEXT)
        command = parse_command(typed)
        handler = commands.get(command.name) if command else None
        if command is None or handler is None:
            return help_card(scope.lang, unknown_text=True)
        return await handler(CommandContext(scope, command.argument, self.services))

    async def _run_action(self, scope: TurnScope, verb: object, data: dict[str, Any]) -> Card:
        handler = actions.get(verb) if isinstance(verb, str) else None
        if handler is None:
            raise InvalidAction(f"unknown verb {str(verb)[:40]!r}")
        return await handler(ActionContext(scope, data, self.services))

    # Action.Execute ---------------------------------------------------------------------

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        activity = turn_context.activity
        if activity.name != "adaptiveCard/action":
            return InvokeResponse(status=HTTPStatus.NOT_IMPLEMENTED)
        lang = language_for(activity.locale)
        action = activity.value.get("action") if isinstance(activity.value, dict) else None
        if not isinstance(action, dict) or action.get("type") != "Action.Execute":
            return bad_request_invoke_response("value.action must be an Action.Execute")
        data = action.get("data", {})
        if not isinstance(data, dict):
            return bad_request_invoke_response("value.action.data must be an object")
        try:
            scope = scope_of(activity)
            card = await self._run_action(scope, action.get("verb"), data)
        except (InvalidAction, MalformedActivity) as error:
            log.info("bad invoke: %s", error)
            return bad_request_invoke_response(str(error))
        except (DomainError, StoreUnavailable) as error:
            log.info("refused invoke: %s", type(error).__name__)
            return message_invoke_response(refusal(lang, error))
        if scope.is_shared_conversation and activity.reply_to_id:
            await self._update_shared_card(turn_context, activity.reply_to_id, card)
        return card_invoke_response(card)

    async def _update_shared_card(
        self, turn_context: TurnContext, message_id: str, card: Card
    ) -> None:
        """Everyone in a channel or group chat sees one card; the invoke response alone would
        refresh it for the person who clicked. A failed update is not the click's failure:
        the state is saved and the next view shows it."""
        update = _card_message(card)
        update.id = message_id
        try:
            await turn_context.update_activity(update)
        except Exception as error:
            log.warning("could not update shared card %s: %s", message_id, error)


def _card_message(card: Card) -> Activity:
    message = MessageFactory.attachment(CardFactory.adaptive_card(card))
    message.type = ActivityTypes.message
    return message
