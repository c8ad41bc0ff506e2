"""`python app.py` as deployed: seconds to a healthy /healthz, and its memory under data."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from benchmarks.client import Http, Process, personal_click, spawn
from benchmarks.common import PYTHON, rss_mib
from benchmarks.seed import engagement, seed
from benchmarks.turns import CLICKED_TASKS
from storage.embedded import EmbeddedStore
from testkit import NotHealthy, free_port, wait_healthy
from testkit import activities as a

HEALTHY_TIMEOUT_S = 60.0
POLL_INTERVAL_S = 0.005


def app_env(port: int, data_dir: Path, cosmos: dict[str, str] | None = None) -> dict[str, str]:
    """Anonymous local mode, scheduler off; Cosmos DB when `cosmos` is given."""
    cosmos = cosmos or {}
    return {
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "BOT_DATA_DIR": str(data_dir),
        "NUDGES_ENABLED": "false",
        "MicrosoftAppId": "",
        "MicrosoftAppPassword": "",
        "BOT_ANONYMOUS": "true",
        "ALLOWED_TENANTS": "",
        "COSMOS_ENDPOINT": cosmos.get("endpoint", ""),
        "COSMOS_KEY": cosmos.get("key", ""),
        "COSMOS_DATABASE": cosmos.get("database", "fasttrack"),
    }


async def launch(
    session: aiohttp.ClientSession, env: dict[str, str], log: Path
) -> tuple[Process, float]:
    """Starts app.py and polls /healthz every 5 ms; returns the process and the seconds from
    launch to the first 200."""
    url = f"http://127.0.0.1:{env['PORT']}/healthz"
    started = time.perf_counter()
    process = spawn([PYTHON, "app.py"], log, env)
    try:
        await wait_healthy(
            url,
            process.popen,
            session=session,
            timeout_s=HEALTHY_TIMEOUT_S,
            interval_s=POLL_INTERVAL_S,
        )
    except NotHealthy as error:
        process.stop()
        raise RuntimeError(f"app.py did not become healthy ({error}):\n{process.tail()}") from None
    return process, time.perf_counter() - started


@dataclass
class StartupRun:
    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


async def measure_startup(
    session: aiohttp.ClientSession, tmp: Path, runs: int, cosmos: dict[str, str] | None = None
) -> StartupRun:
    """Each launch on a new data directory (or a new Cosmos DB database, which the app creates)."""
    seconds = []
    tag = "cosmos" if cosmos else "embedded"
    for run in range(runs):
        data_dir = tmp / f"startup-{tag}-{run}"
        target = {**cosmos, "database": f"{cosmos['database']}-{run}"} if cosmos else None
        env = app_env(free_port(), data_dir, target)
        process, elapsed = await launch(session, env, tmp / f"startup-{tag}-{run}.log")
        process.stop()
        seconds.append(elapsed)
    return StartupRun(seconds)


@dataclass
class MemoryRun:
    engagements: int
    touched: int
    errors: int
    seed_seconds: float
    rss_idle_mib: float
    rss_mib: float


async def measure_memory(
    http: Http, tmp: Path, service_url: str, *, engagements: int, touched: int
) -> MemoryRun:
    """Seeds `engagements` personal-chat engagements into a new SQLite file from this process,
    starts app.py on it (a fresh interpreter that never held them), clicks Done once in
    `touched` of them over HTTP, then reads the app's VmRSS."""
    data_dir = tmp / "memory"
    tenant = a.TENANT
    created = datetime.now(UTC)
    store = EmbeddedStore(data_dir)
    await store.open()
    started = time.perf_counter()
    try:
        await seed(
            store,
            (
                engagement(service_url, tenant, f"a:mem-{i}", "personal", created)
                for i in range(engagements)
            ),
        )
    finally:
        await store.close()
    seed_seconds = time.perf_counter() - started

    env = app_env(free_port(), data_dir)
    process, _ = await launch(http.session, env, tmp / "memory-app.log")
    try:
        rss_idle = rss_mib(process.pid)
        url = f"http://127.0.0.1:{env['PORT']}/api/messages"
        gate = asyncio.Semaphore(8)
        errors = 0

        async def touch(i: int) -> None:
            nonlocal errors
            task = CLICKED_TASKS[i % len(CLICKED_TASKS)]
            async with gate:
                activity = personal_click(service_url, "task.done", task, f"a:mem-{i}", tenant)
                reply = await http.post(url, activity, parse=True)
                errors += not reply.is_card

        await asyncio.gather(*(touch(i) for i in range(touched)))
        rss = rss_mib(process.pid)
    finally:
        process.stop()
    return MemoryRun(engagements, touched, errors, seed_seconds, rss_idle, rss)
