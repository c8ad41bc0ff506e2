"""The aiohttp application: the bot's HTTP endpoints and what they need at start and stop."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import orjson
from aiohttp import web
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication

from bot.adapter import ACTIVITY_JSON, OnboardingAdapter, log_turn_error
from bot.config import ConfigurationError, Settings
from bot.connectors import use_outbound_threads
from bot.files import FILE_ROUTE, file_handler
from bot.limits import HEALTH_PATH, TURN_PATH, in_flight_cap
from bot.outbound import Outbound
from bot.proactive import ProactivePoster
from bot.teams_bot import OnboardingBot
from dialogs.due_run import run_periodically
from dialogs.files import BoundedWorker, Files
from dialogs.flows import all_flows
from dialogs.links import MIN_LINK_KEY_BYTES, LinkSigner
from dialogs.live import LiveCards
from dialogs.nudges import Nudger
from dialogs.services import Services, utc_now
from dialogs.weekly import Reporter
from domain.catalog import default_catalog
from storage.base import DocumentStore, StoreUnavailable
from storage.repository import EngagementRepository

log = logging.getLogger("bot.web")
turn_log = logging.getLogger("bot.turns")

# Teams messages are at most ~100 KB; anything far larger is not an activity worth reading.
MAX_REQUEST_BYTES = 256 * 1024
# A load balancer's probe wants an answer, not a wait: a store that cannot answer this fast
# counts as unavailable.
HEALTH_TIMEOUT_S = 0.8
# The app's proactive sender, whose announcements go out after the turns that made them
# (bot/proactive.py): a test client waits for them with `app[POSTER].drain()`.
POSTER = web.AppKey("poster", ProactivePoster)


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


def link_signer(settings: Settings) -> LinkSigner:
    key = settings.link_signing_key.encode()
    if not key:
        log.warning(
            "LINK_SIGNING_KEY is not set: download links are signed with a random key of this "
            "process and work only here until it stops. Set it (32+ bytes) in production."
        )
        key = secrets.token_bytes(32)
    if len(key) < MIN_LINK_KEY_BYTES:
        raise ConfigurationError(f"LINK_SIGNING_KEY must have at least {MIN_LINK_KEY_BYTES} bytes")
    return LinkSigner(key, settings.link_origin)


def _describe(activity: dict[str, Any] | None) -> dict[str, Any]:
    """What a turn is about, for the log line: never the message text. Only authenticated
    requests are described (the adapter hands their JSON over); others are not read."""
    if activity is None:
        return {}

    def pick(*path: str) -> Any:
        node: Any = activity
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        return node if isinstance(node, str) else None

    return {
        "tenant": pick("channelData", "tenant", "id") or pick("conversation", "tenantId"),
        "conversation": pick("conversation", "id"),
        "type": pick("type"),
        "name": pick("name"),
        "verb": pick("value", "action", "verb") or pick("value", "verb"),
    }


@web.middleware
async def turn_logging(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """One structured line per turn: where, what, how long, how it ended."""
    if request.path != TURN_PATH:
        return await handler(request)
    started = time.perf_counter()
    status, outcome = 500, "error"
    try:
        response = await handler(request)
        status = response.status
        outcome = "ok" if status < 400 else "refused"
        return response
    except web.HTTPException as http_error:
        status, outcome = http_error.status, "refused"
        raise
    finally:
        turn_log.info(
            orjson.dumps(
                {
                    "event": "turn",
                    **_describe(request.get(ACTIVITY_JSON)),
                    "status": status,
                    "outcome": outcome,
                    "latency_ms": round((time.perf_counter() - started) * 1000, 1),
                }
            ).decode()
        )


def create_app(
    settings: Settings,
    *,
    store: DocumentStore | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> web.Application:
    settings.check_identity()
    if not settings.app_id:
        log.warning(
            "ANONYMOUS MODE (BOT_ANONYMOUS=true, no MicrosoftAppId): requests are accepted "
            "without a token and replies go to loopback service URLs only. Local use only."
        )
    store = store or store_from_settings(settings)
    services = Services(
        EngagementRepository(store), default_catalog(), clock, link_signer(settings)
    )
    renders = BoundedWorker()
    adapter = OnboardingAdapter(
        ConfigurationBotFrameworkAuthentication(settings.bot_framework_config())
    )
    adapter.on_turn_error = log_turn_error
    # One sender, so announcements and nudges to a channel share its Teams rate limits.
    poster = ProactivePoster(Outbound(adapter, settings.app_id))
    live = LiveCards(services, poster)
    bot = OnboardingBot(services, all_flows(), poster, live, settings.allowed_tenants)
    if settings.nudge_lease_s <= 0:
        raise ConfigurationError("NUDGE_LEASE_SECONDS must be a positive number of seconds")
    lease = timedelta(seconds=settings.nudge_lease_s)
    nudger, reporter = Nudger(services, poster, lease), Reporter(services, poster, lease)

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, bot)

    async def healthz(request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_S):
                await store.ping()
        except (StoreUnavailable, TimeoutError) as error:
            # The reason goes to the log only: it can name the store's endpoint.
            log.warning("health check: store unavailable: %s", str(error) or "no answer in time")
            return web.json_response({"status": "degraded", "store": "unavailable"}, status=503)
        return web.json_response({"status": "ok", "store": "ok"})

    def run_endpoint(run: Nudger | Reporter) -> Callable[[web.Request], Awaitable[web.Response]]:
        """For an external scheduler (Azure Functions timer, cron)."""

        async def handle(request: web.Request) -> web.Response:
            # As bytes: compare_digest refuses non-ASCII str (a 500), and headers may be anything.
            given = request.headers.get("Authorization", "").encode("utf-8", "surrogateescape")
            expected = f"Bearer {settings.nudge_run_secret}".encode()
            if not settings.nudge_run_secret or not hmac.compare_digest(given, expected):
                return web.json_response({"error": "unauthorized"}, status=401)
            try:
                report = await run.run()
            except StoreUnavailable as error:
                log.warning("scheduled run: store unavailable: %s", error)
                return web.json_response({"error": "store unavailable"}, status=503)
            return web.json_response(report.as_dict())

        return handle

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        use_outbound_threads(asyncio.get_running_loop())
        await store.open()
        schedulers = []
        if settings.nudges_enabled:
            for run in (nudger, reporter):
                interval = settings.nudge_interval_s
                schedulers.append(asyncio.create_task(run_periodically(run, interval)))
        yield
        # Shutdown (SIGTERM): aiohttp has already let requests in flight finish. Stop the
        # schedulers, let the nudge or report being posted be recorded, then close the store.
        for scheduler in schedulers:
            scheduler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await scheduler
        await nudger.drain()
        await reporter.drain()
        await live.drain()
        await poster.drain()
        await adapter.close()
        renders.close()
        await store.close()

    app = web.Application(
        middlewares=[in_flight_cap(settings.max_in_flight), turn_logging],
        client_max_size=MAX_REQUEST_BYTES,
    )
    app[POSTER] = poster
    app.cleanup_ctx.append(lifecycle)
    app.router.add_post(TURN_PATH, messages)
    app.router.add_post("/api/nudges/run", run_endpoint(nudger))
    app.router.add_post("/api/reports/run", run_endpoint(reporter))
    app.router.add_get(HEALTH_PATH, healthz)
    app.router.add_get(FILE_ROUTE, file_handler(Files(services, renders)))
    return app
