"""Clicks that arrive together, and clicks Teams delivers twice."""

from __future__ import annotations

import asyncio

from domain.catalog import default_catalog
from domain.engagement import EngagementKey
from storage.repository import EngagementRepository
from testkit import activities as a
from tests.harness import BotHarness

CATALOG = default_catalog()
ENGAGEMENT = EngagementKey(a.TENANT, f"team:{a.TEAM}")


async def test_a_click_on_each_of_the_37_tasks_at_the_same_moment(bot: BotHarness) -> None:
    for activity in a.install(bot.service_url):
        await bot.send(activity)
    # Phase tasks get done; standing duties are taken (they are acknowledged with an owner).
    clicks = [
        a.click(bot.service_url, "task.take" if t.duty else "task.done", {"task": t.id})
        for t in CATALOG.tasks
    ]
    results = await asyncio.gather(*(bot.send(c) for c in clicks))
    assert [status for status, _ in results] == [200] * 37
    assert all(body["type"].endswith("card.adaptive") for _, body in results)
    assert bot.store is not None
    repo = EngagementRepository(bot.store)
    engagement = await repo.get(ENGAGEMENT.id)
    assert engagement is not None
    assert sorted(engagement.tasks) == sorted(t.id for t in CATALOG.tasks)
    assert len(await repo.audit_trail(ENGAGEMENT.id)) == 37


async def test_the_same_click_delivered_twice_changes_state_once(bot: BotHarness) -> None:
    for activity in a.install(bot.service_url):
        await bot.send(activity)
    task = {"task": "initiate.start-onboarding"}
    done = a.click(bot.service_url, "task.done", task)
    reopen = a.click(bot.service_url, "task.reopen", task)
    await bot.send(done)
    await bot.send(reopen)
    status, _ = await bot.send(done)  # Teams redelivers the first click late
    assert status == 200
    assert bot.store is not None
    repo = EngagementRepository(bot.store)
    engagement = await repo.get(ENGAGEMENT.id)
    assert engagement is not None
    assert "initiate.start-onboarding" not in engagement.tasks, "the reopen stands"
    trail = await repo.audit_trail(ENGAGEMENT.id)
    assert [(e.before, e.after) for e in trail] == [
        ("open", "done"),
        ("done", "open"),
    ]
