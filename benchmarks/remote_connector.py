"""The timed fake Bot Connector (benchmarks/nudges.py) in a process of its own, as Teams'
service runs on machines of its own: the many-tenant nudge run measures the bot's process,
and a connector sharing it charged its HTTP serving and parsing of every card (about 0.35 ms
of CPU a send) to the run, which is bound by that process's CPU, but hardly to the sender's
ceiling, which is bound by the round trip.

`python -m benchmarks.remote_connector --delay-s S` serves it on a loopback port and prints
its URL; `RemoteConnector` starts it, drives it through control routes under /_bench and
stops it by process id (`RemoteConnector.running`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from benchmarks.client import Process, ready_line, spawn
from benchmarks.common import PYTHON
from benchmarks.nudges import TimedConnector

CONTROL = "/_bench"


def _control_routes(connector: TimedConnector) -> web.RouteTableDef:
    routes = web.RouteTableDef()

    @routes.post(f"{CONTROL}/limits")
    async def limits(request: web.Request) -> web.Response:
        connector.enforce_limits()
        return web.json_response({})

    @routes.post(f"{CONTROL}/tenants")
    async def tenants(request: web.Request) -> web.Response:
        connector.conversation_tenants.update(await request.json())
        return web.json_response({})

    @routes.post(f"{CONTROL}/clear")
    async def clear(request: web.Request) -> web.Response:
        connector.throttled = 0
        connector.arrived.clear()
        connector.accepted.clear()
        connector.calls.clear()
        return web.json_response({})

    @routes.get(f"{CONTROL}/summary")
    async def summary(request: web.Request) -> web.Response:
        sends = Counter(
            c.conversation_id
            for c in connector.calls
            if c.method == "POST" and "/activities" in c.path
        )
        return web.json_response(
            {"throttled": connector.throttled, "arrived": connector.arrived, "sends": sends}
        )

    return routes


async def _serve(delay_s: float) -> None:
    # Bodies are not kept: thousands of parsed cards nobody reads back.
    connector = TimedConnector(limits=True, delay_s=delay_s, keep_bodies=False)
    app = connector.app()
    app.add_routes(_control_routes(connector))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    connector.url = f"http://127.0.0.1:{port}/"
    print(connector.url, flush=True)
    # Nothing more on the pipe, which nobody reads after this line: a full pipe would block.
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    stopped = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)
    await stopped.wait()  # SIGTERM, sent by its pid
    await runner.cleanup()


@dataclass
class Summary:
    throttled: int
    # Conversation -> when each send arrived (time.monotonic, which every process shares).
    arrived: dict[str, list[float]]
    # Conversation -> message sends received.
    sends: dict[str, int]


class RemoteConnector:
    """The benchmark's handle on the connector's process."""

    def __init__(self, process: Process, url: str) -> None:
        self.process, self.url = process, url
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))

    @classmethod
    @asynccontextmanager
    async def running(cls, delay_s: float, log: Path) -> AsyncIterator[RemoteConnector]:
        """The connector's process, stopped by its pid however the block ends."""
        args = [PYTHON, "-m", "benchmarks.remote_connector", "--delay-s", str(delay_s)]
        process = spawn(args, log, pipe_stdout=True)
        stdout = process.popen.stdout
        assert stdout is not None
        try:
            line = await ready_line(process, "fake connector")
            connector = cls(process, line.decode().strip())
            try:
                yield connector
            finally:
                await connector._session.close()
        finally:
            await asyncio.to_thread(process.stop)
            stdout.close()

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        url = self.url.rstrip("/") + CONTROL + path
        async with self._session.request(method, url, json=body) as response:
            response.raise_for_status()
            return await response.json()

    async def enforce_limits(self) -> None:
        """Throttle like Teams from now on (windows start empty)."""
        await self._call("POST", "/limits")

    async def set_tenants(self, conversation_tenants: dict[str, str]) -> None:
        await self._call("POST", "/tenants", conversation_tenants)

    async def clear(self) -> None:
        """Forgets the sends so far."""
        await self._call("POST", "/clear")

    async def summary(self) -> Summary:
        found = await self._call("GET", "/summary")
        return Summary(found["throttled"], found["arrived"], found["sends"])


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--delay-s", type=float, required=True)
    asyncio.run(_serve(parser.parse_args(argv).delay_s))


if __name__ == "__main__":
    main(sys.argv[1:])
