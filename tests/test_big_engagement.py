"""Issue 19 (scale) and 22 item 3: a click on an engagement of 300 tasks writes what it
changed, a patch of the engagement document, and loses nothing on the way: two instances
clicking at once, a redelivered click, a change too big for one patch. Through the real
adapter over HTTP, on both backends. (What it costs against a 37-task engagement is measured
by the benchmark: `python -m benchmarks --only own-tasks --cosmos`.)"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from benchmarks.big_engagement import create_data
from domain.catalog import default_catalog
from domain.engagement import Change, Engagement, EngagementKey, TaskStatus
from domain.own_tasks import MAX_OWN_TASKS
from storage.base import DocumentStore
from storage.repository import EngagementRepository
from testkit import CountingStore, FakeConnector
from testkit import activities as a
from tests.harness import BotHarness
from tests.steps import click, installed, set_up, two_instances

CATALOG = default_catalog()
TEAM = EngagementKey(a.TENANT, f"team:{a.TEAM}")
OWN = MAX_OWN_TASKS - len(CATALOG.tasks)
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# The most a click may write on any engagement: the task's record, its audit entry, the
# activity id, the counters (about 0.8 KB in English).
CLICK_BYTES = 2048


async def big_engagement(bot: BotHarness, connector: FakeConnector) -> None:
    """A set-up engagement with 300 tasks: the catalog's 37 and 263 pasted, each with an
    owner, a due date and a description."""
    await installed(bot, connector)
    await set_up(bot)
    lines = "\n".join(
        f"Remediation item {n:03d} | User One | 2027-0{1 + n % 3}-{10 + n % 18} | "
        f"Intune compliance policy for device group {n:03d}"
        for n in range(1, OWN + 1)
    )
    preview = (await click(bot, "own.check", {"phase": "remediate", "lines": lines}))["value"]
    create = create_data(preview)
    await click(bot, "own.create", {**create, "phase": "remediate", "lines": lines})


async def stored(store: DocumentStore | None) -> Engagement:
    """The engagement as stored, read by a repository that remembers nothing."""
    assert store is not None
    engagement = await EngagementRepository(store).get(TEAM.id)
    assert engagement is not None
    return engagement


async def test_a_paste_of_263_tasks_lands_whole_and_a_click_then_writes_under_2_kb(
    store_factory: Callable[[], DocumentStore], connector: FakeConnector
) -> None:
    counting: list[CountingStore] = []

    def counted() -> DocumentStore:
        counting.append(CountingStore(store_factory()))
        return counting[-1]

    bot = BotHarness(counted, connector.url)
    await bot.start()
    try:
        await big_engagement(bot, connector)
        engagement = await stored(bot.store)
        assert len(engagement.own_tasks) == OWN, "a change of 263 tasks is more than a patch"
        assert all(engagement.record(t).owner for t in engagement.own_tasks)
        # The next change archives the paste's 263 audit entries (13 chunks, once).
        await click(bot, "task.done", {"task": "own-1"})
        store = counting[-1]
        store.reset()
        store.measure_bytes = True
        for verb in ("task.done", "task.reopen", "task.done"):
            await click(bot, verb, {"task": "own-150"})
        assert store.calls["patch"] == 3 and store.calls["replace"] == 0
        assert store.bytes_written < 3 * CLICK_BYTES, store.bytes_written
        assert (await stored(bot.store)).status_of("own-150") is TaskStatus.DONE
    finally:
        await bot.stop()


async def test_two_instances_clicking_different_tasks_of_300_at_once_lose_nothing(
    store_factory: Callable[[], DocumentStore], connector: FakeConnector
) -> None:
    async with two_instances(store_factory, connector, START) as (bots, _):
        await big_engagement(bots[0], connector)
        # A few each: every click waits for the ones before it on its instance, and all of
        # it must stay far inside the turn's deadline on a loaded test machine.
        first = [f"own-{n}" for n in range(1, 5)] + [CATALOG.tasks_of("enable")[0].id]
        second = [f"own-{n}" for n in range(200, 204)] + [CATALOG.tasks_of("enable")[1].id]
        results = await asyncio.gather(
            *(bots[0].send(a.click(bots[0].service_url, "task.done", {"task": t})) for t in first),
            *(bots[1].send(a.click(bots[1].service_url, "task.done", {"task": t})) for t in second),
        )
        assert [status for status, _ in results] == [200] * len(results)
        # Each instance's next click starts from a copy the other overtook: still kept.
        await click(bots[0], "task.done", {"task": "own-100"})
        await click(bots[1], "task.done", {"task": "own-101"})
        engagement = await stored(bots[1].store)
        clicked = [*first, *second, "own-100", "own-101"]
        assert [engagement.status_of(t) for t in clicked] == [TaskStatus.DONE] * len(clicked)
        trail = await EngagementRepository(bots[0].store).audit_trail(TEAM.id)
        done = [e.subject for e in trail if e.change is Change.STATUS]
        assert sorted(done) == sorted(clicked), "each click once, none lost"
        assert [e.seq for e in trail] == list(range(1, len(trail) + 1))


async def test_a_redelivered_click_on_300_tasks_changes_nothing_twice_on_either_instance(
    store_factory: Callable[[], DocumentStore], connector: FakeConnector
) -> None:
    async with two_instances(store_factory, connector, START) as (bots, _):
        await big_engagement(bots[0], connector)
        done = a.click(bots[0].service_url, "task.done", {"task": "own-42"})
        for bot, activity in (
            (bots[0], done),
            (bots[0], a.click(bots[0].service_url, "task.reopen", {"task": "own-42"})),
            (bots[0], done),  # Teams redelivers the Done late, to the same instance
            (bots[1], done),  # and to another one
        ):
            status, _ = await bot.send(activity)
            assert status == 200
        engagement = await stored(bots[1].store)
        assert engagement.status_of("own-42") is TaskStatus.OPEN, "the reopen stands"
        trail = await EngagementRepository(bots[1].store).audit_trail(TEAM.id)
        statuses = [e for e in trail if e.subject == "own-42" and e.change is Change.STATUS]
        assert [(e.before, e.after) for e in statuses] == [
            ("open", "done"),
            ("done", "open"),
        ]
