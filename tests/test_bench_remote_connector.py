"""The many-tenant benchmark's fake connector in its own process (benchmarks/remote_connector.py):
it answers sends like the in-process fake, enforces Teams' limits when told, and reports what
arrived; and the busiest-tenant count the section publishes."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp
import pytest

from benchmarks.remote_connector import RemoteConnector
from benchmarks.tenants import busiest_tenant


async def _send(session: aiohttp.ClientSession, url: str, conversation: str) -> int:
    path = f"{url}v3/conversations/{conversation}/activities"
    async with session.post(path, json={"type": "message", "text": "hi"}) as response:
        return response.status


async def test_the_connector_process_counts_sends_and_throttles_a_tenant(tmp_path: Path) -> None:
    async with RemoteConnector.running(0.0, tmp_path / "connector.log") as connector:
        await connector.set_tenants({f"c{i}": "tenant-a" for i in range(60)} | {"d": "tenant-b"})
        await connector.enforce_limits()
        async with aiohttp.ClientSession() as session:
            started = time.monotonic()
            statuses = await asyncio.gather(
                *(_send(session, connector.url, f"c{i}") for i in range(60))
            )
            within_a_second = time.monotonic() - started < 0.9
            other = await _send(session, connector.url, "d")
        seen = await connector.summary()
        # Teams allows a tenant 50 sends a second: the rest are refused, another tenant is not.
        assert statuses.count(200) + statuses.count(429) == 60
        assert statuses.count(200) <= 50 and seen.throttled == statuses.count(429)
        if within_a_second:  # on a machine too slow for that, the window moved on meanwhile
            assert statuses.count(429) == 10
        assert other == 200
        assert seen.sends["c0"] == 1 and seen.sends["d"] == 1 and len(seen.sends) == 61
        assert len(seen.arrived["c59"]) == 1

        await connector.clear()
        cleared = await connector.summary()
        assert cleared.sends == {} and cleared.arrived == {} and cleared.throttled == 0
        process = connector.process
    assert process.popen.poll() is not None  # stopped by its pid
    assert process.popen.stdout is not None and process.popen.stdout.closed


async def test_the_connector_process_is_stopped_when_the_block_fails(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="measuring failed"):
        async with RemoteConnector.running(0.0, tmp_path / "connector.log") as connector:
            process = connector.process
            raise RuntimeError("measuring failed")
    assert process.popen.poll() is not None


def test_the_busiest_tenant_is_counted_over_a_sliding_second() -> None:
    arrived = {"c1": [0.0, 0.5, 0.9], "c2": [0.95, 1.2], "c3": [0.1, 0.2, 0.3, 0.4]}
    tenants = {"c1": "a", "c2": "a", "c3": "b"}
    # Tenant a: 0.0, 0.5, 0.9, 0.95 lie within one second; 1.2 drops 0.0 out of the window.
    assert busiest_tenant(arrived, tenants) == 4
    assert busiest_tenant({}, tenants) == 0


@pytest.mark.parametrize("times", [[0.0, 1.0], [0.0, 1.5]])
def test_sends_a_second_or_more_apart_are_not_in_one_window(times: list[float]) -> None:
    assert busiest_tenant({"c": times}, {"c": "a"}) == 1
