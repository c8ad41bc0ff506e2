"""A fake Bot Connector: the one stand-in allowed, because Teams itself cannot run here.

It records every call the bot makes under /v3/conversations, answers like the real service,
serves member lookups and a team's channel list, creates 1:1 chats (`created()` lists those
calls), and can be told to fail the next calls with given statuses. With `limits=True` (or
`enforce_limits()`) it also throttles like Teams: a message send or update beyond the
documented bot limits (per conversation 7/1 s, 8/2 s, 60/30 s, 1,800/h; per tenant 50/s) is
answered 429 with a Retry-After, and counted in `throttled`. Teams knows each conversation's
tenant; the fake takes it from the activity where that names one, else from
`conversation_tenants` (conversation id -> tenant id, filled by the test); other sends all
count against one shared tenant.

`await connector.start()` serves it on a loopback port (its `url` is then the service URL to
put in activities); `await connector.stop()` ends that.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class RecordedCall:
    """One call the bot made to the connector, its JSON body parsed (None without one)."""

    method: str
    path: str
    body: Any

    @property
    def conversation_id(self) -> str:
        """The conversation the call is about ("" for creating one)."""
        parts = self.path.split("/")
        return parts[3] if len(parts) > 3 else ""


# createConversation: a bot opens a 1:1 chat with a team member.
CREATE_PATH = "/v3/conversations"

DEFAULT_MEMBERS = (
    {"id": "29:user1", "name": "User One", "aadObjectId": "aad-user1"},
    {"id": "29:user2", "name": "Kim Minji", "aadObjectId": "aad-user2"},
)


# Teams' side of the rate limits (msteams-docs bots/how-to/rate-limit.md), written out here
# rather than imported from bot/ratelimit.py so the fake checks the bot independently.
TEAMS_CONVERSATION_LIMITS = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))
TEAMS_TENANT_LIMITS = ((50, 1.0),)


def created_conversation(body: Any, service_url: str) -> web.Response:
    """Teams' answer to creating a conversation: only a 1:1 with one member of a named tenant
    (a bot cannot start group chats); the same person always gets the same chat."""
    if not isinstance(body, dict):
        return web.json_response({"error": {"code": "BadArgument"}}, status=400)
    members: list[Any] = body.get("members") or []
    channel_data = body.get("channelData")
    tenant = body.get("tenantId") or (
        isinstance(channel_data, dict) and (channel_data.get("tenant") or {}).get("id")
    )
    member = members[0] if len(members) == 1 and isinstance(members[0], dict) else {}
    if body.get("isGroup") or not tenant or not member.get("id"):
        return web.json_response({"error": {"code": "BadArgument"}}, status=400)
    return web.json_response(
        {"id": f"a:personal-{member['id']}", "serviceUrl": service_url}, status=201
    )


class Throttle:
    """Sliding windows of accepted sends per key; `retry_after` says how long a refused one
    must wait (whole seconds, at least 1, as Teams sends it)."""

    def __init__(self, limits: tuple[tuple[int, float], ...]) -> None:
        self.limits = limits
        self.times: dict[str, deque[float]] = {}

    def wait(self, key: str, now: float) -> float:
        times = self.times.get(key)
        if not times:
            return 0.0
        longest = max(seconds for _, seconds in self.limits)
        while times and times[0] <= now - longest:
            times.popleft()
        wait = 0.0
        for limit, seconds in self.limits:
            inside = [t for t in times if t > now - seconds]
            if len(inside) >= limit:
                wait = max(wait, inside[-limit] + seconds - now)
        return wait

    def record(self, key: str, now: float) -> None:
        self.times.setdefault(key, deque()).append(now)

    def clear(self) -> None:
        self.times.clear()


@dataclass
class FakeConnector:
    """The Bot Connector's REST API under /v3/conversations, recording what the bot sends."""

    calls: list[RecordedCall] = field(default_factory=list)
    # Statuses to answer to the next calls, in order (e.g. [429, 500]); empty = succeed.
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    url: str = ""
    members: list[dict[str, str]] = field(default_factory=lambda: list(DEFAULT_MEMBERS))
    # Throttle message sends and updates like Teams (see the module doc).
    limits: bool = False
    clock: Callable[[], float] = time.monotonic
    # 429s answered because of `limits` (not those queued with fail_next).
    throttled: int = 0
    # Seconds every answer waits, to keep a bot turn in flight (shutdown tests).
    delay_s: float = 0.0
    # How each queued failure answers, in the same order as `failures`: a JSON error with
    # this code (None = "Simulated"), or, given `text`, that body as text/html.
    failure_bodies: list[tuple[str | None, str | None]] = field(default_factory=list)
    # Members who blocked the bot (or left): creating their 1:1 chat or posting there is
    # answered 403 ConversationBlockedByUser, like Teams, for as long as they are listed.
    blocked: set[str] = field(default_factory=set)
    # The team's channels besides General (whose id is the team's and has no name), as
    # GET /v3/teams/{team}/conversations lists them: {"id", "name"}.
    channels: list[dict[str, str]] = field(default_factory=list)
    # Each conversation's tenant, for the per-tenant limit (see the module doc).
    conversation_tenants: dict[str, str] = field(default_factory=dict)
    # False: calls are recorded without their bodies. A benchmark sharing the bot's process
    # sets it, as thousands of parsed cards kept alive would make every garbage collection in
    # that process walk them (Teams keeps what it was sent on its own machines).
    keep_bodies: bool = True
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _conversation_throttle: Throttle = field(
        default_factory=lambda: Throttle(TEAMS_CONVERSATION_LIMITS)
    )
    _tenant_throttle: Throttle = field(default_factory=lambda: Throttle(TEAMS_TENANT_LIMITS))
    _server: TestServer | None = None

    def __post_init__(self) -> None:
        self._limits_at_start = self.limits
        self._clock_at_start = self.clock

    def fail_next(
        self,
        status: int,
        times: int = 1,
        headers: dict[str, str] | None = None,
        code: str | None = None,
        text: str | None = None,
    ) -> None:
        """The next `times` calls answer `status`: a JSON error body with `code`, or `text`
        as an HTML page (what a gateway in between answers)."""
        # Failures appended to `failures` directly get the default body: keep lists aligned.
        missing = len(self.failures) - len(self.failure_bodies)
        self.failure_bodies.extend([(None, None)] * missing)
        self.failures.extend([(status, headers or {})] * times)
        self.failure_bodies.extend([(code, text)] * times)

    def enforce_limits(self, on: bool = True) -> None:
        """Throttle like Teams from now on (windows start empty)."""
        self.limits = on
        self.throttled = 0
        self._conversation_throttle.clear()
        self._tenant_throttle.clear()

    def sent(self, method: str | None = None) -> list[RecordedCall]:
        """The recorded calls, of one HTTP method or all."""
        return [c for c in self.calls if method is None or c.method == method]

    def cards(self, method: str | None = None) -> list[dict[str, Any]]:
        """Adaptive Card contents of what the bot sent, oldest first."""
        return [
            a["content"]
            for c in self.sent(method)
            if isinstance(c.body, dict)
            for a in c.body.get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    def reset(self) -> None:
        """Forgets the calls and every setting a test changed."""
        self.calls.clear()
        self.failures.clear()
        self.failure_bodies.clear()
        self.members = list(DEFAULT_MEMBERS)
        self.blocked.clear()
        self.channels.clear()
        self.conversation_tenants.clear()
        self.delay_s = 0.0
        self.clock = self._clock_at_start
        self.enforce_limits(self._limits_at_start)

    def _throttle(self, request: web.Request, body: Any) -> web.Response | None:
        """Teams' rate limits on message sends and updates; None = within them."""
        if not self.limits or request.method not in ("POST", "PUT"):
            return None
        if "/activities" not in request.path:
            return None
        conversation = request.match_info.get("conversation_id") or request.path.split("/")[3]
        # A conversation of no known tenant counts against one shared "unknown" tenant.
        tenant = self.conversation_tenants.get(conversation, "unknown")
        if isinstance(body, dict) and isinstance(body.get("conversation"), dict):
            account = body["conversation"]
            tenant = account.get("tenantId") or account.get("tenantID") or tenant
        now = self.clock()
        wait = max(
            self._conversation_throttle.wait(conversation, now),
            self._tenant_throttle.wait(tenant, now),
        )
        if wait > 0:
            self.throttled += 1
            return web.json_response(
                {"error": {"code": "Throttled", "message": "too many requests"}},
                status=429,
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
        self._conversation_throttle.record(conversation, now)
        self._tenant_throttle.record(tenant, now)
        return None

    async def handle(self, request: web.Request) -> web.Response:
        # orjson: the fake runs in the bot's process in benchmarks, and stdlib json's parse of
        # a card was a tenth of a nudge run's CPU, charged to the bot.
        body = orjson.loads(await request.read()) if request.can_read_body else None
        self.calls.append(
            RecordedCall(request.method, request.path, body if self.keep_bodies else None)
        )
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.failures:
            status, headers = self.failures.pop(0)
            code, text = self.failure_bodies.pop(0) if self.failure_bodies else (None, None)
            if text is not None:
                return web.Response(
                    text=text, status=status, headers=headers, content_type="text/html"
                )
            code = code or "Simulated"
            return web.json_response(
                {"error": {"code": code, "message": f"simulated {status}"}},
                status=status,
                headers=headers,
            )
        if self._is_blocked(request, body):
            return web.json_response(
                {"error": {"code": "ConversationBlockedByUser", "message": "blocked"}}, status=403
            )
        throttled = self._throttle(request, body)
        if throttled is not None:
            return throttled
        if request.method == "DELETE":
            return web.Response(status=200)
        if "members" in request.path:
            if request.path.endswith("pagedmembers"):
                return web.json_response({"members": self.members})
            if request.path.endswith("/members"):
                return web.json_response(self.members)
            wanted = request.path.rsplit("/", 1)[-1]
            for member in self.members:
                if wanted in (member["id"], member["aadObjectId"]):
                    return web.json_response(member)
            return web.json_response({"error": {"code": "MemberNotFound"}}, status=404)
        if request.method == "POST" and request.path.rstrip("/") == CREATE_PATH:
            return created_conversation(body, self.url)
        activity_id = request.match_info.get("activity_id")
        if request.method == "PUT" and activity_id:
            return web.json_response({"id": activity_id})
        return web.json_response({"id": f"sent-{next(self._ids)}"})

    def created(self) -> list[RecordedCall]:
        """The conversations the bot asked to create (createConversation), oldest first."""
        return [c for c in self.calls if c.method == "POST" and c.path.rstrip("/") == CREATE_PATH]

    def _is_blocked(self, request: web.Request, body: Any) -> bool:
        if request.path.rstrip("/") == CREATE_PATH:
            members = body.get("members") if isinstance(body, dict) else None
            member = members[0] if isinstance(members, list) and members else None
            return isinstance(member, dict) and member.get("id") in self.blocked
        return any(f"/a:personal-{m}/" in request.path for m in self.blocked)

    def app(self) -> web.Application:
        """The fake as an aiohttp application (`start()` serves it)."""
        app = web.Application()
        app.router.add_route("*", "/v3/conversations/{conversation_id}/activities", self.handle)
        app.router.add_route(
            "*", "/v3/conversations/{conversation_id}/activities/{activity_id}", self.handle
        )
        app.router.add_route("*", "/v3/conversations/{tail:.*}", self.handle)
        app.router.add_route("POST", "/v3/conversations", self.handle)
        app.router.add_route("GET", "/v3/teams/{team_id}/conversations", self.team_channels)
        return app

    async def team_channels(self, request: web.Request) -> web.Response:
        """The team's channels: General, then `channels` (not recorded: a read)."""
        general = {"id": request.match_info["team_id"], "name": None}
        return web.json_response({"conversations": [general, *self.channels]})

    async def start(self) -> None:
        """Serves the fake on a free loopback port and sets `url` to its address."""
        self._server = TestServer(self.app(), host="127.0.0.1")
        await self._server.start_server()
        self.url = str(self._server.make_url("/"))

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.close()
            self._server = None
