"""The files behind signed links: the export workbook and CSV, and the report's chart.

A link's grant is checked against the store (the engagement must exist and belong to the
link's tenant), then the file is rendered from fresh state in a worker thread: openpyxl and
matplotlib are CPU-bound and would stall every other turn on the event loop. At most
RENDER_THREADS renders run at once and at most RENDER_WAITING wait; past that the caller is
told the bot is busy, and a render that takes longer than RENDER_TIMEOUT_S is abandoned.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from dialogs.links import Grant, LinkRefused
from dialogs.services import Services
from domain.engagement import Engagement
from domain.export import (
    checklist_table,
    history_table,
    known_names,
    minutes_table,
    notes_table,
    own_tasks_table,
)
from domain.i18n import language_for, text
from domain.report import burn_up
from reports.chart import burn_up_png
from reports.workbook import csv_bytes, workbook_bytes

T = TypeVar("T")
RENDER_THREADS = 2
RENDER_WAITING = 16
RENDER_TIMEOUT_S = 10.0

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Busy(Exception):
    """Too many renders running and waiting: try again shortly."""


class BoundedWorker:
    """Runs blocking functions in a few threads, with a bounded wait and a deadline."""

    def __init__(self, threads: int = RENDER_THREADS, waiting: int = RENDER_WAITING) -> None:
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="render")
        self._slots = asyncio.Semaphore(threads)
        self._max_waiting = waiting
        self._waiting = 0

    async def run(self, work: Callable[[], T], timeout_s: float = RENDER_TIMEOUT_S) -> T:
        if self._waiting >= self._max_waiting:
            raise Busy()
        self._waiting += 1
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout_s)
        finally:
            self._waiting -= 1
        future = asyncio.get_running_loop().run_in_executor(self._executor, work)
        # The slot is free only when the thread is: an abandoned render still holds it.
        future.add_done_callback(lambda _: self._slots.release())
        return await asyncio.wait_for(asyncio.shield(future), timeout_s)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


@dataclass(frozen=True)
class File:
    content_type: str
    filename: str
    body: bytes


class Files:
    def __init__(self, services: Services, worker: BoundedWorker) -> None:
        self._services = services
        self._worker = worker

    async def serve(self, token: str) -> File:
        """The file `token` grants; LinkRefused for a bad link or an engagement gone or not
        the link's tenant's; Busy when too many renders are under way."""
        services = self._services
        now = services.clock()
        grant = services.links.verify(token, now)
        engagement = await services.find(grant.engagement_id)
        if engagement is None or engagement.key.tenant_id != grant.tenant_id:
            raise LinkRefused()
        return await self._render(grant, engagement, now)

    async def _render(self, grant: Grant, engagement: Engagement, now: datetime) -> File:
        services, catalog = self._services, self._services.catalog
        lang = engagement.language(language_for(engagement.locale))
        trail = await services.audit_trail(engagement.id)
        stamp = engagement.today(now).isoformat()
        if grant.kind == "chart":
            lines = burn_up(engagement, catalog, trail, now)
            names = [line.phase.name.in_(lang) for line in lines]
            axis, target = text(lang, "chart.axis"), text(lang, "chart.target")
            png = await self._worker.run(lambda: burn_up_png(lines, names, axis, target))
            return File("image/png", f"burn-up-{stamp}.png", png)
        if grant.kind == "csv":
            body = await self._worker.run(
                lambda: csv_bytes(checklist_table(engagement, catalog, lang))
            )
            return File("text/csv; charset=utf-8", f"checklist-{stamp}.csv", body)
        notes = await services.all_notes(engagement.id)
        meetings = await services.all_meetings(engagement.id)

        def workbook() -> bytes:
            # The tables are built in the thread too: thousands of rows of formatting.
            names = known_names(engagement, trail)
            return workbook_bytes(
                [
                    checklist_table(engagement, catalog, lang),
                    history_table(engagement, catalog, trail, lang, names),
                    notes_table(engagement, catalog, notes, lang),
                    own_tasks_table(engagement, catalog, lang),
                    minutes_table(engagement, catalog, meetings, lang, now),
                ]
            )

        body = await self._worker.run(workbook)
        return File(XLSX_TYPE, f"fasttrack-{stamp}.xlsx", body)
