"""The own-tasks section: what a Done click and `status` cost on an engagement of 300 tasks
(the catalog's 37 and 263 of its own, pasted as a checklist with owners, due dates and
descriptions) against one of the catalog's 37 alone, in the same server process.

Per click, sequentially (Done and Reopen alternating on the Enable phase's tasks): the store
bytes written (a patch of what the click changed) and the server's handler time, p50
(benchmarks/timing.py); then `status` typed as often, its handler time p50.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.client import BotServer, Http, bench_person, personal_click
from benchmarks.reports import SETUP
from benchmarks.turns import CLICKED_TASKS
from domain.catalog import default_catalog
from domain.own_tasks import MAX_OWN_TASKS
from testkit import activities as a

# A personal chat's engagement is keyed by its person, so the two are in different tenants.
SMALL, LARGE = ("a:bench-own-37", a.TENANT), ("a:bench-own-300", "tenant-own-300")
KIND = "own-tasks click"
STATUS_KIND = "own-tasks status"
CATALOG_TASKS = len(default_catalog().tasks)
OWN = MAX_OWN_TASKS - CATALOG_TASKS


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


def checklist(count: int) -> str:
    """`count` lines as a FastTrack remediation checklist reads: owner, date, description."""
    return "\n".join(
        f"Remediation item {n:03d}: enrol the device group and verify compliance | User One"
        f" | 2026-0{3 + n % 6}-{10 + n % 18} | Intune compliance policy for group {n:03d}, "
        "checked against the Assess findings"
        for n in range(count)
    )


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
        lines = checklist(OWN)
        preview = await click(LARGE, "own.check", {"phase": "remediate", "lines": lines})
        create = _create_data(preview)
        if create.get("count") != str(OWN):
            raise RuntimeError(f"the checklist's preview reads {create.get('count')} tasks")
        await click(LARGE, "own.create", {**create, "phase": "remediate", "lines": lines})
        small = await _clicks(server, http, service_url, SMALL, CATALOG_TASKS, clicks)
        large = await _clicks(server, http, service_url, LARGE, MAX_OWN_TASKS, clicks)
        errors += sum(clicks // 2 - figures.statuses for figures in (small, large))
    finally:
        server.stop()
    return OwnTasksRun(backend, small, large, errors)


def _create_data(preview: Any) -> dict[str, str]:
    """The preview card's Create button's data."""
    found: list[dict[str, str]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("verb") == "own.create":
                found.append(node["data"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(preview)
    if not found:
        raise RuntimeError("the checklist's preview offers no Create")
    return found[0]


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
    status = a.message(
        service_url,
        "status",
        conversation=conversation,
        conversation_type="personal",
        tenant=tenant,
        sender=bench_person(conversation),
    )
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
    await server.control(session, "/counters/reset", {"measure_bytes": False})
    answered = 0
    for _ in range(clicks // 2):
        reply = await http.post(server.bot_url, status, kind=STATUS_KIND)
        answered += reply.status == 201
    times = await server.control(session, "/times")
    return ClickFigures(
        tasks=tasks,
        clicks=done,
        bytes_written=counters["bytes_written"] / max(done, 1),
        handler_ms_p50=times[KIND]["handler_ms"],
        store_ms_p50=times[KIND]["store_ms"],
        statuses=answered,
        status_ms_p50=times[STATUS_KIND]["handler_ms"],
        status_store_ms_p50=times[STATUS_KIND]["store_ms"],
    )
