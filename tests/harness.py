"""Runs the real app (aiohttp + botbuilder adapter) on a loopback port and talks HTTP to it,
served as app.py serves it (same runner options, same connection-capped listener)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import aiohttp
from aiohttp import web

from bot.config import Settings
from bot.limits import SERVER_OPTIONS, CappedSite
from bot.web import POSTER, create_app
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
        settings = settings or Settings(nudges_enabled=False)
        # Tests without an app id run as `make run` does: anonymous, asked for explicitly.
        if not settings.app_id:
            settings = dataclasses.replace(settings, anonymous=True)
        self.settings = settings
        self.runner: web.AppRunner | None = None
        self.site: CappedSite | None = None
        self.session: aiohttp.ClientSession | None = None
        self.store: DocumentStore | None = None

    async def start(self) -> None:
        self.store = self.store_factory()
        app = create_app(self.settings, store=self.store, clock=self.clock)
        self.runner = web.AppRunner(app, **SERVER_OPTIONS)
        await self.runner.setup()
        self.site = CappedSite(self.runner, "127.0.0.1", 0, self.settings.max_connections)
        await self.site.start()
        self.session = aiohttp.ClientSession()

    async def stop(self) -> None:
        if self.session:
            await self.session.close()
        if self.runner:
            await self.runner.cleanup()
        self.runner = self.site = self.session = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    def make_url(self, path: str) -> str:
        assert self.site is not None
        return f"http://127.0.0.1:{self.site.port}{path}"

    @property
    def port(self) -> int:
        assert self.site is not None
        return self.site.port

    @property
    def url(self) -> str:
        return self.make_url("/api/messages")

    async def post_raw(
        self,
        body: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        *,
        settle: bool = True,
    ) -> tuple[int, Any]:
        """The answer, after the announcements the turn made are posted (`settle`; they go out
        in the background, after the answer)."""
        assert self.session is not None and self.runner is not None
        async with self.session.post(
            self.url, data=body, headers={"Content-Type": content_type, **(headers or {})}
        ) as response:
            raw = await response.read()
            try:
                payload = json.loads(raw) if raw else None
            except ValueError:
                payload = raw.decode(errors="replace")
        if settle:
            await self.runner.app[POSTER].drain()
        return response.status, payload

    async def send(self, activity: dict[str, Any]) -> tuple[int, Any]:
        return await self.post_raw(json.dumps(activity).encode())

    async def get(self, path: str) -> tuple[int, Any]:
        assert self.session is not None
        async with self.session.get(self.make_url(path)) as response:
            return response.status, await response.json()
