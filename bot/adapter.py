"""botbuilder's CloudAdapter with the HTTP entry point made safe.

`process` is replaced because the stock one (4.17.1):
- serialises the invoke response body a second time and fails with HTTP 500 on every invoke
  that has a body (`'dict' object has no attribute 'is_xml_model'`);
- answers 500 to a missing Content-Type, a body that is not JSON or not an object, an
  activity without a conversation, and to most bad tokens (the SDK raises many exception
  types besides PermissionError);
- reads and deserialises the whole body before it looks at the token.
Here the token is checked by botbuilder's validation twice: before the body is read, with
what needs no body (signature, lifetime, issuer, audience), so a request without a valid
token costs the same whatever its size; then with the activity (the key's endorsement of its
channel, its serviceUrl against the token's). Anything but a valid token is 401; no signing
keys to be had is 503. Then the body (400), and a plain JSON invoke body is passed through.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any
from urllib.parse import urlsplit

import orjson
from aiohttp import web
from botbuilder.core import Bot, InvokeResponse, TurnContext
from botbuilder.core.serializer_helper import serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ConversationReference,
    InputHints,
    ResourceResponse,
)
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
)
from msrest.serialization import Model

from bot.auth import (
    SigningKeyStore,
    SigningKeysUnavailable,
    check_token_tenant,
    require_expiry,
    signing_keys_from,
)
from bot.connector_http import ConnectorHttp
from bot.connectors import CachingAuthentication, is_loopback_url
from bot.wire import parse_activity

log = logging.getLogger("bot.adapter")
# A body not fully received within this time is answered 408 and its connection closed.
BODY_READ_TIMEOUT_S = 10.0
# The activity's JSON, for the turn's log line (bot/web.py), once the request is authenticated.
ACTIVITY_JSON = web.RequestKey("activity_json", dict[str, Any])


def _problem(status: int, message: str) -> web.Response:
    return json_response({"error": message}, status)


def json_response(data: Any, status: int) -> web.Response:
    return web.Response(body=orjson.dumps(data), status=status, content_type="application/json")


def json_body(body: Any) -> Any:
    """Invoke bodies built by our handlers are already JSON values; botbuilder's own models
    (e.g. from its built-in invoke handling) still need serialising."""
    return serializer_helper(body) if isinstance(body, Model) else body


class OnboardingAdapter(CloudAdapter):
    def __init__(self, authentication: BotFrameworkAuthentication) -> None:
        super().__init__(CachingAuthentication(authentication))
        self.signing_keys = SigningKeyStore()
        self.connector_http = ConnectorHttp()

    async def close(self) -> None:
        await self.signing_keys.close()
        await self.connector_http.close()

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        """Messages go out through ConnectorHttp (serialised once); anything else (an invoke
        response, a trace, a delay) the way botbuilder sends it."""
        client = context.turn_state.get(self.BOT_CONNECTOR_CLIENT_KEY)
        responses: list[ResourceResponse] = []
        for activity in activities:
            sent = None
            if activity.type == ActivityTypes.message:
                activity.id = None  # as botbuilder: a new message has no id of its own
                sent = await self.connector_http.send(client, activity)
            if sent is None:
                sent, *_ = await super().send_activities(context, [activity])
            responses.append(sent)
        return responses

    async def post_message(
        self, reference: ConversationReference, activity: Activity, bot_app_id: str
    ) -> ResourceResponse | None:
        """Posts the message `activity` (changed in place) to the conversation `reference`
        names: the request `continue_conversation` makes when its turn sends it (the same
        connector client; tests/test_outbound.py holds the two equal), without the turn
        botbuilder builds around it (about 100 µs of CPU a post, of 400–500). None when the
        client is not ours to call (the caller then goes through `continue_conversation`)."""
        claims = self.create_claims_identity(bot_app_id)
        factory = self.bot_framework_authentication.create_connector_factory(claims)
        client = await factory.create(reference.service_url, None)
        # As from the continuation turn: it answers the continuation event, whose id is new
        # each time, from the bot to the reference's user.
        continuation = ConversationReference(
            activity_id=str(uuid.uuid4()),
            user=reference.user,
            bot=reference.bot,
            conversation=reference.conversation,
            channel_id=reference.channel_id,
            service_url=reference.service_url,
        )
        TurnContext.apply_conversation_reference(activity, continuation)
        activity.input_hint = activity.input_hint or InputHints.accepting_input
        activity.id = None
        return await self.connector_http.send(client, activity)

    async def update_activity(self, context: TurnContext, activity: Activity) -> Any:
        client = context.turn_state.get(self.BOT_CONNECTOR_CLIENT_KEY)
        updated = await self.connector_http.update(client, activity)
        return updated if updated is not None else await super().update_activity(context, activity)

    async def process(
        self, request: web.Request, bot: Bot, ws_response: web.WebSocketResponse | None = None
    ) -> web.Response:
        if request.method != "POST":
            return _problem(405, "POST an activity")
        authorization = request.headers.get("Authorization") or None
        with signing_keys_from(self.signing_keys):
            first = await self._authenticate(Activity(), authorization)
            if isinstance(first, web.Response):
                return first
            body = await _read_json(request)
            if isinstance(body, web.Response):
                return body
            tenant = _settle_tenant(body)
            if isinstance(tenant, web.Response):
                return tenant
            anonymous = (
                first.claims_identity.authentication_type
                == AuthenticationConstants.ANONYMOUS_AUTH_TYPE
            )
            if anonymous and not is_loopback_url(body["serviceUrl"]):
                return _problem(403, "anonymous mode serves loopback service URLs only")
            try:
                activity = parse_activity(body)
            except Exception:  # msrest raises many types for wrong shapes
                return _problem(400, "body is not an activity")
            result = await self._authenticate(activity, authorization, tenant)
            if isinstance(result, web.Response):
                return result
        request[ACTIVITY_JSON] = body
        invoke_response = await self.process_activity(result, activity, bot.on_turn)
        if invoke_response:
            return json_response(json_body(invoke_response.body), invoke_response.status)
        return web.Response(status=201)

    async def _authenticate(
        self, activity: Activity, authorization: str | None, tenant: str | None = None
    ) -> AuthenticateRequestResult | web.Response:
        """botbuilder's validation, then ours; a refusal as the response to give."""
        try:
            result = await self.bot_framework_authentication.authenticate_request(
                activity, authorization
            )
            require_expiry(result.claims_identity)
            check_token_tenant(result.claims_identity, tenant)
        except SigningKeysUnavailable:
            return _problem(503, "cannot validate the token now")
        except Exception as error:  # the SDK refuses bad tokens with many exception types
            log.info("unauthenticated request: %s", type(error).__name__)
            return _problem(401, "unauthorized")
        return result


