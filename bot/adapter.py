"""botbuilder's CloudAdapter with the HTTP entry point made safe.

`process` is replaced because the stock one (4.17.1):
- serialises the invoke response body a second time and fails with HTTP 500 on every invoke
  that has a body (`'dict' object has no attribute 'is_xml_model'`);
- answers 500 to a missing Content-Type, a body that is not JSON or not an object, and an
  activity without a conversation.
Here each of those is a 4xx, and a plain JSON invoke body is passed through unchanged.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web
from botbuilder.core import Bot, InvokeResponse, TurnContext
from botbuilder.core.serializer_helper import serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes
from msrest.serialization import Model

log = logging.getLogger("bot.adapter")


def _problem(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def json_body(body: Any) -> Any:
    """Invoke bodies built by our handlers are already JSON values; botbuilder's own models
    (e.g. from its built-in invoke handling) still need serialising."""
    return serializer_helper(body) if isinstance(body, Model) else body


class OnboardingAdapter(CloudAdapter):
    async def process(  # type: ignore[override]
        self, request: web.Request, bot: Bot, ws_response: web.WebSocketResponse | None = None
    ) -> web.Response:
        if request.method != "POST":
            return _problem(405, "POST an activity")
        if request.content_type != "application/json":
            return _problem(400, "Content-Type must be application/json")
        try:
            body = json.loads(await request.read())
        except (UnicodeDecodeError, ValueError):
            return _problem(400, "body is not JSON")
        if not isinstance(body, dict):
            return _problem(400, "body must be a JSON object")
        try:
            activity = Activity().deserialize(body)
        except Exception:
            return _problem(400, "body is not an activity")
        if not activity.type or activity.conversation is None or not activity.service_url:
            return _problem(400, "activity needs type, conversation and serviceUrl")
        try:
            invoke_response = await self.process_activity(
                request.headers.get("Authorization", ""), activity, bot.on_turn
            )
        except PermissionError:
            return _problem(401, "unauthorized")
        if invoke_response:
            return web.json_response(
                data=json_body(invoke_response.body), status=invoke_response.status
            )
        return web.Response(status=201)


async def log_turn_error(turn_context: TurnContext, error: Exception) -> None:
    """Last resort for a bug: log it with the stack and tell the user something went wrong."""
    log.error("unhandled error in turn", exc_info=error)
    if turn_context.activity.type == ActivityTypes.invoke:
        response = InvokeResponse(
            status=200,
            body={
                "statusCode": 200,
                "type": "application/vnd.microsoft.activity.message",
                "value": "Something went wrong on our side; nothing was changed.",
            },
        )
        await turn_context.send_activity(
            Activity(type=ActivityTypes.invoke_response, value=response)
        )
