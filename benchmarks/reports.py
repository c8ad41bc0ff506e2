"""The reports section: the status report (with its chart) and the export of a big
engagement, and the server's memory across 100 reports.

The engagement is built over HTTP by the real app: a personal chat set up by its manager,
263 tasks of its own pasted into Remediate (300 tasks in all, as the own-tasks section
builds them), then Done / Reopen clicks on the catalog's step tasks until the history holds
`history` entries (the setup and the 263 created tasks are entries too).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.appprocess import app_env, launch
from benchmarks.big_engagement import SETUP, add_own_tasks
from benchmarks.client import Http, bench_person, personal_click, personal_key
from benchmarks.common import percentile, rss_mib
from benchmarks.turns import CLICKED_TASKS
from domain.own_tasks import MAX_OWN_TASKS
from storage.embedded import EmbeddedStore
from storage.repository import EngagementRepository
from testkit import activities as a
from testkit import free_port

CONVERSATION = "a:bench-reports"


@dataclass
class ReportsRun:
    tasks: int
    history: int
    report_ms: list[float] = field(default_factory=list)
    chart_ms: list[float] = field(default_factory=list)
    export_ms: float = 0.0
    export_bytes: int = 0
    rss_before_mib: float = 0.0
    rss_after_mib: float = 0.0
    reports_for_rss: int = 0
    errors: int = 0

    @property
    def report_ms_p50(self) -> float:
        return percentile(self.report_ms, 50) * 1000

    @property
    def chart_ms_p50(self) -> float:
        return percentile(self.chart_ms, 50) * 1000

    @property
    def rss_growth_mib(self) -> float:
        return self.rss_after_mib - self.rss_before_mib


def _urls(card: Any, suffix: str = "") -> list[str]:
    """Every http(s) URL in a card (images, download links) ending with `suffix`."""
    text = json.dumps(card)
    found = []
    for part in text.split('"')[1::2]:
        if part.startswith("http") and "/files/" in part and part.split("?")[0].endswith(suffix):
            found.append(part)
    return found


async def measure_reports(
    http: Http, tmp: Path, service_url: str, *, history: int, samples: int, rss_reports: int
) -> ReportsRun:
    data_dir = tmp / "reports"
    env = app_env(free_port(), data_dir)
    process, _ = await launch(http.session, env, tmp / "reports-app.log")
    url = f"http://127.0.0.1:{env['PORT']}/api/messages"

    async def click(verb: str, data: dict[str, str]) -> Any:
        activity = a.click(
            service_url,
            verb,
            data,
            conversation=CONVERSATION,
            conversation_type="personal",
            sender=bench_person(CONVERSATION),
        )
        reply = await http.post(url, activity, parse=True)
        if not reply.is_card:
            run.errors += 1
        return reply

    async def card(verb: str, data: dict[str, str]) -> Any:
        return (await click(verb, data)).payload

    run = ReportsRun(tasks=MAX_OWN_TASKS, history=0)
    try:
        await click("setup.save", SETUP)
        await add_own_tasks(card)
        for i in range(history - await _history_size(data_dir)):
            task = CLICKED_TASKS[(i // 2) % len(CLICKED_TASKS)]
            await http.post(
                url,
                personal_click(
                    service_url, "task.reopen" if i % 2 else "task.done", task, CONVERSATION
                ),
            )
        run.history = await _history_size(data_dir)

        async def get(link: str) -> tuple[float, int]:
            started = time.perf_counter()
            async with http.session.get(link) as response:
                body = await response.read()
                if response.status != 200:
                    run.errors += 1
            return time.perf_counter() - started, len(body)

        async def report(timed: bool) -> None:
            reply = await click("report.show", {})
            for image in _urls(reply.payload):
                seconds, _ = await get(image)
                if timed:
                    run.chart_ms.append(seconds)
            if timed:
                run.report_ms.append(reply.seconds)

        for _ in range(samples):
            await report(timed=True)
        [workbook] = _urls(await card("export.show", {}), ".xlsx") or [""]
        started = time.perf_counter()
        _, run.export_bytes = await get(workbook)
        run.export_ms = (time.perf_counter() - started) * 1000
        run.rss_before_mib = rss_mib(process.pid)
        for _ in range(rss_reports):
            await report(timed=False)
        run.reports_for_rss = rss_reports
        run.rss_after_mib = rss_mib(process.pid)
    finally:
        process.stop()
    return run


async def _history_size(data_dir: Path) -> int:
    store = EmbeddedStore(data_dir)
    await store.open()
    try:
        engagement_id = personal_key(CONVERSATION).id
        return len(await EngagementRepository(store).audit_trail(engagement_id))
    finally:
        await store.close()
