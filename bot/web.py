"""The aiohttp application: the bot's HTTP endpoints and what they need at start and stop."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from aiohttp import web
from botbuilder.core import ConversationState
from botbuilder.core.integration import aiohttp_error_middleware
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication

from bot.adapter import OnboardingAdapter, log_turn_error
from bot.config import Settings
from bot.outbound import Outbound
from bot.services import Services, utc_now
from bot.state_storage import DocumentStoreStorage
from bot.teams_bot import OnboardingBot
from domain.catalog import default_catalog
from storage.base import DocumentStore, StoreUnavailable
from storage.repository import EngagementRepository

log = logging.getLogger("bot.web")

# Teams messages are at most ~100 KB; anything far larger is not an activity worth reading.
MAX_REQUEST_BYTES = 256 * 1024

SERVICES = web.AppKey("services", Services)
STORE = web.AppKey("store", DocumentStore)  # type: ignore[type-abstract]


def store_from_settings(settings: Settings) -> DocumentStore:
    if settings.cosmos_endpoint:
        from storage.cosmos import CosmosStore

        return CosmosStore(
            settings.cosmos_endpoint,
            settings.cosmos_key or None,
            settings.cosmos_database,
            settings.cosmos_container,
        )
    from storage.embedded import EmbeddedStore

    return EmbeddedStore(settings.data_dir)


def create_app(
    settings: Settings,
    *,
    store: DocumentStore | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> web.Application:
    store = store or store_from_settings(settings)
    services = Services(EngagementRepository(store), default_catalog(), clock)
    adapter = OnboardingAdapter(
        ConfigurationBotFrameworkAuthentication(settings.bot_framework_config())
    )
    adapter.on_turn_error = log_turn_error
    conversation_state = ConversationState(DocumentStoreStorage(store))
    bot = OnboardingBot(services, Outbound(adapter, settings.app_id), conversation_state)

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, bot)

    async def healthz(request: web.Request) -> web.Response:
        try:
            await store.ping()
        except StoreUnavailable as error:
            return web.json_response({"status": "degraded", "store": str(error)}, status=503)
        return web.json_response({"status": "ok", "store": "ok"})

    async def lifecycle(app: web.Application) -> object:
        await store.open()
        yield
        await store.close()

    app = web.Application(middlewares=[aiohttp_error_middleware], client_max_size=MAX_REQUEST_BYTES)
    app[SERVICES] = services
    app[STORE] = store
    app.cleanup_ctx.append(lifecycle)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    return app
