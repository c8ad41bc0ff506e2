"""ALLOWED_TENANTS: other tenants are refused politely and nothing is stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from domain.engagement import EngagementKey
from storage.embedded import EmbeddedStore
from testkit import FakeConnector
from testkit import activities as a
from tests.harness import BotHarness


@pytest.fixture
async def guarded(tmp_path: Path, connector: FakeConnector) -> AsyncIterator[BotHarness]:
    settings = Settings(nudges_enabled=False, allowed_tenants=frozenset({a.TENANT}))
    harness = BotHarness(lambda: EmbeddedStore(tmp_path / "data"), connector.url, settings=settings)
    await harness.start()
    yield harness
    await harness.stop()


async def test_other_tenants_are_refused_and_nothing_is_stored(guarded, connector, caplog):
    outsider = {"tenant": "tenant-evil"}
    for activity in a.install(guarded.service_url, **outsider):
        await guarded.send(activity)
    status, _ = await guarded.send(a.message(guarded.service_url, "status", **outsider))
    assert status in (200, 201)
    [reply] = connector.sent("POST")
    assert "not available for your organization" in reply.body["text"]
    status, body = await guarded.send(
        a.click(guarded.service_url, "task.done", {"task": "initiate.start-onboarding"}, **outsider)
    )
    assert status == 200 and "not available" in body["value"]
    assert guarded.store is not None
    key = EngagementKey("tenant-evil", f"team:{a.TEAM}")
    assert await guarded.store.read(key.id, "engagement") is None
    assert any("ALLOWED_TENANTS" in r.getMessage() for r in caplog.records)


async def test_an_allowed_tenant_is_served(guarded, connector):
    for activity in a.install(guarded.service_url):
        await guarded.send(activity)
    assert "Welcome" in str(connector.cards("POST"))
    status, body = await guarded.send(
        a.click(guarded.service_url, "task.done", {"task": "initiate.start-onboarding"})
    )
    assert status == 200 and body["type"].endswith("card.adaptive")


def test_allowed_tenants_from_the_environment() -> None:
    settings = Settings.from_env({"ALLOWED_TENANTS": " t1, t2 ,,"})
    assert settings.allowed_tenants == frozenset({"t1", "t2"})
    assert Settings.from_env({}).allowed_tenants == frozenset()
