"""Turns over HTTP one at a time: latency per kind of turn, and the store's work per click.
Closed-loop throughput is in benchmarks/load.py."""

from __future__ import annotations

import contextlib
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from benchmarks.client import (
    BotServer,
    Http,
    bench_person,
    personal_click,
    personal_message,
    unsupported_invoke,
)
from benchmarks.common import Latencies
from benchmarks.echo import SMALL_VERB
from domain.catalog import default_catalog

CATALOG = default_catalog()
# The Enable phase's tasks but its first, which stays open: toggling them never completes a
# phase, so a click never posts a phase announcement and every click costs the same. (The
# general track's duties are acknowledged with an owner, not done, so they are not used.)
CLICKED_TASKS = [t.id for t in CATALOG.tasks_of("enable")[1:]]

ECHO_MESSAGE = "echo message"
ECHO_INVOKE = "echo invoke"
ECHO_SMALL = "echo invoke, small card"
UNSUPPORTED = "unsupported invoke"
STATUS = "status"
DONE = "Done click"
REOPEN = "Reopen click"
STORAGE_PAIR = "storage pair, in the rounds"
# Every other turn type (issue 22 item 1): message commands, card clicks, a proactive post.
NEXT, PHASE, MY_TASKS, HELP, REPORT = "next", "phase assess", "my tasks", "help", "report"
MESSAGES = (STATUS, NEXT, PHASE, MY_TASKS, HELP, REPORT)
DETAILS_SAVE = "Details Save click"
PAGE = "page click"
SETUP_SAVE = "setup Save click"
PROACTIVE = "Send to my chat click"
CLICKS = (DONE, REOPEN, DETAILS_SAVE, PAGE, SETUP_SAVE, PROACTIVE)
VIEWS = MESSAGES + CLICKS
UNSUPPORTED_EVERY = 5
# `Send to my chat` goes round these personal chats: in one, Teams' pacing (60 sends per 30 s
# per conversation, which the bot keeps) would soon make the click wait, and the figure would
# measure the pacing instead of the bot.
SEND_CHATS = 8
ROUND_ORDER_SEED = 20261130
CLICK = "click"  # a click slot of a round: its first is Done, its second Reopen


def peer_message(peer: str) -> str:
    return f"{peer} echo message"


def peer_invoke(peer: str) -> str:
    return f"{peer} echo invoke"


def setup_form(conversation: str, hour: int) -> dict[str, str]:
    """A valid setup form for the benchmark personal chat, its reminder hour `hour` (so that
    each save changes something); the person is the project manager."""
    return {
        "name": "Bench engagement",
        "services": "aad_premium,intune,rms",
        "kickoff": "2026-12-01",
        "target.initiate": "2026-12-15",
        "target.assess": "2027-01-15",
        "target.remediate": "2027-02-15",
        "target.enable": "2027-03-31",
        "projectManager": bench_person(conversation)["aadObjectId"],
        "timeZone": "Asia/Seoul",
        "language": "en",
        "nudgeDays": "0,2,4",
        "nudgeHour": str(hour),
    }


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
    # Per kind, in the server (benchmarks/timing.py): n, handler_ms, store_ms, own_ms,
    # serialise_ms (p50s).
    inside: dict[str, dict[str, float]]
    peers: tuple[str, ...] = ()


