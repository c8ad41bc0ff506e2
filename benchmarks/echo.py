"""The echo floor: the bot's own HTTP stack (aiohttp, `turn_logging`, `OnboardingAdapter` with
the same authentication and error handler) around a bot that does no store work.

A message turn is answered with one text reply (sent through the Bot Connector like every
reply the real bot sends); an `adaptiveCard/action` invoke is answered with a small fixed card
in the invoke response, like a click. Nothing is read or written.
"""

from __future__ import annotations

from http import HTTPStatus

from aiohttp import web
from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication

from bot.adapter import OnboardingAdapter, log_turn_error
from bot.config import Settings
from bot.teams_bot import CARD_CONTENT_TYPE
from bot.web import MAX_REQUEST_BYTES, turn_logging

ECHO_CARD = {
    "type": "AdaptiveCard",
    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
    "version": "1.5",
    "body": [{"type": "TextBlock", "text": "echo", "wrap": True}],
}


class EchoBot(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(f"echo: {turn_context.activity.text or ''}")

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        return InvokeResponse(
            status=HTTPStatus.OK,
            body={"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": ECHO_CARD},
        )


def create_echo_app(settings: Settings) -> web.Application:
    """What bot.web.create_app builds around the bot, minus the store and the services."""
    adapter = OnboardingAdapter(
        ConfigurationBotFrameworkAuthentication(settings.bot_framework_config())
    )
    adapter.on_turn_error = log_turn_error
    bot = EchoBot()

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, bot)

    app = web.Application(middlewares=[turn_logging], client_max_size=MAX_REQUEST_BYTES)
    app.router.add_post("/api/messages", messages)
    return app
