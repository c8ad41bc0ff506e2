"""Nudge fan-out: one `Nudger.run(now)` over many engagements of one tenant, against a fake
Bot Connector that enforces Teams' documented rate limits and answers 429 beyond them."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication

from benchmarks.seed import engagement, seed
from bot.adapter import OnboardingAdapter
from bot.config import Settings
from bot.outbound import Outbound
from bot.proactive import ProactivePoster
from bot.ratelimit import TENANT_PER_SECOND, RateLimiter
from dialogs.due_run import BATCH
from dialogs.nudges import Nudger
from dialogs.services import Services
from domain.catalog import default_catalog
from domain.engagement import Engagement
from storage.base import DocumentStore
from storage.repository import EngagementRepository
from testkit import CountingStore, FakeConnector, WireCounter

TENANT = "tenant-nudge"
# Installed on Sunday; the run is Monday 09:05 UTC, just after the default weekday 09:00 slot.
CREATED = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
SLOT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 30, 9, 5, tzinfo=UTC)


@dataclass
class TimedConnector(FakeConnector):
    """FakeConnector(limits=True) that also notes when each message send arrived (per
    conversation) and when it was accepted."""

    arrived: dict[str, list[float]] = field(default_factory=dict)
    accepted: list[float] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        send = request.method == "POST" and "/activities" in request.path
        if send:
            self.arrived.setdefault(request.match_info["conversation_id"], []).append(now)
        response = await super().handle(request)
        if send and response.status < 300:
            self.accepted.append(now)
        return response


class TimedLimiter(RateLimiter):
    """The app's RateLimiter, noting when it let each send go (per conversation)."""

    def __init__(self) -> None:
        super().__init__()
        self.granted: dict[str, list[float]] = {}

    async def acquire(self, tenant_id: str, conversation_id: str) -> float:
        waited = await super().acquire(tenant_id, conversation_id)
        self.granted.setdefault(conversation_id, []).append(time.monotonic())
        return waited


def grant_to_arrival(limiter: TimedLimiter, connector: TimedConnector) -> list[float]:
    """Seconds from the limiter's grant to the connector seeing the request, per send."""
    delays = []
    for conversation, granted in limiter.granted.items():
        arrived = connector.arrived.get(conversation, [])
        delays += [a - g for g, a in zip(granted, arrived, strict=False)]
    return delays


class _Count(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.records += 1


@contextmanager
def counted_warnings(name: str) -> Iterator[_Count]:
    """Counts the warnings of logger `name` instead of printing them (the sender logs one per
    failed attempt: thousands would bury the benchmark's progress)."""
    logger, handler = logging.getLogger(name), _Count()
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


@dataclass
class NudgeRun:
    engagements: int
    due: int
    sent: int
    failed: int
    quiet: int
    throttled: int
    seconds: float
    steady_per_second: float
    retries_logged: int
    # Seconds from the limiter's grant to the request reaching the connector.
    delays: list[float]
    store: dict[str, Any]
    wire: dict[str, Any] | None

    @property
    def per_second(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0

    @property
    def share_of_limit(self) -> float:
        return self.per_second / TENANT_PER_SECOND


def _state(index: int, e: Engagement) -> Engagement:
    """1 in 5 due now; 2 in 5 with reminders stopped (no nextNudgeAt at all); 2 in 5 nudged
    for today's slot already (nextNudgeAt tomorrow: indexed, but not due)."""
    kind = index % 5
    if kind in (1, 2):
        e.nudges_paused = True
    elif kind in (3, 4):
        e.last_nudged_at = SLOT
    return e


async def nudge_fanout(
    store: DocumentStore, *, engagements: int, wire: WireCounter | None = None
) -> NudgeRun:
    connector = TimedConnector(limits=True)
    await connector.start()
    counting = CountingStore(store)
    adapter: OnboardingAdapter | None = None
    await counting.open()
    try:
        service_url = connector.url
        await seed(
            counting,
            (
                _state(
                    i,
                    engagement(
                        service_url, TENANT, f"19:nudge-{i}@thread.tacv2", "channel", CREATED
                    ),
                )
                for i in range(engagements)
            ),
        )
        adapter = OnboardingAdapter(
            ConfigurationBotFrameworkAuthentication(Settings().bot_framework_config())
        )
        services = Services(EngagementRepository(counting), default_catalog(), lambda: NOW)
        limiter = TimedLimiter()
        nudger = Nudger(services, ProactivePoster(Outbound(adapter, "", limiter=limiter)))
        counting.reset()
        if wire is not None:
            wire.reset()
        connector.calls.clear()
        with counted_warnings("bot.outbound") as warnings:
            started = time.perf_counter()
            report = await nudger.run(NOW)
            seconds = time.perf_counter() - started
        accepted = connector.accepted
        steady = (len(accepted) - 1) / (accepted[-1] - accepted[0]) if len(accepted) > 1 else 0.0
        return NudgeRun(
            engagements=engagements,
            due=sum(1 for i in range(engagements) if i % 5 == 0),
            sent=len(report.sent),
            failed=len(report.failed),
            quiet=len(report.quiet),
            throttled=connector.throttled,
            seconds=seconds,
            steady_per_second=steady,
            retries_logged=warnings.records,
            delays=grant_to_arrival(limiter, connector),
            store=counting.snapshot(),
            wire=wire.snapshot() if wire is not None else None,
        )
    finally:
        if adapter is not None:
            await adapter.close()
        await counting.close()
        await connector.stop()


def queries_bound(due: int) -> int:
    """Batches of BATCH due engagements, plus the query that finds none left."""
    return -(-due // BATCH) + 1
