"""A real Cosmos DB protocol endpoint on this machine: `scripts/cosmos-server.js` (the pinned
`@vercel/cosmosdb-server` with the project's fixes) as a child process on a loopback port.

`CosmosServer(port=free_port(), log_dir=...)`: `start()` launches it and waits until it
answers (again on the same port after a `stop()`; data lives in memory only, so a restart
empties it), `stop()` ends it by its process id. Needs `node` on PATH and `npm ci` run in the
project root; anything that keeps it from answering raises `CosmosServerError` with the
server's own output. `CosmosStoreFactory` opens stores on databases of their own there;
`FaultProxy` stands between a store and the server and answers in the server's place (429,
5xx, or not at all), which the server itself never does.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import aiohttp
from aiohttp import web
from azure.cosmos import exceptions as cosmos_errors
from azure.cosmos.aio import CosmosClient
from yarl import URL

from storage.cosmos import CosmosStore
from testkit.processes import PROJECT_ROOT, stop_process

LAUNCHER = PROJECT_ROOT / "scripts" / "cosmos-server.js"
SERVER_PACKAGE = PROJECT_ROOT / "node_modules" / "@vercel" / "cosmosdb-server"
# The well-known Cosmos DB emulator key. The local server checks no credentials, but the SDK
# signs every request with the key, so it must be valid base64.
EMULATOR_KEY = (
    "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XyWoRg=="
)
CONTAINER = "engagements"
START_TIMEOUT_S = 15.0
CLEANUP_TIMEOUT_S = 10.0
LOG_TAIL_CHARS = 2000


class CosmosServerError(RuntimeError):
    """The local Cosmos DB server cannot be started or did not answer."""


@dataclass
class CosmosServer:
    """The launcher as a child process, bound to one loopback port for its whole life."""

    port: int
    log_dir: Path
    host: str = "127.0.0.1"
    key: str = EMULATOR_KEY
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    starts: int = 0

    @property
    def endpoint(self) -> str:
        # HTTPS on 127.0.0.1: azure-cosmos skips certificate checks for this host only.
        return f"https://{self.host}:{self.port}/"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        """Starts the server on `port` (the same one every time) and waits until it answers.
        Does nothing when it is already running."""
        if self.running:
            return
        if not (SERVER_PACKAGE / "package.json").is_file():
            raise CosmosServerError(
                f"{SERVER_PACKAGE.relative_to(PROJECT_ROOT)} is missing: run `npm ci` in "
                f"{PROJECT_ROOT} to install the Cosmos DB test server (pinned in package.json)"
            )
        node = shutil.which("node")
        if node is None:
            raise CosmosServerError("node is not on PATH; the Cosmos DB server needs Node.js >= 20")
        self.starts += 1
        log = self.log_dir / f"cosmos-server-{self.starts}.log"
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [node, str(LAUNCHER), "--port", str(self.port), "--host", self.host],
                cwd=PROJECT_ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self._wait_until_ready(log)

    def _wait_until_ready(self, log: Path) -> None:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the bundled certificate is self-signed
        deadline = time.monotonic() + START_TIMEOUT_S
        pause = 0.01
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise CosmosServerError(
                    f"the Cosmos DB server exited with {self.process.returncode}:\n"
                    + log.read_text(errors="replace")[-LOG_TAIL_CHARS:]
                )
            try:
                with urllib.request.urlopen(self.endpoint, context=context, timeout=1) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise CosmosServerError(
                    f"the Cosmos DB server did not answer on {self.endpoint} within "
                    f"{START_TIMEOUT_S:g} s:\n" + log.read_text(errors="replace")[-LOG_TAIL_CHARS:]
                )
            time.sleep(pause)  # polling interval, not a wait for readiness
            pause = min(pause * 2, 0.2)

    def stop(self) -> None:
        """Stops the server (by its process id); in-memory data is lost."""
        process, self.process = self.process, None
        if process is not None:
            stop_process(process)


class CosmosStoreFactory:
    """Opens `CosmosStore`s on databases of their own and cleans them up afterwards."""

    def __init__(self, server: CosmosServer, prefix: str) -> None:
        self.server = server
        self._prefix = prefix
        self._stores: list[CosmosStore] = []
        self.databases: list[str] = []

    def new_database_name(self) -> str:
        name = f"{self._prefix}-{uuid.uuid4().hex[:12]}"
        self.databases.append(name)
        return name

    async def __call__(
        self,
        *,
        database: str | None = None,
        container: str = CONTAINER,
        endpoint: str | None = None,
        key: str | None = EMULATOR_KEY,
        open: bool = True,
        **client_options: Any,
    ) -> CosmosStore:
        """`endpoint` overrides the server's (a proxy, a closed port); `open=False` returns
        the store unopened (for tests of `open()` itself)."""
        # An earlier test may have stopped the server and failed before starting it again.
        self.server.start()
        store = CosmosStore(
            endpoint or self.server.endpoint,
            key,
            database or self.new_database_name(),
            container,
            **client_options,
        )
        self._stores.append(store)
        if open:
            await store.open()
        return store

    async def cleanup(self) -> None:
        for store in self._stores:
            await store.close()
        if not self.databases or not self.server.running:
            return
        # Best effort and bounded: the server is in-memory and dies with its process anyway.
        with contextlib.suppress(Exception):
            async with asyncio.timeout(CLEANUP_TIMEOUT_S):
                async with CosmosClient(self.server.endpoint, self.server.key) as client:
                    for name in self.databases:
                        with contextlib.suppress(cosmos_errors.CosmosResourceNotFoundError):
                            await client.delete_database(name)


class FaultProxy:
    """Plain-HTTP reverse proxy to the local server that can answer in its place: with a
    status (like Cosmos DB would) or not at all. Stores using it need
    `enable_endpoint_discovery=False`, or the SDK follows the account metadata to the server."""

    HOP_BY_HOP: ClassVar[set[str]] = {
        "host",
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
    }

    def __init__(self, target: str) -> None:
        """`target`: the server's endpoint; `endpoint` is the proxy's once `start()` ran."""
        self.target = target.rstrip("/")
        self.status: int | None = None
        self.hang = False
        self.documents_only = True
        # (method, path ending): the next such request is passed on, then its connection
        # dropped before the answer (a write applied whose client never heard so).
        self.lose_answer: tuple[str, str] | None = None
        self.faulted = 0
        self.endpoint = ""
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._release = asyncio.Event()

    def fail(self, status: int, *, documents_only: bool = True) -> None:
        """From now on answer `status` to document requests (to every request with
        `documents_only=False`) instead of passing them on."""
        self.status, self.documents_only = status, documents_only

    def heal(self) -> None:
        """Pass everything on again, including requests held by `hang`."""
        self.status, self.hang = None, False
        self._release.set()
        self._release = asyncio.Event()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.endpoint = f"http://127.0.0.1:{port}/"
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        self.heal()
        if self._session:
            await self._session.close()
        if self._runner:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        affected = not self.documents_only or "/docs" in request.path
        if affected and self.hang:
            await self._release.wait()
        if affected and self.status is not None:
            self.faulted += 1
            return self._fault(self.status)
        lose = self.lose_answer
        if lose and request.method == lose[0] and request.path.rstrip("/").endswith(lose[1]):
            self.lose_answer = None
            self.faulted += 1
            await self._pass_on(request)
            assert request.transport is not None
            request.transport.abort()
            raise asyncio.CancelledError  # aiohttp then writes nothing
        return await self._pass_on(request)

    async def _pass_on(self, request: web.Request) -> web.Response:
        assert self._session is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in self.HOP_BY_HOP}
        async with self._session.request(
            request.method,
            URL(self.target + request.raw_path, encoded=True),
            headers=headers,
            data=await request.read(),
            ssl=False,
        ) as upstream:
            body = await upstream.read()
            out = {k: v for k, v in upstream.headers.items() if k.lower() not in self.HOP_BY_HOP}
            out.pop("Content-Encoding", None)
            return web.Response(status=upstream.status, body=body, headers=out)

    @staticmethod
    def _fault(status: int) -> web.Response:
        code, message, headers = {
            401: ("Unauthorized", "The input authorization token can't serve the request.", {}),
            429: ("TooManyRequests", "Request rate is large.", {"x-ms-retry-after-ms": "5"}),
            503: ("ServiceUnavailable", "Service is currently unavailable.", {}),
        }.get(status, ("Error", "Injected failure.", {}))
        return web.json_response(
            {"code": code, "message": f"{message}\r\nActivityId: {uuid.uuid4()}"},
            status=status,
            headers={"x-ms-activity-id": str(uuid.uuid4()), **headers},
        )
