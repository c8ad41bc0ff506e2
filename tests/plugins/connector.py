"""A fake Bot Connector: the one stand-in allowed, because Teams itself cannot run here.

It records every call the bot makes under /v3/conversations, answers like the real service,
serves member lookups, and can be told to fail the next calls with given statuses.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class RecordedCall:
    method: str
    path: str
    body: Any

    @property
    def conversation_id(self) -> str:
        return self.path.split("/")[3]


DEFAULT_MEMBERS = (
    {"id": "29:user1", "name": "User One", "aadObjectId": "aad-user1"},
    {"id": "29:user2", "name": "Kim Minji", "aadObjectId": "aad-user2"},
)


@dataclass
class FakeConnector:
    calls: list[RecordedCall] = field(default_factory=list)
    # Statuses to answer to the next calls, in order (e.g. [429, 500]); empty = succeed.
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    url: str = ""
    members: list[dict[str, str]] = field(default_factory=lambda: list(DEFAULT_MEMBERS))
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def fail_next(self, status: int, times: int = 1, headers: dict[str, str] | None = None) -> None:
        self.failures.extend([(status, headers or {})] * times)

    def sent(self, method: str | None = None) -> list[RecordedCall]:
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
        self.calls.clear()
        self.failures.clear()
        self.members = list(DEFAULT_MEMBERS)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else None
        self.calls.append(RecordedCall(request.method, request.path, body))
        if self.failures:
            status, headers = self.failures.pop(0)
            return web.json_response(
                {"error": {"code": "Simulated", "message": f"simulated {status}"}},
                status=status,
                headers=headers,
            )
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
        activity_id = request.match_info.get("activity_id")
        if request.method == "PUT" and activity_id:
            return web.json_response({"id": activity_id})
        return web.json_response({"id": f"sent-{next(self._ids)}"})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/v3/conversations/{conversation_id}/activities", self.handle)
        app.router.add_route(
            "*", "/v3/conversations/{conversation_id}/activities/{activity_id}", self.handle
        )
        app.router.add_route("*", "/v3/conversations/{tail:.*}", self.handle)
        app.router.add_route("POST", "/v3/conversations", self.handle)
        return app


@pytest.fixture(scope="session")
async def connector_server() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.url = str(server.make_url("/"))
    yield fake
    await server.close()


@pytest.fixture
def connector(connector_server: FakeConnector) -> FakeConnector:
    connector_server.reset()
    return connector_server
