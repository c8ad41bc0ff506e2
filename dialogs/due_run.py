"""Scheduler runs: the engagements the scheduler's index says are due, handed to workers
within Teams' limits per tenant (the digest's run, dialogs/nudges.py, and the weekly
report's, dialogs/weekly.py), and the in-process scheduler that starts one per interval."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from dialogs.context import Poster
from dialogs.services import Services
from domain.engagement import NUDGE_LEASE, Engagement

log = logging.getLogger("bot.nudges")

# Nudges in flight per tenant: Teams allows a tenant 50 sends/s, and at a few hundred ms per
# send 16 keep that busy. Past it a tenant's nudges wait without holding a slot of the run's
# cap, so one big tenant cannot hold up the others.
TENANT_CONCURRENCY = 16
# Nudges in flight in all (the run's workers): tenants' sends go in parallel, each under its
# own limits, and each send waits a round trip to the Bot Connector.
CONCURRENCY = 64
# The next query is made while this many are still waiting or in flight: more than the
# workers, so none of them waits for it.
REFILL_AT = 2 * CONCURRENCY
# Due engagements fetched by one query. With those still in hand it stays within what the
# repository remembers (RECENT_DOCUMENTS), so each claim starts from the query's copy.
BATCH = 128


@dataclass
class NudgeReport:
    sent: list[str] = field(default_factory=list)
    quiet: list[str] = field(default_factory=list)  # due, nothing to say
    unreachable: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    taken: list[str] = field(default_factory=list)  # claimed by another run

    def as_dict(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self.__dict__.items()}


class TenantQueue:
    """Due engagements waiting to be handled, taken in turn across tenants and never more
    than `per_tenant` of one tenant at a time: a tenant at its limit waits without holding
    up the others, and one big tenant does not go before all the small ones."""

    def __init__(self, per_tenant: int = TENANT_CONCURRENCY) -> None:
        self.per_tenant = per_tenant
        self._waiting: dict[str, deque[Engagement]] = {}
        self._in_flight: Counter[str] = Counter()
        # Tenants with engagements waiting and room for one more, each once, in turn.
        self._ready: deque[str] = deque()
        self._count = 0

    def __len__(self) -> int:
        """Engagements waiting or taken and not yet done."""
        return self._count

    @property
    def waiting(self) -> bool:
        return bool(self._waiting)

    def put(self, engagement: Engagement) -> None:
        tenant = engagement.key.tenant_id
        queue = self._waiting.get(tenant)
        if queue is None:
            queue = self._waiting[tenant] = deque()
            if self._in_flight[tenant] < self.per_tenant:
                self._ready.append(tenant)
        queue.append(engagement)
        self._count += 1

    def take(self) -> Engagement | None:
        """The next engagement whose tenant has room; None when no tenant has."""
        if not self._ready:
            return None
        tenant = self._ready.popleft()
        queue = self._waiting[tenant]
        engagement = queue.popleft()
        self._in_flight[tenant] += 1
        if not queue:
            del self._waiting[tenant]
        elif self._in_flight[tenant] < self.per_tenant:
            self._ready.append(tenant)
        return engagement

    def done(self, engagement: Engagement) -> None:
        tenant = engagement.key.tenant_id
        self._in_flight[tenant] -= 1
        if not self._in_flight[tenant]:
            del self._in_flight[tenant]
        if tenant in self._waiting and self._in_flight[tenant] == self.per_tenant - 1:
            self._ready.append(tenant)  # it had no room until now
        self._count -= 1


class DueRun:
    """A run over the engagements the scheduler's index says are due (the index holds the
    earliest of an engagement's digest and weekly report): each is handled by `_handle` on
    one of CONCURRENCY workers, at most TENANT_CONCURRENCY of one tenant at a time.

    A worker that finishes one engagement takes the next at once, so a slot is never idle
    while a task wakes up for it. A cancelled run stops its workers after the engagement in
    hand (claim, post and record finish together); `drain` waits for them."""

    def __init__(self, services: Services, poster: Poster, lease: timedelta = NUDGE_LEASE) -> None:
        self.services = services
        self.poster = poster
        self.lease = lease
        self._in_flight: set[asyncio.Task[None]] = set()

    async def drain(self) -> None:
        """Waits for posts already under way (used at shutdown, after cancelling runs)."""
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def run(self, now: datetime | None = None) -> NudgeReport:
        now = now or self.services.clock()
        run_id = uuid.uuid4().hex
        report = NudgeReport()
        queue = TenantQueue()
        seen: set[str] = set()
        errors: list[Exception] = []
        # Set when idle workers should look again (more queued, or the run ends); replaced
        # once set. `room` wakes the run when the queue is down to REFILL_AT.
        more, room = asyncio.Event(), asyncio.Event()
        last_batch = stopping = False

        def wake_idle() -> None:
            nonlocal more
            more.set()
            more = asyncio.Event()

        def stop() -> None:
            nonlocal stopping
            stopping = True
            wake_idle()
            room.set()

        async def worker() -> None:
            while not stopping:
                engagement = queue.take()
                if engagement is None:
                    if last_batch and not queue.waiting:
                        return
                    await more.wait()
                    continue
                try:
                    await self._handle(engagement, now, run_id, report)
                except Exception as error:
                    errors.append(error)
                    stop()
                finally:
                    queue.done(engagement)
                if len(queue) <= REFILL_AT:
                    room.set()
                if last_batch and not queue.waiting:
                    wake_idle()  # those idle for a tenant's room: nothing is left to wait for

        workers = [asyncio.ensure_future(worker()) for _ in range(CONCURRENCY)]
        for task in workers:
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        try:
            while not stopping:
                # Those in hand are still due until recorded: ask for as many more.
                found = await self.services.due_for_nudge(now, BATCH + len(queue), known=seen)
                for engagement in found.fresh:
                    seen.add(engagement.id)
                    queue.put(engagement)
                if not found.more or not found.fresh:
                    last_batch = True  # every due engagement is in hand, or was already
                wake_idle()
                if last_batch:
                    break
                room.clear()
                if len(queue) > REFILL_AT:
                    await room.wait()
            await asyncio.wait(workers)
            if errors:
                raise errors[0]
            return report
        finally:
            stop()

    async def _handle(
        self, engagement: Engagement, now: datetime, run_id: str, report: NudgeReport
    ) -> None:
        raise NotImplementedError


class Run(Protocol):
    async def run(self, now: datetime | None = None) -> NudgeReport: ...


async def run_periodically(nudger: Run, interval_s: float) -> None:
    """The in-process scheduler: one run per interval until cancelled at shutdown (the
    digest's, and the weekly report's)."""
    while True:
        try:
            report = await nudger.run()
            if report.sent or report.failed or report.unreachable:
                log.info("nudge run: %s", {k: len(v) for k, v in report.as_dict().items()})
        except Exception as error:  # a failed run (store down) must not end the scheduler
            log.warning("nudge run failed: %s", type(error).__name__)
        await asyncio.sleep(interval_s)
