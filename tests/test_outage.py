"""A store outage is answered fast: clicks are refused politely within seconds however many
wait for one engagement, /healthz says 503 within a second, the bot recovers without a
restart, and nothing acknowledged before is lost (issue 16 item 4)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from domain.engagement import EngagementKey
from storage.base import DocumentStore
from storage.cosmos import CosmosStore
from storage.embedded import EmbeddedStore
from testkit import CONTAINER, CosmosStoreFactory, FakeConnector, FaultProxy
from testkit import activities as a
from tests.harness import BotHarness
from tests.plugins.cosmos import StoreBackend
from tests.steps import click, installed

REFUSAL = "I can't save right now"
ANSWER_WITHIN_S = 5.0
HEALTH_WITHIN_S = 1.0
TASKS = [
    "initiate.readiness-meeting",
    "assess.identify-stakeholders",
    "assess.remediation-checklist",
    "assess.user-provisioning-review",
    "enable.manage-resources",
    "enable.configure-network",
]
Outage = Callable[[], AbstractAsyncContextManager[None]]


def _embedded_outage(data_dir: Path) -> tuple[Callable[[], DocumentStore], Outage]:
    """The embedded store while another process holds its write lock (a stuck writer)."""

    @asynccontextmanager
    async def outage() -> AsyncIterator[None]:
        blocker = sqlite3.connect(data_dir / "bot.sqlite3", isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()

    return (lambda: EmbeddedStore(data_dir)), outage


def _cosmos_outage(
    factory: CosmosStoreFactory, proxy: FaultProxy
) -> tuple[Callable[[], DocumentStore], Outage]:
    """Cosmos DB that stops answering: a proxy in front of it holds every request."""
    server, database = factory.server, factory.new_database_name()

    @asynccontextmanager
    async def outage() -> AsyncIterator[None]:
        proxy.documents_only, proxy.hang = False, True
        try:
            yield
        finally:
            proxy.heal()

    def store() -> DocumentStore:
        return CosmosStore(
            proxy.endpoint, server.key, database, CONTAINER, enable_endpoint_discovery=False
        )

    return store, outage


@pytest.fixture
async def outage_bot(
    document_store_backend: StoreBackend, connector: FakeConnector, tmp_path: Path
) -> AsyncIterator[tuple[BotHarness, Outage]]:
    proxy: FaultProxy | None = None
    if document_store_backend.cosmos is None:
        store_factory, outage = _embedded_outage(tmp_path / "data")
    else:
        document_store_backend.cosmos.server.start()
        proxy = FaultProxy(document_store_backend.cosmos.server.endpoint)
        await proxy.start()
        store_factory, outage = _cosmos_outage(document_store_backend.cosmos, proxy)
    harness = BotHarness(store_factory, connector.url)
    await harness.start()
    try:
        yield harness, outage
    finally:
        await harness.stop()
        if proxy is not None:
            await proxy.stop()


async def _timed(coroutine: asyncio.Future | object) -> tuple[float, object]:
    started = time.monotonic()
    result = await coroutine  # type: ignore[misc]
    return time.monotonic() - started, result


async def test_clicks_in_an_outage_are_refused_fast_and_the_bot_recovers(
    outage_bot: tuple[BotHarness, Outage], connector: FakeConnector
) -> None:
    bot, outage = outage_bot
    await installed(bot, connector)
    await click(bot, "task.done", {"task": "initiate.start-onboarding"})  # acknowledged

    async with outage():
        clicks = [
            _timed(bot.send(a.click(bot.service_url, "task.done", {"task": task})))
            for task in TASKS
        ]
        health = _timed(bot.get("/healthz"))
        answered = await asyncio.gather(health, *clicks)
        (health_s, (health_status, _)), *click_results = answered
        assert health_status == 503
        assert health_s < HEALTH_WITHIN_S, f"/healthz took {health_s:.1f} s"
        for seconds, (status, body) in click_results:  # type: ignore[misc]
            assert status == 200
            assert REFUSAL in str(body["value"]), body
            assert seconds < ANSWER_WITHIN_S, f"a click waited {seconds:.1f} s"

    # Recovery needs no restart; what was acknowledged before the outage is still there.
    status, _ = await bot.get("/healthz")
    assert status == 200
    body = await click(bot, "task.done", {"task": TASKS[0]})
    assert REFUSAL not in str(body)
    assert bot.store is not None
    doc = await bot.store.read(EngagementKey(a.TENANT, f"team:{a.TEAM}").id, "engagement")
    assert doc is not None
    assert doc.body["tasks"]["initiate.start-onboarding"]["status"] == "done"
    assert doc.body["tasks"][TASKS[0]]["status"] == "done"
