"""The own-tasks section: what a Done click and `status` cost on an engagement of 300 tasks
(the catalog's 37 and 263 of its own, pasted as a checklist with owners, due dates and
descriptions) against one of the catalog's 37 alone, in the same server process.

Clicks alternate Done and Reopen on the Enable phase's tasks. Per click, on each engagement
alone: the store bytes written (a patch of what the click changed). Then, the two engagements
taking turns so that both see the same load on a shared machine: the server's handler time
per click, p50 (benchmarks/timing.py), and per `status` typed half as often; and per
`status` right after a second instance on the same store changed a task of the engagement
(so the first reads the engagement document again, though not its own tasks' document), a
quarter as often.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.big_engagement import CATALOG_TASKS, SETUP, add_own_tasks
from benchmarks.client import BotServer, Http, bench_person, personal_click
from benchmarks.turns import CLICKED_TASKS
from domain.own_tasks import MAX_OWN_TASKS
from testkit import activities as a

# A personal chat's engagement is keyed by its person, so the two are in different tenants.
SMALL, LARGE = ("a:bench-own-37", a.TENANT), ("a:bench-own-300", "tenant-own-300")
KIND = "own-tasks click"
STATUS_KIND = "own-tasks status"
COLD_STATUS_KIND = "own-tasks status, changed elsewhere"


@dataclass(frozen=True)
class ClickFigures:
    tasks: int
    clicks: int
    bytes_written: float  # per click: what the store was handed (a patch, or a document)
    handler_ms_p50: float
    store_ms_p50: float
    statuses: int
    status_ms_p50: float
    status_store_ms_p50: float
    # `status` right after another instance changed the engagement (read again, its own
    # tasks' document not: they did not change)
    cold_statuses: int
    cold_status_ms_p50: float
    cold_status_store_ms_p50: float


@dataclass(frozen=True)
class OwnTasksRun:
    backend: str
    small: ClickFigures
    large: ClickFigures
    errors: int

    @property
    def bytes_ratio(self) -> float:
        return self.large.bytes_written / self.small.bytes_written

    @property
    def time_ratio(self) -> float:
        return self.large.handler_ms_p50 / self.small.handler_ms_p50

    @property
    def status_ratio(self) -> float:
        return self.large.status_ms_p50 / self.small.status_ms_p50

    @property
    def cold_status_ratio(self) -> float:
        return self.large.cold_status_ms_p50 / self.small.cold_status_ms_p50


async def measure_own_tasks(
    http: Http, tmp: Path, service_url: str, *, backend: str, clicks: int, **options: str
) -> OwnTasksRun:
    server = await BotServer.start(backend, tmp / f"server-own-{backend}.log", **options)
    # A second instance on the same store, whose changes the first one has not seen.
    other = await BotServer.start(backend, tmp / f"server-own-{backend}-2.log", **options)
    errors = 0

    async def click(where: tuple[str, str], verb: str, data: dict[str, str]) -> Any:
        nonlocal errors
        conversation, tenant = where
        activity = a.click(
            service_url,
            verb,
            data,
            conversation=conversation,
            conversation_type="personal",
            tenant=tenant,
            sender=bench_person(conversation),
        )
        reply = await http.post(server.bot_url, activity, parse=True)
        errors += not reply.is_card
        return reply.payload

    try:
        for where in (SMALL, LARGE):
            await click(where, "setup.save", SETUP)
        await add_own_tasks(lambda verb, data: click(LARGE, verb, data))
        small, large, failed = await _measure(server, other, http, service_url, clicks)
        errors += failed
    finally:
        server.stop()
        other.stop()
    return OwnTasksRun(backend, small, large, errors)


async def _measure(
    server: BotServer, other: BotServer, http: Http, service_url: str, clicks: int
) -> tuple[ClickFigures, ClickFigures, int]:
    """The figures of each engagement, and how many turns went wrong. Bytes per click on
    each engagement alone; then the time of clicks and of `status` with the two engagements
    taking turns, so both see the same load on a shared machine."""
    session = http.session
    engagements = {CATALOG_TASKS: SMALL, MAX_OWN_TASKS: LARGE}
    # A round of clicks first: each engagement in the server's cache and its audit tail
    # archived (the checklist's 263 entries), as in steady state.
    for conversation, tenant in engagements.values():
        for verb in ("task.done", "task.reopen"):
            activity = personal_click(service_url, verb, CLICKED_TASKS[0], conversation, tenant)
            await http.post(server.bot_url, activity)
    written: dict[int, float] = {}
    failed = 0
    for tasks, (conversation, tenant) in engagements.items():
        await server.control(session, "/counters/reset", {"measure_bytes": True})
        activities = _round_trip(service_url, conversation, tenant, clicks)
        for activity in activities:
            reply = await http.post(server.bot_url, activity, parse=True)
            failed += not reply.is_card
        counters = (await server.control(session, "/counters"))["store"]
        written[tasks] = counters["bytes_written"] / len(activities)
    await server.control(session, "/counters/reset", {"measure_bytes": False})
    await server.control(session, "/times/reset")
    rounds = {
        tasks: _round_trip(service_url, conversation, tenant, clicks)
        for tasks, (conversation, tenant) in engagements.items()
    }
    done: Counter[int] = Counter()
    for turns in zip(*rounds.values(), strict=True):
        for tasks, activity in zip(rounds, turns, strict=True):
            reply = await http.post(server.bot_url, activity, parse=True, kind=f"{KIND} {tasks}")
            done[tasks] += reply.is_card
    statuses = {
        tasks: a.message(
            service_url,
            "status",
            conversation=conversation,
            conversation_type="personal",
            tenant=tenant,
            sender=bench_person(conversation),
        )
        for tasks, (conversation, tenant) in engagements.items()
    }
    answered: Counter[int] = Counter()
    for _ in range(clicks // 2):
        for tasks, status in statuses.items():
            reply = await http.post(server.bot_url, status, kind=f"{STATUS_KIND} {tasks}")
            answered[tasks] += reply.status == 201
    cold: Counter[int] = Counter()
    for i in range(clicks // 4):
        for tasks, (conversation, tenant) in engagements.items():
            verb = ("task.done", "task.reopen")[i % 2]
            change = personal_click(service_url, verb, CLICKED_TASKS[-1], conversation, tenant)
            failed += not (await http.post(other.bot_url, change, parse=True)).is_card
            kind = f"{COLD_STATUS_KIND} {tasks}"
            cold[tasks] += (
                await http.post(server.bot_url, statuses[tasks], kind=kind)
            ).status == 201
    times = await server.control(session, "/times")
    small, large = (
        ClickFigures(
            tasks=tasks,
            clicks=done[tasks],
            bytes_written=written[tasks],
            handler_ms_p50=times[f"{KIND} {tasks}"]["handler_ms"],
            store_ms_p50=times[f"{KIND} {tasks}"]["store_ms"],
            statuses=answered[tasks],
            status_ms_p50=times[f"{STATUS_KIND} {tasks}"]["handler_ms"],
            status_store_ms_p50=times[f"{STATUS_KIND} {tasks}"]["store_ms"],
            cold_statuses=cold[tasks],
            cold_status_ms_p50=times[f"{COLD_STATUS_KIND} {tasks}"]["handler_ms"],
            cold_status_store_ms_p50=times[f"{COLD_STATUS_KIND} {tasks}"]["store_ms"],
        )
        for tasks in engagements
    )
    failed += sum(
        len(rounds[t]) - done[t] + clicks // 2 - answered[t] + clicks // 4 - cold[t]
        for t in engagements
    )
    return small, large, failed


def _round_trip(service_url: str, conversation: str, tenant: str, clicks: int) -> list[Any]:
    """`clicks` clicks, Done and Reopen alternating on the Enable phase's tasks."""
    return [
        personal_click(
            service_url, verb, CLICKED_TASKS[i % len(CLICKED_TASKS)], conversation, tenant
        )
        for i in range(clicks // 2)
        for verb in ("task.done", "task.reopen")
    ]
