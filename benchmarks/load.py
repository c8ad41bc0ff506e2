"""Turns over HTTP under load: closed-loop throughput of echo turns and clicks (two clients
racing on each engagement, or one each), the bot server's CPU meanwhile, the lost-update
check afterwards, and the profile taken under that load.

Loads that a target compares run in alternating rounds (`alternate`): on a shared machine the
load drifts over tens of seconds, so figures taken one after the other differ by more than
the bot and a floor do; the comparison is of the medians of their rounds."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks.client import BotServer, Http, Reply, personal_click, personal_key
from benchmarks.common import cpu_seconds, percentile
from benchmarks.turns import CLICKED_TASKS
from storage.base import DocumentStore
from storage.repository import EngagementRepository


@dataclass
class Load:
    """A closed-loop run: `clients` callers, each sending its next request as soon as the
    previous one is answered, for `duration` seconds."""

    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    # CPU the bot server process used meanwhile, when measured (see `server_cpu`).
    server_cpu_s: float | None = None
    # Each round's rate, when the load ran in rounds (`in_rounds`).
    rounds: list[float] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def median_per_second(self) -> float:
        """The median of its rounds' rates; its rate, when it ran in one go."""
        return statistics.median(self.rounds) if self.rounds else self.per_second

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies, 50) * 1000

    @property
    def server_cpu_ms_per_ok(self) -> float | None:
        if self.server_cpu_s is None or not self.ok:
            return None
        return self.server_cpu_s * 1000 / self.ok

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies, 99) * 1000


@dataclass
class Timed:
    seconds: float


async def closed_loop(
    clients: int, duration: float, one: Callable[[int], Awaitable[Timed | Reply | None]]
) -> Load:
    """`one(client)` sends one request and returns what it took when it succeeded, else None."""
    load = Load()
    deadline = time.perf_counter() + duration

    async def client(index: int) -> None:
        while time.perf_counter() < deadline:
            reply = await one(index)
            if reply is None:
                load.errors += 1
            else:
                load.ok += 1
                load.latencies.append(reply.seconds)

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    load.seconds = time.perf_counter() - started
    return load


def in_rounds(loads: Sequence[Load]) -> Load:
    """The rounds of one load as one: their sums, and each round's rate."""
    cpu = [load.server_cpu_s for load in loads]
    return Load(
        ok=sum(load.ok for load in loads),
        errors=sum(load.errors for load in loads),
        seconds=sum(load.seconds for load in loads),
        latencies=[seconds for load in loads for seconds in load.latencies],
        server_cpu_s=None if None in cpu else sum(c for c in cpu if c is not None),
        rounds=[load.per_second for load in loads],
    )


async def alternate(
    kinds: Mapping[str, Callable[[], Awaitable[Load]]], rounds: int
) -> dict[str, Load]:
    """Each kind's load once per round, for `rounds` rounds, each round starting one kind
    later than the one before (so no kind always runs first, or after the same one); each
    kind's rounds as one load (`in_rounds`)."""
    names = list(kinds)
    done: dict[str, list[Load]] = {name: [] for name in names}
    for index in range(rounds):
        start = index % len(names)
        for name in names[start:] + names[:start]:
            done[name].append(await kinds[name]())
    return {name: in_rounds(loads) for name, loads in done.items()}


async def with_server_cpu(server: BotServer, run: Awaitable[Load]) -> Load:
    """`run`, with the CPU the bot server process used meanwhile."""
    before = cpu_seconds(server.process.pid)
    load = await run
    load.server_cpu_s = cpu_seconds(server.process.pid) - before
    return load


async def echo_load(
    server: BotServer, http: Http, service_url: str, *, clients: int, seconds: float
) -> Load:
    async def one(index: int) -> Reply | None:
        activity = personal_click(
            service_url, "task.done", CLICKED_TASKS[0], f"a:bench-echo-{index}"
        )
        reply = await http.post(server.echo_url, activity, parse=True)
        return reply if reply.is_card else None

    return await with_server_cpu(server, closed_loop(clients, seconds, one))


@dataclass
class ClickLoad:
    load: Load
    counters: dict[str, Any]
    # Filled by verify(): confirmed changes missing from the store, and the difference
    # between the audit entries stored and the changes confirmed.
    lost: int | None = None
    audit_difference: int | None = None
    confirmed: dict[str, set[str]] = field(default_factory=dict)
    final: dict[tuple[str, str], str] = field(default_factory=dict)
    uncertain: set[tuple[str, str]] = field(default_factory=set)


