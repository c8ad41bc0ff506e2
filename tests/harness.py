"""Runs the real app (aiohttp + botbuilder adapter) on a loopback port and talks HTTP to it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer

from bot.config import Settings
from bot.web import create_app
from dialogs.services import utc_now
from storage.base import DocumentStore


class BotHarness:
    """The bot over HTTP. `store_factory` returns a new store object over the same data each
    time, so `restart()` is a real restart: new app, new adapter, new store connection."""

    def __init__(
        self,
        store_factory: Callable[[], DocumentStore],
        service_url: str,
        clock: Callable[[], datetime] = utc_now,
        settings: Settings | None = None,
    ) -> None:
        self.store_factory = store_factory
        self.service_url = service_url
        self.clock = clock
        # The scheduler is off: tests trigger nudge runs themselves, with their own clock.
        self.settings = settings or Settings(nudges_enabled=False)
        self.server: TestServer | None = None
        self.session: aiohttp.ClientSession | None = None
        self.store: DocumentStore | None = None

    async def start(self) -> None:
        self.store = self.store_factory()
        app = create_app(self.settings, store=self.store, clock=self.clock)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        self.session = aiohttp.ClientSession()

    async def stop(self) -> None:
        if self.session:
            await self.session.close()
        if self.server:
            await self.server.close()
        self.server = self.session = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/api/messages"))

    async def post_raw(
        self,
        body: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        assert self.session is not None
        async with self.session.post(
            self.url, data=body, headers={"Content-Type": content_type, **(headers or {})}
        ) as response:
            raw = await response.read()
            try:
                payload = json.loads(raw) if raw else None
            except ValueError:
                payload = raw.decode(errors="replace")
            return response.status, payload

    async def send(self, activity: dict[str, Any]) -> tuple[int, Any]:
        return await self.post_raw(json.dumps(activity).encode())

    async def get(self, path: str) -> tuple[int, Any]:
        assert self.session is not None and self.server is not None
        async with self.session.get(self.server.make_url(path)) as response:
            return response.status, await response.json()
