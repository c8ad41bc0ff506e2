"""The own-tasks section: what a Done click costs on an engagement of 300 tasks (the
catalog's 37 and 263 of its own, pasted as a checklist with owners, due dates and
descriptions) against one of the catalog's 37 alone, in the same server process.

Per click, sequentially (Done and Reopen alternating on the Enable phase's tasks): the store
bytes written (the engagement document is rewritten whole, so they follow its size) and
the server's handler time, p50 (benchmarks/timing.py).
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class ClickFigures:
    tasks: int
    clicks: int
    bytes_written: float  # per click: the engagement document, rewritten whole
    handler_ms_p50: float
    store_ms_p50: float


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


async def measure_own_tasks(
    http: Http, tmp: Path, service_url: str, *, backend: str, clicks: int, **options: str
) -> OwnTasksRun:
    server = await BotServer.start(backend, tmp / f"server-own-{backend}.log", **options)
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
        small = await _clicks(server, http, service_url, SMALL, CATALOG_TASKS, clicks)
        large = await _clicks(server, http, service_url, LARGE, MAX_OWN_TASKS, clicks)
    finally:
        server.stop()
    return OwnTasksRun(backend, small, large, errors)


async def _clicks(
    server: BotServer,
    http: Http,
    service_url: str,
    where: tuple[str, str],
    tasks: int,
    clicks: int,
) -> ClickFigures:
    session = http.session
    conversation, tenant = where
    # A round of clicks first: the engagement in the server's cache and its audit tail
    # archived (the checklist's 263 entries), as in steady state.
    for verb in ("task.done", "task.reopen"):
        activity = personal_click(service_url, verb, CLICKED_TASKS[0], conversation, tenant)
        await http.post(server.bot_url, activity)
    await server.control(session, "/counters/reset", {"measure_bytes": True})
    await server.control(session, "/times/reset")
    done = 0
    for i in range(clicks // 2):
        task = CLICKED_TASKS[i % len(CLICKED_TASKS)]
        for verb in ("task.done", "task.reopen"):
            activity = personal_click(service_url, verb, task, conversation, tenant)
            reply = await http.post(server.bot_url, activity, parse=True, kind=KIND)
            done += reply.is_card
    counters = (await server.control(session, "/counters"))["store"]
    times = (await server.control(session, "/times"))[KIND]
    await server.control(session, "/counters/reset", {"measure_bytes": False})
    return ClickFigures(
        tasks=tasks,
        clicks=done,
        bytes_written=counters["bytes_written"] / max(done, 1),
        handler_ms_p50=times["handler_ms"],
        store_ms_p50=times["store_ms"],
    )
