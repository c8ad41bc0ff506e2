"""Replies, posts, updates, new 1:1 chats and member lists: the Bot Connector calls the bot
makes itself.

botbuilder's connector client serialises every outgoing activity with msrest (which first
rebuilds the whole activity, card included, through its deserializer) and sends it through
its own HTTP pipeline: two thirds of a `status` turn in the profile. Here the activity is
serialised once (bot/wire.py, equal to msrest's JSON) and sent on one shared aiohttp session
that keeps its connections. The members list (the people picker's choices) is read the same
way (msrest's deserialising of it was a quarter of a Details save), and a 1:1 chat is opened
without msrest's pipeline, which sent it through `requests` in a worker thread. Same requests
as the client's: URL, headers, body, and the same errors for the callers (bot/failures.py
reads both). Where the client's credentials are of a kind not known here, the caller lets the
client send.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urljoin

import aiohttp
import orjson
from botbuilder.schema import (
    Activity,
    ConversationParameters,
    ConversationResourceResponse,
    ResourceResponse,
)
from botframework.connector.aio import ConnectorClient

from bot.tokens import OffLoopAppCredentials
from bot.wire import activity_body, parameters_body

# The longest a connector call may take; Outbound's deadlines cut its posts shorter.
CONNECTOR_TIMEOUT_S = 30.0
OK_STATUSES = frozenset({200, 201, 202})


@dataclass(frozen=True)
class ConnectorAnswer:
    """A non-2xx answer, read like msrest's `.response` (bot/failures.py)."""

    status: int
    headers: dict[str, str]
    text: str


class ConnectorRefused(Exception):
    """The connector answered a call with a status other than 200, 201 or 202."""

    def __init__(self, response: ConnectorAnswer) -> None:
        super().__init__(f"Bot Connector answered HTTP {response.status}")
        self.response = response


class ConnectorHttp:
    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, client: Any, activity: Activity) -> ResourceResponse | None:
        """POSTs `activity` as a reply (with `replyToId`) or to the end of its conversation;
        None when `client`'s credentials are not ours to use."""
        conversation = str(activity.conversation.id)
        path = f"v3/conversations/{quote(conversation, safe='')}/activities"
        if activity.reply_to_id:
            path += f"/{quote(str(activity.reply_to_id), safe='')}"
        body = activity_body(activity)
        return _resource(await self._call("POST", client, path, conversation, body))

    async def update(self, client: Any, activity: Activity) -> ResourceResponse | None:
        """PUTs `activity` in place of message `activity.id`; None as for `send`."""
        conversation = str(activity.conversation.id)
        path = (
            f"v3/conversations/{quote(conversation, safe='')}"
            f"/activities/{quote(str(activity.id), safe='')}"
        )
        body = activity_body(activity)
        return _resource(await self._call("PUT", client, path, conversation, body))

    async def create_conversation(
        self, client: Any, parameters: ConversationParameters
    ) -> ConversationResourceResponse | None:
        """Opens a conversation (a 1:1 chat); None as for `send`."""
        answer = await self._call(
            "POST", client, "v3/conversations", "", parameters_body(parameters)
        )
        if answer is None:
            return None
        created = answer[0] if isinstance(answer[0], dict) else {}
        return ConversationResourceResponse(
            id=created.get("id"),
            activity_id=created.get("activityId"),
            service_url=created.get("serviceUrl"),
        )

    async def members(self, client: Any, conversation: str) -> list[dict[str, Any]] | None:
        """The members of a conversation (or team) as the connector lists them, as JSON
        objects; None as for `send`."""
        path = f"v3/conversations/{quote(conversation, safe='')}/members"
        answer = await self._call("GET", client, path, conversation, None)
        if answer is None:
            return None
        listed = answer[0]
        return [m for m in listed if isinstance(m, dict)] if isinstance(listed, list) else []

    async def _call(
        self, method: str, client: Any, path: str, conversation: str, body: bytes | None
    ) -> tuple[Any] | None:
        """The connector's JSON answer (in a 1-tuple), or None when the call is not ours."""
        if not isinstance(client, ConnectorClient):
            return None
        headers = await _headers(client, conversation)
        if headers is None:
            return None
        url = urljoin(client.config.base_url.rstrip("/") + "/", path)
        async with self._open().request(method, url, data=body, headers=headers) as response:
            raw = await response.read()
            if response.status not in OK_STATUSES:
                text = raw.decode("utf-8", "replace")
                answer = ConnectorAnswer(response.status, dict(response.headers), text)
                raise ConnectorRefused(answer)
        return (orjson.loads(raw) if raw else None,)

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=CONNECTOR_TIMEOUT_S)
            )
        return self._session


def _resource(answer: tuple[Any] | None) -> ResourceResponse | None:
    if answer is None:
        return None
    created = answer[0]
    return ResourceResponse(id=created.get("id") if isinstance(created, dict) else None)


async def _headers(client: ConnectorClient, conversation: str) -> dict[str, str] | None:
    """The client's headers for a call (about `conversation`, if any): its user agent, and its
    token where it has one
    (OffLoopAppCredentials); no token in anonymous mode (no app id). None otherwise."""
    headers = {
        "Accept": "application/json",
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": client.config.user_agent,
    }
    if conversation:
        headers["x-ms-conversation-id"] = conversation
    credentials = client.config.credentials
    if isinstance(credentials, OffLoopAppCredentials):
        headers["Authorization"] = f"Bearer {await credentials.token()}"
    elif getattr(credentials, "microsoft_app_id", None):
        return None
    return headers