class Clicking:
    """`clients` people clicking Done / Reopen as fast as they are answered, in one or more
    rounds. Client c works in personal chat `prefix-(c % engagements)` on its own share of
    the Enable tasks (so two or more clients share each engagement document and its etag),
    and remembers every change the bot confirmed (HTTP 200 with the updated card), over all
    rounds. With `spread`, the clients take turns over `server` and those (the same store
    behind them), clients of one engagement on different ones."""

    def __init__(
        self,
        server: BotServer,
        http: Http,
        service_url: str,
        *,
        clients: int,
        engagements: int,
        prefix: str,
        spread: Sequence[BotServer] = (),
    ) -> None:
        self.server, self.http, self.service_url = server, http, service_url
        self.clients, self.engagements = clients, engagements
        self.conversations = [f"{prefix}-{e}" for e in range(engagements)]
        self.targets = [server.bot_url, *(other.bot_url for other in spread)]
        self.result = ClickLoad(Load(), {}, confirmed={c: set() for c in self.conversations})
        per_engagement = max(1, clients // engagements)
        self.shares: list[list[str]] = []
        for index in range(clients):
            conversation = self.conversations[index % engagements]
            share = CLICKED_TASKS[index // engagements :: per_engagement] or CLICKED_TASKS[:1]
            self.shares.append(share)
            for task in share:
                self.result.final[conversation, task] = "open"
        self.turn = [0] * clients
        self.loads: list[Load] = []

    async def start(self) -> None:
        """The engagements exist before the clock starts (a Reopen of an open task changes
        nothing); the server's store counters count from here."""
        await asyncio.gather(
            *(
                self.http.post(
                    self.server.bot_url,
                    personal_click(self.service_url, "task.reopen", CLICKED_TASKS[0], c),
                )
                for c in self.conversations
            )
        )
        await self.server.control(self.http.session, "/counters/reset", {"measure_bytes": False})

    async def round(self, seconds: float) -> Load:
        load = await with_server_cpu(self.server, closed_loop(self.clients, seconds, self._one))
        self.loads.append(load)
        return load

    async def finish(self) -> ClickLoad:
        """Every round's clicks as one load, and the server's store counters."""
        self.result.load = in_rounds(self.loads)
        self.result.counters = await self.server.control(self.http.session, "/counters")
        return self.result

    async def _one(self, index: int) -> Reply | None:
        result, engagements = self.result, self.engagements
        conversation = self.conversations[index % engagements]
        share = self.shares[index]
        task = share[self.turn[index] % len(share)]
        self.turn[index] += 1
        done = result.final[conversation, task] == "open"
        verb = "task.done" if done else "task.reopen"
        activity = personal_click(self.service_url, verb, task, conversation)
        target = self.targets[(index + index // engagements) % len(self.targets)]
        reply = await self.http.post(target, activity, parse=True)
        if not reply.is_card:
            result.uncertain.add((conversation, task))
            return None
        result.final[conversation, task] = "done" if done else "open"
        result.confirmed[conversation].add(activity["id"])
        return reply


async def click_load(
    server: BotServer,
    http: Http,
    service_url: str,
    *,
    clients: int,
    engagements: int,
    seconds: float,
    prefix: str,
    spread: Sequence[BotServer] = (),
) -> ClickLoad:
    """`Clicking` in one round of `seconds`."""
    clicking = Clicking(
        server,
        http,
        service_url,
        clients=clients,
        engagements=engagements,
        prefix=prefix,
        spread=spread,
    )
    await clicking.start()
    await clicking.round(seconds)
    return await clicking.finish()


async def verify(result: ClickLoad, store: DocumentStore) -> None:
    """Reads every engagement back (a new store object on the same data) and counts the
    confirmed changes that are not there: a task whose stored status is not the last one the
    bot confirmed, or a confirmed click whose audit entry is missing."""
    repo = EngagementRepository(store)
    lost = difference = 0
    for conversation, confirmed in result.confirmed.items():
        engagement_id = personal_key(conversation).id
        engagement = await repo.get(engagement_id)
        trail = await repo.audit_trail(engagement_id)
        stored_ops = {entry.op_id for entry in trail}
        lost += len(confirmed - stored_ops)
        difference += abs(len(trail) - len(confirmed))
        for (conv, task), status in result.final.items():
            if conv != conversation or (conv, task) in result.uncertain:
                continue
            stored = engagement.status_of(task).value if engagement else None
            lost += stored != status
    result.lost, result.audit_difference = lost, difference


async def profile_clicks(
    server: BotServer, http: Http, service_url: str, *, clients: int, seconds: float
) -> dict[str, Any]:
    """pyinstrument in the server process while `clients` click Done / Reopen, each in its
    own engagement (no etag races, so every sample is first-attempt work)."""
    await server.control(http.session, "/profile/start")
    try:
        await click_load(
            server,
            http,
            service_url,
            clients=clients,
            engagements=clients,
            seconds=seconds,
            prefix="a:bench-profile",
        )
    finally:
        summary: dict[str, Any] = await server.control(http.session, "/profile/stop")
    summary["clients"] = clients
    return summary


async def turn_load(
    http: Http,
    url: str,
    activity: Callable[[int], dict[str, Any]],
    answered: Callable[[Reply], bool],
    *,
    clients: int,
    seconds: float,
) -> Load:
    """Closed-loop load of one kind of turn: client `i` sends `activity(i)` to `url`; a
    reply counts when `answered` says so. For the peers and the bot's views alike."""

    async def one(index: int) -> Reply | None:
        reply = await http.post(url, activity(index), parse=True)
        return reply if answered(reply) else None

    return await closed_loop(clients, seconds, one)