async def _read_json(request: web.Request) -> dict[str, Any] | web.Response:
    if request.content_type != "application/json":
        return _problem(400, "Content-Type must be application/json")
    try:
        async with asyncio.timeout(BODY_READ_TIMEOUT_S):
            raw = await request.read()
    except TimeoutError:
        # Answer, then drop the connection: aiohttp would otherwise keep reading the rest.
        response = _problem(408, "body not received in time")
        await response.prepare(request)
        await response.write_eof()
        if request.transport is not None:
            request.transport.close()
        return response
    try:
        body = orjson.loads(raw)
    except ValueError:  # not JSON, not UTF-8, or lone surrogates we could never store
        return _problem(400, "body is not JSON")
    if not isinstance(body, dict):
        return _problem(400, "body must be a JSON object")
    envelope = _envelope_problem(body)
    if envelope:
        return _problem(400, envelope)
    return body


def _settle_tenant(body: dict[str, Any]) -> str | web.Response | None:
    """The activity's tenant. Teams names it in channelData.tenant.id and in
    conversation.tenantId; the two must agree. Where only the second is given, it is copied to
    the first, which is where the bot reads it (ALLOWED_TENANTS, the engagement key)."""
    channel_data = body.get("channelData")
    tenant_entry = channel_data.get("tenant") if isinstance(channel_data, dict) else None
    named = [
        tenant_entry.get("id") if isinstance(tenant_entry, dict) else None,
        body["conversation"].get("tenantId"),
    ]
    tenants = {t for t in named if isinstance(t, str) and t}
    if len(tenants) > 1:
        return _problem(400, "channelData.tenant.id and conversation.tenantId differ")
    if not tenants:
        return None
    tenant = tenants.pop()
    if channel_data is None:
        body["channelData"] = channel_data = {}
    if isinstance(channel_data, dict) and not isinstance(tenant_entry, dict):
        channel_data["tenant"] = {"id": tenant}
    elif isinstance(tenant_entry, dict):
        tenant_entry["id"] = tenant
    return tenant


def _envelope_problem(body: dict[str, Any]) -> str | None:
    """Checks what the SDK would otherwise turn into broken replies or stored addresses:
    the service URL, the type, and the ids it puts into URLs and headers."""
    service_url = body.get("serviceUrl")
    try:
        parts = urlsplit(service_url) if isinstance(service_url, str) else None
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        return "serviceUrl must be an http(s) URL"
    if not isinstance(body.get("type"), str) or not body["type"]:
        return "activity needs a type"
    conversation, recipient = body.get("conversation"), body.get("recipient")
    if not isinstance(conversation, dict) or not _is_id(conversation.get("id")):
        return "activity needs a conversation id"
    if not _is_id(body.get("channelId")):
        return "activity needs a channelId"
    if not isinstance(recipient, dict) or not _is_id(recipient.get("id")):
        return "activity needs a recipient id"
    # Every turn acts for someone (installer, author, clicker); Teams always names them.
    sender = body.get("from")
    if not isinstance(sender, dict) or not _is_id(sender.get("id")):
        return "activity needs a sender (from.id)"
    return None


def _is_id(value: object) -> bool:
    return (
        isinstance(value, str)
        and 0 < len(value) <= 1024
        and value.isascii()
        and value.isprintable()
        and value == value.strip()
    )


def answer_invoke(turn_context: TurnContext, response: InvokeResponse) -> None:
    """Hands an invoke response to the adapter directly: sending it as an activity, as
    botbuilder's ActivityHandler does, deep-copies the whole card on every click for nothing."""
    turn_context.turn_state[TurnContext._INVOKE_RESPONSE_KEY] = Activity(
        type=ActivityTypes.invoke_response, value=response
    )


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
