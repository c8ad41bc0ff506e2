"""A redelivered activity is recognised by its id for as long as Teams may redeliver it,
however many other changes the engagement saw meanwhile (issue 16 item 8)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest

from domain.applied import MAX_REMEMBERED, REDELIVERY_WINDOW
from domain.engagement import EngagementKey
from storage.base import DocumentStore
from testkit import FakeConnector
from testkit import activities as a
from tests.harness import BotHarness

ENGAGEMENT = EngagementKey(a.TENANT, f"team:{a.TEAM}")
TASK = "initiate.start-onboarding"
OTHER = "initiate.readiness-meeting"


@pytest.fixture
async def clocked_bot(
    store_factory: Callable[[], DocumentStore], connector: FakeConnector
) -> AsyncIterator[tuple[BotHarness, dict[str, datetime]]]:
    clock = {"now": datetime(2026, 11, 30, 9, 0, tzinfo=UTC)}
    harness = BotHarness(store_factory, connector.url, clock=lambda: clock["now"])
    await harness.start()
    yield harness, clock
    await harness.stop()


async def _status(bot: BotHarness, task: str) -> str:
    assert bot.store is not None
    doc = await bot.store.read(ENGAGEMENT.id, "engagement")
    assert doc is not None
    return str(doc.body["tasks"].get(task, {}).get("status", "open"))


async def _send(bot: BotHarness, activity: dict) -> None:
    status, body = await bot.send(activity)
    assert status == 200, body


async def _other_changes(bot: BotHarness, count: int, clock: dict[str, datetime]) -> None:
    for day in range(count):
        clock["now"] += timedelta(seconds=1)
        due = (datetime(2027, 1, 1) + timedelta(days=day)).date().isoformat()
        await _send(bot, a.click(bot.service_url, "task.due", {"task": OTHER, "due": due}))


async def test_redelivery_after_many_other_changes_changes_nothing(clocked_bot) -> None:
    bot, clock = clocked_bot
    for activity in a.install(bot.service_url):
        await bot.send(activity)
    done = a.click(bot.service_url, "task.done", {"task": TASK})
    await _send(bot, done)
    await _other_changes(bot, 70, clock)  # the old memory kept the last 64 ops
    await _send(bot, a.click(bot.service_url, "task.reopen", {"task": TASK}))
    assert await _status(bot, TASK) == "open"

    await _send(bot, done)  # Teams redelivers the first click
    assert await _status(bot, TASK) == "open", "a redelivered click was applied again"

    # Past the window an id is forgotten (Teams redelivers within seconds).
    clock["now"] += REDELIVERY_WINDOW + timedelta(seconds=1)
    await _other_changes(bot, 1, clock)
    await _send(bot, done)
    assert await _status(bot, TASK) == "done"


async def test_the_memory_stays_bounded_under_a_flood(clocked_bot) -> None:
    bot, clock = clocked_bot
    for activity in a.install(bot.service_url):
        await bot.send(activity)
    await _other_changes(bot, MAX_REMEMBERED + 20, clock)
    assert bot.store is not None
    doc = await bot.store.read(ENGAGEMENT.id, "engagement")
    assert doc is not None
    assert len(doc.body["appliedOps"]) == MAX_REMEMBERED


async def test_ops_stored_by_the_previous_release_are_still_recognised(clocked_bot) -> None:
    """Documents written before ops were kept by time hold a plain list of op ids."""
    bot, _ = clocked_bot
    for activity in a.install(bot.service_url):
        await bot.send(activity)
    done = a.click(bot.service_url, "task.done", {"task": TASK})
    await _send(bot, done)
    await _send(bot, a.click(bot.service_url, "task.reopen", {"task": TASK}))
    assert bot.store is not None
    doc = await bot.store.read(ENGAGEMENT.id, "engagement")
    assert doc is not None
    legacy = {**doc.body, "appliedOps": list(doc.body["appliedOps"])}
    await bot.store.replace(ENGAGEMENT.id, "engagement", legacy, etag=doc.etag)
    await bot.restart()

    await _send(bot, done)
    assert await _status(bot, TASK) == "open"
