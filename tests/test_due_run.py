"""How a scheduler run hands due engagements to its workers (dialogs/nudges.py `DueRun`):
tenants take turns, none goes past its limit, every engagement is handled once, and a worker
that is done with one takes the next without leaving its slot idle for a loop turn."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from dialogs.due_run import BATCH, CONCURRENCY, REFILL_AT, DueRun, NudgeReport, TenantQueue
from dialogs.services import Services
from domain.catalog import default_catalog
from domain.engagement import Actor, Engagement, EngagementKey
from storage.embedded import EmbeddedStore
from storage.repository import RECENT_DOCUMENTS, EngagementRepository
from testkit import activities as a

CREATED = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 30, 9, 5, tzinfo=UTC)


def _engagement(tenant: str, index: int) -> Engagement:
    conversation = f"19:{tenant}-{index}@thread.tacv2"
    e = Engagement(
        EngagementKey(tenant, conversation), "channel", CREATED, installed_by=Actor("29:pm", "PM")
    )
    e.conversation_reference = a.conversation_reference("http://127.0.0.1:9", conversation, tenant)
    return e


def test_small_tenants_are_not_queued_behind_a_big_one() -> None:
    queue = TenantQueue(per_tenant=3)
    for index in range(10):
        queue.put(_engagement("big", index))
    queue.put(_engagement("small-1", 0))
    queue.put(_engagement("small-2", 0))

    taken = [queue.take() for _ in range(5)]

    assert [e.key.tenant_id for e in taken if e] == ["big", "small-1", "small-2", "big", "big"]
    assert queue.take() is None, "the big tenant is at its limit and nobody else waits"
    assert taken[0] is not None
    queue.done(taken[0])
    assert (next_one := queue.take()) is not None and next_one.key.tenant_id == "big"
    assert len(queue) == 12 - 1, "waiting or in flight"


@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("put"), st.sampled_from("abc")),
            st.tuples(st.just("take"), st.just("")),
            st.tuples(st.just("done"), st.integers(min_value=0, max_value=50)),
        ),
        max_size=120,
    )
)
def test_the_queue_keeps_every_tenant_within_its_limit_and_loses_nothing(
    steps: list[tuple[str, object]],
) -> None:
    queue = TenantQueue(per_tenant=2)
    put: list[Engagement] = []
    taken: list[Engagement] = []
    in_flight: list[Engagement] = []
    for step, argument in steps:
        if step == "put":
            engagement = _engagement(str(argument), len(put))
            put.append(engagement)
            queue.put(engagement)
        elif step == "take":
            engagement = queue.take()
            per_tenant = Counter(e.key.tenant_id for e in in_flight)
            waiting = {e.key.tenant_id for e in put if e not in taken}
            if engagement is None:
                assert all(per_tenant[t] >= 2 for t in waiting), "a tenant with room was skipped"
            else:
                assert per_tenant[engagement.key.tenant_id] < 2
                taken.append(engagement)
                in_flight.append(engagement)
        elif in_flight:
            assert isinstance(argument, int)
            queue.done(in_flight.pop(argument % len(in_flight)))
        assert len(queue) == len(put) - len(taken) + len(in_flight)
    while (engagement := queue.take()) is not None or in_flight:
        if engagement is None:
            queue.done(in_flight.pop())
        else:
            taken.append(engagement)
            in_flight.append(engagement)
    assert sorted(e.id for e in taken) == sorted(e.id for e in put), "each taken exactly once"
    for tenant in "abc":  # one tenant's engagements go in the order they were queued
        order = [e.id for e in taken if e.key.tenant_id == tenant]
        assert order == [e.id for e in put if e.key.tenant_id == tenant]
    assert len(queue) == 0 and not queue.waiting


def test_a_query_and_what_is_still_in_hand_fit_in_what_the_repository_remembers() -> None:
    # Else the oldest due engagements would be forgotten before their claim, which then reads.
    assert BATCH + REFILL_AT <= RECENT_DOCUMENTS


class _Recording(DueRun):
    """Handles an engagement by recording its slot after a short wait (the post's stand-in),
    counting how many are being handled."""

    active = 0
    handled: Counter[str]

    async def _handle(
        self, engagement: Engagement, now: datetime, run_id: str, report: NudgeReport
    ) -> None:
        type(self).active += 1
        try:
            slot = engagement.due_slot(now)
            assert slot is not None
            await asyncio.sleep(0.05 * (1 + hash(engagement.id) % 3))
            await self.services.change_schedule(engagement.id, lambda e: e.complete_nudge(slot))
            self.handled[engagement.id] += 1
        finally:
            type(self).active -= 1


async def test_every_worker_stays_busy_while_engagements_wait(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    await store.open()
    try:
        repo = EngagementRepository(store)
        due = [_engagement(f"tenant-{i % 40}", i) for i in range(3 * BATCH)]
        for e in due:
            await repo.create_if_missing(e)
        services = Services(EngagementRepository(store), default_catalog(), lambda: MONDAY)
        run = _Recording(services, poster=None)  # type: ignore[arg-type]  # never posts
        run.handled = Counter()
        samples: list[int] = []

        async def watch(task: asyncio.Task[NudgeReport]) -> None:
            # One sample per loop turn, while more are waiting than the workers can hold.
            while not task.done():
                await asyncio.sleep(0)
                if len(due) - sum(run.handled.values()) > 2 * CONCURRENCY:
                    samples.append(_Recording.active)

        task = asyncio.ensure_future(run.run(MONDAY))
        await asyncio.gather(task, watch(task))

        assert set(run.handled) == {e.id for e in due} and set(run.handled.values()) == {1}
        assert len(samples) > 100
        started = samples[samples.index(CONCURRENCY) :]
        assert started and min(started) == CONCURRENCY, Counter(started)
    finally:
        await store.close()


async def test_the_due_query_leaves_out_what_the_caller_has_in_hand(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    await store.open()
    try:
        repo = EngagementRepository(store)
        due = [_engagement("tenant", i) for i in range(5)]
        for e in due:
            await repo.create_if_missing(e)
        in_hand = {due[0].id, due[1].id}

        cut = await repo.due_for_nudge(MONDAY, 3, known=in_hand)
        whole = await repo.due_for_nudge(MONDAY, 10, known=in_hand)

        assert cut.more and len(cut.fresh) <= 3 and not in_hand & {e.id for e in cut.fresh}
        assert not whole.more and {e.id for e in whole.fresh} == {e.id for e in due} - in_hand
    finally:
        await store.close()
