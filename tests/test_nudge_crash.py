"""A bot killed with SIGKILL in the middle of a nudge run (issue 16 item 3): after a restart
every engagement is nudged, and no more than the sends in flight at the kill come twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dialogs.due_run import TENANT_CONCURRENCY
from domain.engagement import Actor, Engagement, EngagementKey
from storage.embedded import EmbeddedStore
from storage.repository import EngagementRepository
from testkit import PROJECT_ROOT, FakeConnector, free_port, stop_process, wait_healthy
from testkit import activities as a

ENGAGEMENTS = 200
LEASE_S = 3


async def _seed(data_dir: Path, connector: FakeConnector) -> None:
    store = EmbeddedStore(data_dir)
    await store.open()
    repo = EngagementRepository(store)
    long_ago = datetime.now(UTC) - timedelta(days=8)  # a weekday 09:00 UTC slot has passed
    try:
        for i in range(ENGAGEMENTS):
            e = Engagement(
                EngagementKey(a.TENANT, f"conv-{i}"),
                "channel",
                long_ago,
                installed_by=Actor("29:pm", "PM"),
            )
            e.conversation_reference = a.conversation_reference(connector.url, f"conv-{i}")
            await repo.create_if_missing(e)
    finally:
        await store.close()


async def _wait_for(connector: FakeConnector, conversations: int, timeout_s: float) -> None:
    async with asyncio.timeout(timeout_s):
        while len({c.conversation_id for c in connector.sent("POST")}) < conversations:  # noqa: ASYNC110 - polls the fake's record
            await asyncio.sleep(0.02)


async def test_a_kill_9_mid_run_then_a_restart_nudges_everyone_with_bounded_duplicates(
    tmp_path: Path, connector: FakeConnector
) -> None:
    await _seed(tmp_path, connector)
    connector.delay_s = 0.1  # each post takes a while, so the kill finds sends in flight
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "BOT_DATA_DIR": str(tmp_path),
        "BOT_ANONYMOUS": "true",
        "NUDGE_INTERVAL_SECONDS": "0.2",
        "NUDGE_LEASE_SECONDS": str(LEASE_S),
    }

    def launch() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    process = launch()
    try:
        await wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
        await _wait_for(connector, 40, timeout_s=30)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    at_kill = len({c.conversation_id for c in connector.sent("POST")})
    assert at_kill < ENGAGEMENTS, "killed mid-run"

    restarted = launch()
    try:
        await wait_healthy(f"http://127.0.0.1:{port}/healthz", restarted)
        # The killed run's claims lapse after the lease; then the rest are posted.
        await _wait_for(connector, ENGAGEMENTS, timeout_s=30 + LEASE_S)
        await asyncio.sleep(1.0)  # more scheduler rounds: nothing is posted again
    finally:
        stop_process(restarted)
    per_conversation = Counter(c.conversation_id for c in connector.sent("POST"))
    assert len(per_conversation) == ENGAGEMENTS, "every engagement nudged"
    duplicates = sum(n - 1 for n in per_conversation.values())
    assert duplicates <= TENANT_CONCURRENCY, per_conversation.most_common(3)
