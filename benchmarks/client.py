"""The benchmark's side of the wire: the server process, an HTTP client, and the activities."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks.common import PYTHON
from benchmarks.timing import KIND_HEADER
from domain.engagement import EngagementKey
from testkit import PROJECT_ROOT, stop_process
from testkit import activities as a

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
READY_TIMEOUT_S = 60.0


@dataclass
class Process:
    """A child process started by the benchmark and stopped by its pid (never by name)."""

    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stop(self) -> None:
        stop_process(self.popen)

    def tail(self, chars: int = 2000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def spawn(
    args: Sequence[str], log: Path, env: dict[str, str] | None = None, *, pipe_stdout: bool = False
) -> Process:
    """Starts `args` in the project root; stderr (and stdout unless piped) go to `log`."""
    out = log.open("wb")
    try:
        popen = subprocess.Popen(
            list(args),
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE if pipe_stdout else out,
            stderr=out,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
        )
    finally:
        out.close()
    return Process(popen, log)


async def ready_line(process: Process, what: str) -> bytes:
    """The first line `process` prints on its piped stdout, saying it is ready (its address).
    Raises RuntimeError, with the end of its log, if it exits or stays silent instead."""
    stdout = process.popen.stdout
    assert stdout is not None
    try:
        line = await asyncio.wait_for(asyncio.to_thread(stdout.readline), READY_TIMEOUT_S)
    except TimeoutError:
        raise RuntimeError(f"{what} did not start:\n{process.tail()}") from None
    if not line:
        raise RuntimeError(f"{what} exited:\n{process.tail()}")
    return line


@dataclass
class BotServer:
    """benchmarks/server.py in its own process: the real app, the echo app, the controls."""

    process: Process
    ports: dict[str, int]

    @classmethod
    async def start(cls, backend: str, log: Path, **options: str) -> BotServer:
        args = [PYTHON, "-m", "benchmarks.server", "--backend", backend]
        for name, value in options.items():
            args += [f"--{name.replace('_', '-')}", value]
        process = spawn(args, log, pipe_stdout=True)
        try:
            line = await ready_line(process, "benchmark server")
        except BaseException:
            process.stop()
            raise
        return cls(process, json.loads(line))

    def url(self, app: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[app]}{path}"

    @property
    def bot_url(self) -> str:
        return self.url("bot", "/api/messages")

    @property
    def echo_url(self) -> str:
        return self.url("echo", "/api/messages")

    async def control(
        self, session: aiohttp.ClientSession, path: str, body: dict[str, Any] | None = None
    ) -> Any:
        method = "GET" if path in ("/counters", "/times") else "POST"
        async with session.request(method, self.url("control", path), json=body) as response:
            response.raise_for_status()
            return await response.json()

    def stop(self) -> None:
        self.process.stop()


@dataclass
class Reply:
    status: int
    seconds: float
    payload: Any = None

    @property
    def is_card(self) -> bool:
        return (
            self.status == 200
            and isinstance(self.payload, dict)
            and self.payload.get("type") == CARD_TYPE
        )


@dataclass
class Http:
    session: aiohttp.ClientSession

    async def post(
        self, url: str, activity: dict[str, Any], *, parse: bool = False, kind: str | None = None
    ) -> Reply:
        """`kind` labels the request for the server's turn timing (benchmarks/timing.py)."""
        body = json.dumps(activity).encode()
        headers = {"Content-Type": "application/json"}
        if kind is not None:
            headers[KIND_HEADER] = kind
        started = time.perf_counter()
        try:
            async with self.session.post(url, data=body, headers=headers) as response:
                raw = await response.read()
                seconds = time.perf_counter() - started
                payload = None
                if parse and raw:
                    with contextlib.suppress(ValueError):
                        payload = json.loads(raw)
                return Reply(response.status, seconds, payload)
        except (aiohttp.ClientError, TimeoutError):
            return Reply(0, time.perf_counter() - started)  # status 0: no answer


def new_session(limit: int = 64) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=limit),
        timeout=aiohttp.ClientTimeout(total=60),
    )


# Activities, in the shapes Teams sends (testkit/activities.py). Personal chats: a click there
# changes only the clicker's card, so no shared-card PUT goes to the connector.


def bench_person(conversation: str) -> dict[str, str]:
    """The person a benchmark personal chat is with: one per chat. The bot keys a personal
    chat's engagement by the person, so chats that stand for different engagements must be
    with different people."""
    return {"id": f"29:{conversation}", "name": "Bench User", "aadObjectId": f"aad-{conversation}"}


def personal_key(conversation: str, tenant: str = a.TENANT) -> EngagementKey:
    """The engagement of the benchmark personal chat `conversation` (bot/scope.py's key)."""
    return EngagementKey(tenant, f"person:{bench_person(conversation)['aadObjectId']}")


def personal_message(service_url: str, text: str, conversation: str) -> dict[str, Any]:
    return a.message(
        service_url,
        text,
        conversation=conversation,
        conversation_type="personal",
        sender=bench_person(conversation),
    )


def personal_click(
    service_url: str,
    verb: str,
    task: str,
    conversation: str,
    tenant: str = a.TENANT,
    *,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A click in the benchmark personal chat `conversation`; `task` "" names none."""
    return a.click(
        service_url,
        verb,
        ({"task": task} if task else {}) | (data or {}),
        conversation=conversation,
        conversation_type="personal",
        tenant=tenant,
        sender=bench_person(conversation),
    )


def unsupported_invoke(service_url: str, conversation: str) -> dict[str, Any]:
    activity = personal_click(service_url, "task.done", "enable.configure-network", conversation)
    activity["name"] = "bench/unsupported"
    return activity
