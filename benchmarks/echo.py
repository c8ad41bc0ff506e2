"""The echo floor: the bot's own HTTP stack (aiohttp, `turn_logging`, `OnboardingAdapter` with
the same authentication and error handler) around a bot that does no store work.

A message turn is answered with one text reply (sent through the Bot Connector like every
reply the real bot sends). An `adaptiveCard/action` invoke is answered, in the invoke response
like a click, with a fixed card of the size and shape a Done click answers: the Enable
phase's page, rendered once at start-up (so the floor carries the answer's bytes but
none of the bot's work). With the verb `echo.small` it answers a three-line card instead, to
show what the answer's size alone costs. Nothing is read or written.
"""

from __future__ import annotations

from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from aiohttp import web
from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import ActivityTypes

from bot.adapter import OnboardingAdapter, answer_invoke, log_turn_error
from bot.config import Settings
from bot.messages import CARD_CONTENT_TYPE
from bot.web import MAX_REQUEST_BYTES, turn_logging
from cards.common import Card, View
from cards.phase import phase_card
from domain.catalog import default_catalog
from domain.engagement import Actor, Engagement, EngagementKey, TaskStatus

SMALL_VERB = "echo.small"
SMALL_CARD = {
    "type": "AdaptiveCard",
    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
    "version": "1.5",
    "body": [{"type": "TextBlock", "text": "echo", "wrap": True}],
}


def click_sized_card() -> Card:
    """The card a Done click on an Enable task answers, for an engagement where every other
    task of the phase is done (as in the latency rounds)."""
    catalog = default_catalog()
    now = datetime(2026, 11, 30, 9, tzinfo=UTC)
    engagement = Engagement(EngagementKey("echo", "echo"), "personal", now)
    person = Actor("29:pm", "Project Manager")
    enable = catalog.track("enable")
    for task in catalog.tasks_of(enable.id)[1::2]:
        engagement.set_task_status(
            catalog, task_id=task.id, status=TaskStatus.DONE, actor=person, at=now, op_id=task.id
        )
    return phase_card(engagement, catalog, enable, View("en", now.date(), None))


class EchoBot(ActivityHandler):
    def __init__(self) -> None:
        self.card = click_sized_card()

    async def on_turn(self, turn_context: TurnContext) -> None:
        # Invokes are answered the way the real bot answers them (see bot/teams_bot.py).
        if turn_context.activity.type == ActivityTypes.invoke:
            answer_invoke(turn_context, self.invoke_response(turn_context.activity.value))
        else:
            await super().on_turn(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(f"echo: {turn_context.activity.text or ''}")

    def invoke_response(self, value: Any) -> InvokeResponse:
        action = value.get("action") if isinstance(value, dict) else None
        small = isinstance(action, dict) and action.get("verb") == SMALL_VERB
        return InvokeResponse(
            status=HTTPStatus.OK,
            body={
                "statusCode": 200,
                "type": CARD_CONTENT_TYPE,
                "value": SMALL_CARD if small else self.card,
            },
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

    async def close(app: web.Application) -> None:
        await adapter.close()

    app.on_cleanup.append(close)
    app.router.add_post("/api/messages", messages)
    return app
