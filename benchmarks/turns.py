"""Turns over HTTP: latency per kind of turn, cost per click, closed-loop throughput."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from benchmarks.client import (
    BotServer,
    Http,
    Reply,
    personal_click,
    personal_message,
    unsupported_invoke,
)
from benchmarks.common import Latencies, cpu_seconds, percentile
from benchmarks.echo import SMALL_VERB
from domain.catalog import default_catalog
from domain.engagement import EngagementKey
from storage.base import DocumentStore
from storage.repository import EngagementRepository
from testkit import activities as a

CATALOG = default_catalog()
# The general track is not a phase: toggling its tasks never completes a phase, so a click
# never posts a phase announcement and every click costs the same.
GENERAL = [t.id for t in CATALOG.tasks_of(CATALOG.general.id)]

ECHO_MESSAGE = "echo message"
ECHO_INVOKE = "echo invoke"
ECHO_SMALL = "echo invoke, small card"
UNSUPPORTED = "unsupported invoke"
STATUS = "status"
DONE = "Done click"
REOPEN = "Reopen click"
STORAGE_PAIR = "storage pair, in the rounds"
KINDS = (ECHO_MESSAGE, ECHO_INVOKE, ECHO_SMALL, UNSUPPORTED, STATUS, DONE, REOPEN, STORAGE_PAIR)
UNSUPPORTED_EVERY = 5
ROUND_ORDER_SEED = 20261130
CLICK = "click"  # a click slot of a round: its first is Done, its second Reopen

# Given the conversation the clicks work on (at its steady-state size after the warm-up),
# opens the storage floor on a copy of its engagement document and yields one read + write.
FloorInRounds = Callable[[str], AbstractAsyncContextManager[Callable[[], Awaitable[None]]]]


@contextlib.asynccontextmanager
async def _no_floor(conversation: str) -> AsyncIterator[None]:
    yield None


@dataclass
class LatencyRun:
    latencies: Latencies
    unexpected: Counter[str]
    conversation: str
    # Per kind, in the server (benchmarks/timing.py): n, handler_ms, store_ms, own_ms (p50s).
    inside: dict[str, dict[str, float]]


async def measure_latency(
    server: BotServer,
    http: Http,
    service_url: str,
    turns: int,
    warmup: int,
    tag: str,
    floor: FloorInRounds | None = None,
) -> LatencyRun:
    """`turns` of each kind, interleaved (one of each per round, the real bot's unsupported
    invoke only every fifth round) so that a noisy neighbour hits every kind alike. Each
    round plays its turns in a new random order (seeded): in a fixed order every kind would
    always follow the same turn, and a turn right after a heavier one pays for the caches
    that turn cooled (on this VM a click right after `status` took 0.3 ms longer than one
    right after another click). Each round's first click marks one of the general tasks of
    a personal chat done and its second reopens it, so every click is a real change and the
    engagement document stays at its steady-state size (20-entry audit tail, 64 remembered
    activity ids). With `floor`, every measured round also times one storage pair on a copy
    of that document, at its own random place in the round."""
    conversation = f"a:bench-latency-{tag}"
    echo_conversation = f"a:bench-echo-{tag}"
    latencies = Latencies()
    unexpected: Counter[str] = Counter()
    bot, echo = server.bot_url, server.echo_url
    order = random.Random(ROUND_ORDER_SEED)

    def round_of(i: int, with_pair: bool) -> list[tuple[str, str, dict[str, Any], int]]:
        task = GENERAL[i % len(GENERAL)]
        kinds = [ECHO_MESSAGE, ECHO_INVOKE, ECHO_SMALL, STATUS, CLICK, CLICK]
        if i % UNSUPPORTED_EVERY == 0:  # a cross-check of the echo floor, not a floor itself
            kinds.append(UNSUPPORTED)
        if with_pair:
            kinds.append(STORAGE_PAIR)
        order.shuffle(kinds)
        kinds[kinds.index(CLICK)] = DONE
        kinds[kinds.index(CLICK)] = REOPEN
        turn = {
            ECHO_MESSAGE: (echo, personal_message(service_url, "hello", echo_conversation), 201),
            ECHO_INVOKE: (
                echo,
                personal_click(service_url, "task.done", task, echo_conversation),
                200,
            ),
            ECHO_SMALL: (
                echo,
                personal_click(service_url, SMALL_VERB, task, echo_conversation),
                200,
            ),
            STATUS: (bot, personal_message(service_url, "status", conversation), 201),
            DONE: (bot, personal_click(service_url, "task.done", task, conversation), 200),
            REOPEN: (bot, personal_click(service_url, "task.reopen", task, conversation), 200),
            UNSUPPORTED: (bot, unsupported_invoke(service_url, conversation), 400),
            STORAGE_PAIR: ("", {}, 0),
        }
        return [(kind, *turn[kind]) for kind in kinds]

    async def play(rounds: range, pair: Callable[[], Awaitable[None]] | None) -> None:
        for i in rounds:
            for kind, url, activity, expected in round_of(i, pair is not None):
                if kind == STORAGE_PAIR and pair is not None:
                    started = time.perf_counter()
                    await pair()
                    latencies.add(STORAGE_PAIR, time.perf_counter() - started)
                    continue
                label = kind if i >= warmup else None
                reply = await http.post(url, activity, parse=expected == 200, kind=label)
                ok = reply.status == expected and (expected != 200 or reply.is_card)
                if not ok:
                    unexpected[kind] += 1
                elif i >= warmup:
                    latencies.add(kind, reply.seconds)

    await play(range(warmup), None)
    await server.control(http.session, "/times/reset")
    async with (floor or _no_floor)(conversation) as pair:
        await play(range(warmup, warmup + turns), pair)
    inside = await server.control(http.session, "/times")
    return LatencyRun(latencies, unexpected, conversation, inside)


@dataclass
class ClickCost:
    clicks: int
    store: dict[str, Any]
    wire: dict[str, Any]

    def per_click(self, value: float) -> float:
        return value / self.clicks if self.clicks else float("nan")


async def measure_click_cost(
    server: BotServer, http: Http, service_url: str, conversation: str, clicks: int
) -> ClickCost:
    """Store calls, documents and bytes per click over `clicks` sequential clicks (Done and
    Reopen alternating) on an engagement already at its steady-state size."""
    session = http.session
    await server.control(session, "/counters/reset", {"measure_bytes": True})
    done = 0
    for i in range(clicks // 2):
        task = GENERAL[i % len(GENERAL)]
        for verb in ("task.done", "task.reopen"):
            activity = personal_click(service_url, verb, task, conversation)
            reply = await http.post(server.bot_url, activity, parse=True)
            done += reply.is_card
    counters = await server.control(session, "/counters")
    await server.control(session, "/counters/reset", {"measure_bytes": False})
    return ClickCost(done, counters["store"], counters["wire"])


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

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

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
        activity = personal_click(service_url, "task.done", GENERAL[0], f"a:bench-echo-{index}")
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


async def click_load(
    server: BotServer,
    http: Http,
    service_url: str,
    *,
    clients: int,
    engagements: int,
    seconds: float,
    prefix: str,
) -> ClickLoad:
    """`clients` people clicking Done / Reopen as fast as they are answered. Client c works in
    personal chat `prefix-(c % engagements)` on its own share of the general tasks (so two or
    more clients share each engagement document and its etag), and remembers every change
    the bot confirmed (HTTP 200 with the updated card)."""
    conversations = [f"{prefix}-{e}" for e in range(engagements)]
    # The engagement exists before the clock starts (a Reopen of an open task changes nothing).
    await asyncio.gather(
        *(
            http.post(server.bot_url, personal_click(service_url, "task.reopen", GENERAL[0], c))
            for c in conversations
        )
    )
    per_engagement = max(1, clients // engagements)
    result = ClickLoad(Load(), {}, confirmed={c: set() for c in conversations})
    shares: list[list[str]] = []
    for index in range(clients):
        conversation = conversations[index % engagements]
        share = GENERAL[index // engagements :: per_engagement] or GENERAL[:1]
        shares.append(share)
        for task in share:
            result.final[conversation, task] = "open"
    turn = [0] * clients

    async def one(index: int) -> Reply | None:
        conversation = conversations[index % engagements]
        share = shares[index]
        task = share[turn[index] % len(share)]
        turn[index] += 1
        done = result.final[conversation, task] == "open"
        verb = "task.done" if done else "task.reopen"
        activity = personal_click(service_url, verb, task, conversation)
        reply = await http.post(server.bot_url, activity, parse=True)
        if not reply.is_card:
            result.uncertain.add((conversation, task))
            return None
        result.final[conversation, task] = "done" if done else "open"
        result.confirmed[conversation].add(activity["id"])
        return reply

    await server.control(http.session, "/counters/reset", {"measure_bytes": False})
    result.load = await with_server_cpu(server, closed_loop(clients, seconds, one))
    result.counters = await server.control(http.session, "/counters")
    return result


async def verify(result: ClickLoad, store: DocumentStore) -> None:
    """Reads every engagement back (a new store object on the same data) and counts the
    confirmed changes that are not there: a task whose stored status is not the last one the
    bot confirmed, or a confirmed click whose audit entry is missing."""
    repo = EngagementRepository(store)
    lost = difference = 0
    for conversation, confirmed in result.confirmed.items():
        engagement_id = EngagementKey(a.TENANT, conversation).id
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
