"""One sender for everything the bot posts on its own (announcements, nudges).

Each attempt waits for the rate limiter, then sends through `adapter.continue_conversation`
(a post, through the adapter's `post_message`: the same request without botbuilder's turn).
Failures are sorted by the HTTP status the Bot Connector answered (Teams' guidance, see
msteams-docs bots/how-to/rate-limit.md):
- 429: wait `Retry-After` (or back off) and retry;
- 412, 408, 5xx, and no answer at all (connection error, timeout): back off and retry;
- 403, 404: the bot was removed or blocked, or the conversation is gone: `ConversationUnreachable`
  at once; the caller records that and stops sending there;
- anything else (400, 401, 413 ...): retrying cannot help: `DeliveryFailed` at once.
After `max_attempts` attempts: `DeliveryFailed`. A caller may give a deadline (`within_s`):
a wait that would end past it is not started (`DeliveryFailed` at once, so a long
`Retry-After` never outlives the caller's claim on the post), and an attempt still running at
it is cut off.

Two things botbuilder 4.17.1 does that this module works around:
- An exception raised inside the `continue_conversation` callback goes to the adapter's
  `on_turn_error` (bot/web.py sets one that logs it) and is swallowed there: the caller would
  see a successful send returning None. So the callback keeps the exception and it is dealt
  with here, after `continue_conversation` returns.
- The connector's default HTTP pipeline (msrest over `requests`, with urllib3's Retry) retries
  PUT, GET and DELETE on its own: 408 and 5xx (except 501, 505) up to 3 more times with
  blocking sleeps, and 429/503 with `Retry-After`, sleeping what it says; when those run out
  the error no longer carries the status (`ClientRequestError` wrapping `RetryError`). POST is
  not retried there. The adapter's connector clients have those hidden retries switched off
  (bot/connectors.py), and posts, updates and new chats go out through the adapter's own
  ConnectorHttp (bot/connector_http.py), which never retries: every attempt here is one HTTP
  request and its status is seen.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)

from bot.adapter import OnboardingAdapter
from bot.connector_http import ConnectorHttp
from bot.failures import (
    ACTIVITY_NOT_FOUND,
    UNREACHABLE,
    ActivityNotFound,
    ConversationUnreachable,
    DeliveryFailed,
    Failure,
    failure_of,
    is_retryable,
)
from bot.messages import send_owned
from bot.ratelimit import RateLimiter
from bot.wire import parse_reference

log = logging.getLogger("bot.outbound")

BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 30.0
DEFAULT_MAX_ATTEMPTS = 6


def tenant_of(reference: Mapping[str, Any]) -> str | None:
    """The tenant a stored reference belongs to. Teams writes `conversation.tenantId`, but
    botbuilder's ConversationAccount maps `tenant_id` to "tenantID": deserialising drops the
    Teams spelling, and references serialised by botbuilder carry the other one (or none)."""
    conversation = reference.get("conversation")
    if not isinstance(conversation, Mapping):
        return None
    for key in ("tenantId", "tenantID"):
        value = conversation.get(key)
        if isinstance(value, str) and value:
            return value
    return None


Sleep = Callable[[float], Awaitable[object]]


class Outbound:
    """`post` and `update` for conversation references stored as dicts (bot/scope.py).

    Raises `ConversationUnreachable` (403/404), `ActivityNotFound` (update only) or
    `DeliveryFailed`; all are `OutboundError`s."""

    def __init__(
        self,
        adapter: BotAdapter,
        app_id: str,
        *,
        limiter: RateLimiter | None = None,
        sleep: Sleep = asyncio.sleep,
        rng: Callable[[], float] = random.random,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._adapter = adapter
        self._app_id = app_id
        # One limiter per process unless one is shared in (see bot/ratelimit.py).
        self.limiter = limiter or RateLimiter()
        self._sleep = sleep
        self._rng = rng
        self.max_attempts = max_attempts

    async def post(
        self, reference: dict[str, Any], activity: Activity, *, within_s: float | None = None
    ) -> str | None:
        """Posts `activity` to the conversation `reference` names; returns the new message id."""

        async def send(turn_context: TurnContext) -> str | None:
            # The send addresses what it is given: a shallow copy keeps the caller's as it was.
            response = await send_owned(turn_context, copy.copy(activity))
            return response.id if response else None

        if within_s is None:
            return await self._deliver("post", reference, send, message=activity)
        deadline = asyncio.get_running_loop().time() + within_s
        try:
            async with asyncio.timeout_at(deadline):
                return await self._deliver(
                    "post", reference, send, deadline=deadline, message=activity
                )
        except TimeoutError as late:
            raise DeliveryFailed(None, "deadline", 0) from late

    async def update(
        self, reference: dict[str, Any], activity_id: str, activity: Activity
    ) -> str | None:
        """Replaces message `activity_id` in the conversation `reference` names."""

        async def send(turn_context: TurnContext) -> str | None:
            replacement = copy.copy(activity)  # update_activity writes into what it is given
            replacement.id = activity_id
            response = await turn_context.update_activity(replacement)
            return getattr(response, "id", None) or activity_id

        return await self._deliver("update", reference, send)

    async def open_personal_chat(self, reference: dict[str, Any], member_id: str) -> dict[str, Any]:
        """The bot's 1:1 chat with `member_id`, a member of the conversation `reference` names,
        created through the Bot Connector as Teams expects (POST /v3/conversations; Teams
        answers the existing chat if there is one). Returns its reference."""
        tenant = tenant_of(reference) or ""
        bot = reference.get("bot") if isinstance(reference.get("bot"), dict) else None

        async def create(turn_context: TurnContext) -> str | None:
            client = turn_context.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY]
            parameters = ConversationParameters(
                is_group=False,
                bot=turn_context.activity.recipient,
                members=[ChannelAccount(id=member_id)],
                tenant_id=tenant,
                channel_data={"tenant": {"id": tenant}},
            )
            connector_http = getattr(turn_context.adapter, "connector_http", None)
            created = None
            if isinstance(connector_http, ConnectorHttp):
                created = await connector_http.create_conversation(client, parameters)
            if created is None:  # not a client ConnectorHttp may call for
                created = await client.conversations.create_conversation(parameters)
            return str(created.id) if created and created.id else None

        # Paced as a send to the conversation it starts from: Teams counts creations there.
        conversation_id = await self._deliver("create", reference, create)
        if not conversation_id:
            raise DeliveryFailed(None, "NoConversationId", 1)
        personal: dict[str, Any] = {
            "conversation": {
                "id": conversation_id,
                "tenantId": tenant,
                "conversationType": "personal",
            },
            "channelId": reference.get("channelId"),
            "serviceUrl": reference.get("serviceUrl"),
        }
        if bot:
            personal["bot"] = bot
        return personal

    def _backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2^(attempt-1)))."""
        return float(self._rng() * min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (attempt - 1)))

    async def _deliver(
        self,
        operation: str,
        reference: dict[str, Any],
        send: Callable[[TurnContext], Awaitable[str | None]],
        deadline: float | None = None,
        message: Activity | None = None,
    ) -> str | None:
        conversation_reference = parse_reference(reference)
        conversation = conversation_reference.conversation
        if conversation is None or not conversation.id or not conversation_reference.service_url:
            raise ValueError("conversation reference needs serviceUrl and conversation.id")
        conversation_id = str(conversation.id)
        tenant_id = tenant_of(reference) or str(conversation.tenant_id or "") or "unknown"

        for attempt in range(1, self.max_attempts + 1):
            await self.limiter.acquire(tenant_id, conversation_id)
            try:
                result = await self._attempt(conversation_reference, send, message)
            finally:
                self.limiter.settle(tenant_id, conversation_id)
            if not isinstance(result, BaseException):
                return result[0]
            failure = failure_of(result)
            if failure is None:
                raise result
            status, code = failure.status, failure.code
            if operation == "update" and code == ACTIVITY_NOT_FOUND and status is not None:
                self._log(operation, conversation_id, attempt, failure, result, "not found")
                raise ActivityNotFound(status, code) from result
            if status is not None and status in UNREACHABLE:
                self._log(operation, conversation_id, attempt, failure, result, "unreachable")
                raise ConversationUnreachable(status, code) from result
            if not is_retryable(failure) or attempt == self.max_attempts:
                self._log(operation, conversation_id, attempt, failure, result, "giving up")
                raise DeliveryFailed(status, code, attempt) from result
            if status == 429 and failure.retry_after is not None:
                # Everyone throttled gets the same Retry-After: a little jitter spreads them.
                delay = failure.retry_after + self._rng() * BACKOFF_BASE_S
            else:
                delay = self._backoff(attempt)
            if deadline is not None and asyncio.get_running_loop().time() + delay > deadline:
                self._log(operation, conversation_id, attempt, failure, result, "past deadline")
                raise DeliveryFailed(status, code, attempt) from result
            self._log(
                operation, conversation_id, attempt, failure, result, f"retry in {delay:.2f}s"
            )
            await self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(
        self,
        reference: ConversationReference,
        send: Callable[[TurnContext], Awaitable[str | None]],
        message: Activity | None = None,
    ) -> tuple[str | None] | BaseException:
        """One request: what `send` returned, or what it (or the adapter) raised. A `message`
        to post goes out without botbuilder's turn where the adapter can send it so."""
        if message is not None and isinstance(self._adapter, OnboardingAdapter):
            try:
                sent = await self._adapter.post_message(reference, copy.copy(message), self._app_id)
            except Exception as error:
                return error
            if sent is not None:
                return (sent.id,)
        outcome: list[tuple[str | None] | BaseException] = []

        async def callback(turn_context: TurnContext) -> None:
            try:
                outcome.append((await send(turn_context),))
            except Exception as error:  # kept from on_turn_error, see the module doc
                outcome.append(error)

        try:
            await self._adapter.continue_conversation(reference, callback, self._app_id)
        except Exception as error:
            return error
        return outcome[0] if outcome else RuntimeError("the adapter did not run the send")

    def _log(
        self,
        operation: str,
        conversation_id: str,
        attempt: int,
        failure: Failure,
        error: BaseException,
        then: str,
    ) -> None:
        log.warning(
            "outbound %s to %s failed (attempt %d/%d): status=%s code=%s retry_after=%s "
            "error=%s; %s",
            operation,
            conversation_id[:80],
            attempt,
            self.max_attempts,
            failure.status if failure.status is not None else "none",
            failure.code or "-",
            "-" if failure.retry_after is None else f"{failure.retry_after:g}",
            type(error).__name__,
            then,
        )
