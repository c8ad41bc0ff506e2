"""Child processes of tests and benchmarks (`python app.py`, the Cosmos DB server): a free
loopback port to give one, waiting until it answers `/healthz`, stopping it by its pid."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import aiohttp

PROJECT_ROOT = Path(__file__).resolve().parents[1]
HEALTHY_TIMEOUT_S = 30.0
POLL_TIMEOUT_S = 2.0
STOP_TIMEOUT_S = 10.0


class NotHealthy(RuntimeError):
    """A process exited, or did not answer 200 on its health URL in time."""


def free_port() -> int:
    """A loopback TCP port nobody listens on (the OS picked it; free until someone binds it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def wait_healthy(
    url: str,
    process: subprocess.Popen[Any],
    *,
    session: aiohttp.ClientSession | None = None,
    timeout_s: float = HEALTHY_TIMEOUT_S,
    interval_s: float = 0.05,
) -> None:
    """Polls `url` every `interval_s` until it answers 200; raises `NotHealthy` when `process`
    exits first or `timeout_s` passes. Uses `session` when given (its connections stay warm)."""
    if session is None:
        async with aiohttp.ClientSession() as own:
            return await wait_healthy(
                url, process, session=own, timeout_s=timeout_s, interval_s=interval_s
            )
    deadline = time.monotonic() + timeout_s
    poll = aiohttp.ClientTimeout(total=POLL_TIMEOUT_S)
    while True:
        if process.poll() is not None:
            raise NotHealthy(f"the process exited with {process.returncode} before {url} was 200")
        try:
            async with session.get(url, timeout=poll) as response:
                if response.status == 200:
                    return None
        except (aiohttp.ClientError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise NotHealthy(f"{url} did not answer 200 within {timeout_s:g} s")
        await asyncio.sleep(interval_s)


def stop_process(process: subprocess.Popen[Any], timeout_s: float = STOP_TIMEOUT_S) -> None:
    """SIGTERM by pid, SIGKILL if it is still there after `timeout_s`; waits for the exit."""
    if process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout_s)
