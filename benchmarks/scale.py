"""Scale (issue 22 item 4): `python app.py` on an embedded store holding 100,000 engagements:
seconds to a healthy /healthz and the process's memory after clicks in 1,000 of them; and the
documents' sizes as a worked engagement leaves them, which the Cosmos DB cost model
(benchmarks/cosmos_cost.py) turns into request units and a monthly bill."""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson

from benchmarks.appprocess import app_env, launch
from benchmarks.client import Http, personal_click
from benchmarks.common import rss_mib
from benchmarks.seed import engagement
from benchmarks.turns import CATALOG, CLICKED_TASKS
from domain.engagement import EngagementKey
from storage.embedded import EmbeddedStore
from testkit import activities as a
from testkit import free_port

# Rows per transaction while seeding.
SEED_CHUNK = 5_000
# Changes to the worked engagement (Done on every phase task, then Reopen): past 20 its audit
# tail is archived, so one archive chunk exists too.
WORKED_CLICKS = 21


@dataclass
class ScaleRun:
    engagements: int
    touched: int
    errors: int
    seed_seconds: float
    startup_s: float
    rss_idle_mib: float
    rss_mib: float
    file_mib: float
    # Bytes of JSON per document kind: a fresh engagement, one after WORKED_CLICKS clicks,
    # and an audit archive chunk.
    sizes: dict[str, int] = field(default_factory=dict)


def _rows(service_url: str, engagements: int) -> Iterator[tuple[str, str, str, str]]:
    created = datetime.now(UTC)
    for i in range(engagements):
        e = engagement(service_url, a.TENANT, f"a:scale-{i}", "personal", created)
        # The engagement document as the repository writes it (storage/repository.py).
        body = orjson.dumps({"type": "engagement", **e.to_dict()}, option=orjson.OPT_NON_STR_KEYS)
        yield e.id, "engagement", uuid.uuid4().hex, body.decode()


def bulk_seed(data_dir: Path, service_url: str, engagements: int) -> None:
    """The rows EmbeddedStore.create writes, SEED_CHUNK per transaction (100,000 creates one
    by one take minutes); the store's own schema first."""
    path = data_dir / "bot.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    try:
        rows = _rows(service_url, engagements)
        while chunk := [row for _, row in zip(range(SEED_CHUNK), rows, strict=False)]:
            db.execute("BEGIN")
            db.executemany("INSERT INTO documents (pk, id, etag, body) VALUES (?, ?, ?, ?)", chunk)
            db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()


def document_sizes(data_dir: Path, worked: str, fresh: str) -> dict[str, int]:
    db = sqlite3.connect(data_dir / "bot.sqlite3")
    try:
        sizes = {}
        for label, pk in (("fresh", fresh), ("worked", worked)):
            for doc_id, size in db.execute(
                "SELECT id, length(CAST(body AS BLOB)) FROM documents WHERE pk = ?", (pk,)
            ):
                kind = "audit" if doc_id.startswith("audit-") else doc_id
                if kind == "engagement":
                    kind = f"engagement, {label}"
                sizes[kind] = max(size, sizes.get(kind, 0))
        return sizes
    finally:
        db.close()


def seeded_id(conversation: str) -> str:
    """The seeded chat's engagement, stored under its conversation (the bot keeps using it)."""
    return EngagementKey(a.TENANT, conversation).id


async def measure_scale(
    http: Http, tmp: Path, service_url: str, *, engagements: int, touched: int
) -> ScaleRun:
    """Seeds `engagements` personal-chat engagements, starts app.py on them (a fresh
    interpreter that never held them), clicks Done once in `touched` of them and
    WORKED_CLICKS times in one, then reads the app's VmRSS and the documents' sizes."""
    data_dir = tmp / "scale"
    store = EmbeddedStore(data_dir)  # creates the file with the store's schema
    await store.open()
    await store.close()
    started = time.perf_counter()
    await asyncio.to_thread(bulk_seed, data_dir, service_url, engagements)
    seed_seconds = time.perf_counter() - started

    env = app_env(free_port(), data_dir)
    process, startup_s = await launch(http.session, env, tmp / "scale-app.log")
    try:
        rss_idle = rss_mib(process.pid)
        url = f"http://127.0.0.1:{env['PORT']}/api/messages"
        gate = asyncio.Semaphore(8)
        errors = 0

        async def click(conversation: str, task: str, verb: str = "task.done") -> None:
            nonlocal errors
            async with gate:
                activity = personal_click(service_url, verb, task, conversation)
                reply = await http.post(url, activity, parse=True)
                errors += not reply.is_card

        step = max(1, engagements // touched)
        await asyncio.gather(
            *(
                click(f"a:scale-{i * step}", CLICKED_TASKS[i % len(CLICKED_TASKS)])
                for i in range(touched)
            )
        )
        worked = f"a:scale-{step // 2}" if step > 1 else "a:scale-0"
        phase_tasks = [t.id for p in CATALOG.phases for t in CATALOG.tasks_of(p.id)]
        for task in phase_tasks:
            await click(worked, task)
        for task in phase_tasks[: WORKED_CLICKS - len(phase_tasks)]:
            await click(worked, task, "task.reopen")
        rss = rss_mib(process.pid)
    finally:
        process.stop()
    fresh = f"a:scale-{engagements - 1}"
    return ScaleRun(
        engagements=engagements,
        touched=touched,
        errors=errors,
        seed_seconds=seed_seconds,
        startup_s=startup_s,
        rss_idle_mib=rss_idle,
        rss_mib=rss,
        file_mib=sum(p.stat().st_size for p in data_dir.glob("bot.sqlite3*")) / 2**20,
        sizes=document_sizes(data_dir, seeded_id(worked), seeded_id(fresh)),
    )
