"""Horizontal scale (issue 22 item 5): two bot server processes, no memory shared, on one
store (one SQLite file; one Cosmos DB database), against one. The same closed-loop load of
Done / Reopen clicks as the click throughput section: first one client per engagement on one
process, then the same spread over two, then two clients per engagement on different
processes (racing on its etag across processes), then one process again (the baseline is the
mean of the two single-process runs); every engagement is read back afterwards for lost
updates."""

from __future__ import annotations

import time
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.client import BotServer, Http
from benchmarks.common import cpu_seconds
from benchmarks.load import ClickLoad, click_load, verify
from storage.base import DocumentStore

WARM_UP_S = 1.0


@dataclass
class Measured:
    """A click load with the CPU seconds the bot servers, this process (the load generator)
    and the store's server (Cosmos DB's; none for the embedded store) used meanwhile."""

    clicks: ClickLoad
    servers_cpu_s: float
    generator_cpu_s: float
    store_cpu_s: float

    @property
    def server_ms_per_click(self) -> float:
        ok = self.clicks.load.ok
        return self.servers_cpu_s * 1000 / ok if ok else 0.0

    @property
    def generator_cores(self) -> float:
        seconds = self.clicks.load.seconds
        return self.generator_cpu_s / seconds if seconds else 0.0

    @property
    def store_cores(self) -> float:
        seconds = self.clicks.load.seconds
        return self.store_cpu_s / seconds if seconds else 0.0

    @property
    def cores_used(self) -> float:
        seconds = self.clicks.load.seconds
        spent = self.servers_cpu_s + self.generator_cpu_s + self.store_cpu_s
        return spent / seconds if seconds else 0.0


async def measured(
    servers: list[BotServer], work: Awaitable[ClickLoad], store_pid: int | None
) -> Measured:
    before = [cpu_seconds(s.process.pid) for s in servers]
    store = cpu_seconds(store_pid) if store_pid else 0.0
    generator = time.process_time()
    clicks = await work
    generator = time.process_time() - generator
    spent = sum(cpu_seconds(s.process.pid) - b for s, b in zip(servers, before, strict=True))
    store = cpu_seconds(store_pid) - store if store_pid else 0.0
    return Measured(clicks, spent, generator, store)


@dataclass
class HorizontalRun:
    one: Measured
    two: Measured
    racing: Measured
    # One process again at the end: the machine's load drifts, the baseline is the mean.
    one_again: Measured

    @property
    def runs(self) -> tuple[ClickLoad, ...]:
        return tuple(m.clicks for m in (self.one, self.two, self.racing, self.one_again))

    @property
    def one_per_second(self) -> float:
        return (self.one.clicks.load.per_second + self.one_again.clicks.load.per_second) / 2

    @property
    def speedup(self) -> float:
        one = self.one_per_second
        return self.two.clicks.load.per_second / one if one else 0.0

    @property
    def errors(self) -> int:
        return sum(r.load.errors for r in self.runs)

    @property
    def lost(self) -> int | None:
        checked = [r.lost for r in self.runs]
        return None if None in checked else sum(n for n in checked if n is not None)


async def measure_horizontal(
    http: Http,
    tmp: Path,
    service_url: str,
    store: DocumentStore,
    *,
    backend: str,
    clients: int,
    seconds: float,
    store_pid: int | None = None,
    **server_options: str,
) -> HorizontalRun:
    """`store` is a store object of this process over the servers' data, for the read-back;
    `store_pid` the store's server process, if it has one (its CPU is counted too)."""
    first = await BotServer.start(backend, tmp / f"horizontal-{backend}-1.log", **server_options)
    second: BotServer | None = None
    load = dict(clients=clients, seconds=seconds)

    async def warm_up(server: BotServer) -> None:
        """A new process's first turns import and build what later ones reuse."""
        await click_load(
            server,
            http,
            service_url,
            clients=clients,
            engagements=clients,
            seconds=WARM_UP_S,
            prefix=f"a:hw-{backend}-{server.process.pid}",
        )

    try:
        await warm_up(first)
        one = await measured(
            [first],
            click_load(
                first, http, service_url, engagements=clients, prefix=f"a:h1-{backend}", **load
            ),
            store_pid,
        )
        second = await BotServer.start(
            backend, tmp / f"horizontal-{backend}-2.log", **server_options
        )
        await warm_up(second)
        both = [first, second]
        two = await measured(
            both,
            click_load(
                first,
                http,
                service_url,
                engagements=clients,
                prefix=f"a:h2-{backend}",
                spread=[second],
                **load,
            ),
            store_pid,
        )
        racing = await measured(
            both,
            click_load(
                first,
                http,
                service_url,
                engagements=clients // 2,
                prefix=f"a:hr-{backend}",
                spread=[second],
                **load,
            ),
            store_pid,
        )
        one_again = await measured(
            [first],
            click_load(
                first, http, service_url, engagements=clients, prefix=f"a:h3-{backend}", **load
            ),
            store_pid,
        )
    finally:
        first.stop()
        if second is not None:
            second.stop()
    await store.open()
    try:
        run = HorizontalRun(one, two, racing, one_again)
        for clicks in run.runs:
            await verify(clicks, store)
    finally:
        await store.close()
    return run
