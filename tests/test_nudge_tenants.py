"""Nudges across tenants (issue 22 item 2): tenants' sends go in parallel, each tenant within
its own Teams limits, and every engagement is nudged once. Through the run endpoint of the
real app, against the fake Bot Connector throttling like Teams and answering after a delay
(Teams' round trip), on both store backends."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication

from bot.adapter import OnboardingAdapter
from bot.config import Settings
from bot.outbound import Outbound
from bot.proactive import ProactivePoster
from dialogs.due_run import BATCH, TENANT_CONCURRENCY
from dialogs.nudges import Nudger
from dialogs.services import Services
from domain.catalog import default_catalog
from domain.engagement import Actor, Engagement, EngagementKey
from storage.base import DocumentStore
from storage.embedded import EmbeddedStore
from storage.repository import EngagementRepository
from testkit import CountingStore, FakeConnector
from testkit import activities as a
from tests.harness import BotHarness
from tests.steps import RUN_SECRET, run_scheduled

TENANTS = ("tenant-north", "tenant-south")
PER_TENANT = 40
ROUND_TRIP_S = 0.1
# Installed on Sunday; the run is Monday 09:05 UTC, just after the default weekday 09:00 slot.
CREATED = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 30, 9, 5, tzinfo=UTC)


@dataclass
class InFlightConnector(FakeConnector):
    """The fake connector, noting how many message sends it was answering at once: the most,
    in all and per tenant."""

    now: Counter[str] = field(default_factory=Counter)
    most: Counter[str] = field(default_factory=Counter)
    most_in_all: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        tenant = self.conversation_tenants.get(request.match_info.get("conversation_id", ""))
        if tenant is None or request.method != "POST":
            return await super().handle(request)
        self.now[tenant] += 1
        self.most[tenant] = max(self.most[tenant], self.now[tenant])
        self.most_in_all = max(self.most_in_all, sum(self.now.values()))
        try:
            return await super().handle(request)
        finally:
            self.now[tenant] -= 1


def conversation(tenant: str, index: int) -> str:
    return f"19:{tenant}-{index}@thread.tacv2"


async def seed(store: DocumentStore, connector: FakeConnector) -> None:
    repo = EngagementRepository(store)
    for tenant in TENANTS:
        for index in range(PER_TENANT):
            conv = conversation(tenant, index)
            e = Engagement(
                EngagementKey(tenant, conv), "channel", CREATED, installed_by=Actor("29:pm", "PM")
            )
            e.conversation_reference = a.conversation_reference(connector.url, conv, tenant)
            await repo.create_if_missing(e)
            connector.conversation_tenants[conv] = tenant


@pytest.fixture
async def connector() -> AsyncIterator[InFlightConnector]:
    fake = InFlightConnector()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def fleet_bot(
    store_factory: Callable[[], DocumentStore], connector: InFlightConnector
) -> AsyncIterator[BotHarness]:
    settings = Settings(nudges_enabled=False, nudge_run_secret=RUN_SECRET)
    harness = BotHarness(store_factory, connector.url, clock=lambda: MONDAY, settings=settings)
    await harness.start()
    yield harness
    await harness.stop()


async def test_two_tenants_are_nudged_in_parallel_each_within_its_limits(
    fleet_bot: BotHarness, connector: InFlightConnector, caplog: pytest.LogCaptureFixture
) -> None:
    assert fleet_bot.store is not None
    await seed(fleet_bot.store, connector)
    connector.enforce_limits()
    connector.delay_s = ROUND_TRIP_S

    report = await run_scheduled(fleet_bot, "/api/nudges/run")

    posts = Counter(c.conversation_id for c in connector.sent("POST"))
    everyone = {conversation(t, i) for t in TENANTS for i in range(PER_TENANT)}
    assert set(posts) == everyone and set(posts.values()) == {1}, "each nudged once"
    assert len(report["sent"]) == len(everyone) and not report["failed"]
    assert connector.throttled == 0, "no tenant or conversation went past Teams' limits"
    # Both tenants had sends in flight together, more than one tenant may have at once.
    assert set(connector.most) == set(TENANTS)
    assert max(connector.most.values()) <= TENANT_CONCURRENCY
    assert connector.most_in_all > TENANT_CONCURRENCY
    # The sends in flight reuse pooled connections (none opened and dropped past the pool).
    assert not [r for r in caplog.records if "pool is full" in r.getMessage()]


async def test_a_run_over_more_than_a_batch_nudges_each_once_with_few_queries(
    tmp_path: Path, connector: InFlightConnector
) -> None:
    """The run asks for the next due engagements while the last ones are still in flight:
    nobody is nudged twice or left out, and the queries stay proportional to the due."""
    store = CountingStore(EmbeddedStore(tmp_path))
    await store.open()
    try:
        repo = EngagementRepository(store)
        due = 2 * BATCH + 50
        for index in range(due):
            tenant = "tenant-big" if index % 2 else f"tenant-{index}"
            conv = conversation(tenant, index)
            e = Engagement(
                EngagementKey(tenant, conv), "channel", CREATED, installed_by=Actor("29:pm", "PM")
            )
            e.conversation_reference = a.conversation_reference(connector.url, conv, tenant)
            await repo.create_if_missing(e)
        store.reset()
        adapter = OnboardingAdapter(
            ConfigurationBotFrameworkAuthentication(Settings().bot_framework_config())
        )
        services = Services(EngagementRepository(store), default_catalog(), lambda: MONDAY)
        report = await Nudger(services, ProactivePoster(Outbound(adapter, ""))).run(MONDAY)

        posts = Counter(c.conversation_id for c in connector.sent("POST"))
        assert len(posts) == due and set(posts.values()) == {1}
        assert len(report.sent) == due
        assert store.snapshot()["calls"]["list_due"] <= -(-due // BATCH) + 1
    finally:
        await store.close()