async def measure_latency(
    server: BotServer,
    http: Http,
    service_url: str,
    turns: int,
    warmup: int,
    tag: str,
    floor: FloorInRounds | None = None,
    peers: dict[str, str] | None = None,
) -> LatencyRun:
    """`turns` of each kind, interleaved (one of each per round, the real bot's unsupported
    invoke only every fifth round) so that a noisy neighbour hits every kind alike. Each
    round plays its turns in a new random order (seeded): in a fixed order every kind would
    always follow the same turn, and a turn right after a heavier one pays for the caches
    that turn cooled (on this VM a click right after `status` took 0.3 ms longer than one
    right after another click). Each round's first click marks one of the Enable tasks of
    a personal chat done and its second reopens it, so every click is a real change and the
    engagement document stays at its steady-state size (20-entry audit tail, 64 remembered
    activity ids); Details and setup saves alternate between values (a due date, the reminder
    hour), so each changes
    something too. The other views come every second round (the message commands in one, the
    other clicks in the next), setup saves and `Send to my chat` every fifth. With `floor`,
    every measured round also times one storage pair on a copy of that document, at its own
    random place in the round. `peers` (name -> URL) are the peers' echo bots
    (benchmarks/peer_bots.py): their message echo in the message rounds, their invoke echo in
    the click rounds."""
    conversation = f"a:bench-latency-{tag}"
    echo_conversation = f"a:bench-echo-{tag}"
    latencies = Latencies()
    unexpected: Counter[str] = Counter()
    bot, echo = server.bot_url, server.echo_url
    order = random.Random(ROUND_ORDER_SEED)
    peers = peers or {}

    def round_of(i: int, with_pair: bool) -> list[tuple[str, str, dict[str, Any], int]]:
        task = CLICKED_TASKS[i % len(CLICKED_TASKS)]
        kinds = [ECHO_MESSAGE, ECHO_INVOKE, ECHO_SMALL, STATUS, CLICK, CLICK]
        # The other views and the peers take turns (messages, then clicks and invokes), so a
        # round stays short; setup saves and proactive posts come every fifth round.
        if i % 2 == 0:
            kinds += [*MESSAGES[1:], *(peer_message(peer) for peer in peers)]
        else:
            kinds += [DETAILS_SAVE, PAGE, *(peer_invoke(peer) for peer in peers)]
        kinds += [SETUP_SAVE, PROACTIVE] if i % UNSUPPORTED_EVERY == 1 else []
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
            DONE: (bot, personal_click(service_url, "task.done", task, conversation), 200),
            REOPEN: (bot, personal_click(service_url, "task.reopen", task, conversation), 200),
            DETAILS_SAVE: (
                bot,
                personal_click(
                    service_url,
                    "task.save",
                    task,
                    conversation,
                    data={"view": "task", "owner": "", "due": f"2026-12-1{i // 2 % 2}"},
                ),
                200,
            ),
            PAGE: (
                bot,
                personal_click(
                    service_url, "phase.show", "", conversation, data={"phase": "assess"}
                ),
                200,
            ),
            SETUP_SAVE: (
                bot,
                personal_click(
                    service_url,
                    "setup.save",
                    "",
                    conversation,
                    data=setup_form(conversation, 10 + i % 4),
                ),
                200,
            ),
            PROACTIVE: (
                bot,
                personal_click(
                    service_url,
                    "mytasks.send",
                    "",
                    f"a:bench-send-{tag}-{i // UNSUPPORTED_EVERY % SEND_CHATS}",
                ),
                200,
            ),
            UNSUPPORTED: (bot, unsupported_invoke(service_url, conversation), 400),
            STORAGE_PAIR: ("", {}, 0),
        }
        for kind in MESSAGES:
            turn[kind] = (bot, personal_message(service_url, kind, conversation), 201)
        for peer, url in peers.items():
            turn[peer_message(peer)] = (
                url,
                personal_message(service_url, "hello", echo_conversation),
                0,
            )
            turn[peer_invoke(peer)] = (
                url,
                personal_click(service_url, "task.done", task, echo_conversation),
                200,
            )
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
                if expected == 0:  # a peer's message: 200 or 202, as its SDK answers
                    ok = reply.status in (200, 201, 202)
                else:
                    ok = reply.status == expected and (expected != 200 or reply.is_card)
                if not ok:
                    unexpected[kind] += 1
                elif i >= warmup:
                    latencies.add(kind, reply.seconds)

    # The engagement is set up first, so every view shows a set-up engagement.
    await http.post(
        bot,
        personal_click(
            service_url, "setup.save", "", conversation, data=setup_form(conversation, 9)
        ),
    )
    await play(range(warmup), None)
    await server.control(http.session, "/times/reset")
    async with (floor or _no_floor)(conversation) as pair:
        await play(range(warmup, warmup + turns), pair)
    inside = await server.control(http.session, "/times")
    return LatencyRun(latencies, unexpected, conversation, inside, tuple(peers))


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
        task = CLICKED_TASKS[i % len(CLICKED_TASKS)]
        for verb in ("task.done", "task.reopen"):
            activity = personal_click(service_url, verb, task, conversation)
            reply = await http.post(server.bot_url, activity, parse=True)
            done += reply.is_card
    counters = await server.control(session, "/counters")
    await server.control(session, "/counters/reset", {"measure_bytes": False})
    return ClickCost(done, counters["store"], counters["wire"])
