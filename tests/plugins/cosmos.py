"""A real Cosmos DB protocol endpoint for tests, and stores on either backend.

Fixtures:
- `cosmos_server` (session): the local Cosmos DB protocol server (`scripts/cosmos-server.js`
  over the pinned `@vercel/cosmosdb-server`) on a free loopback port. Has `endpoint`, `key`,
  `port`, `stop()` and `start()` (restarts on the same port; data lives in memory only, so a
  restart empties it). Needs `node` on PATH and `npm ci` run in the project root.
- `cosmos_store_factory` (function): `await cosmos_store_factory(**client_options)` returns an
  opened `CosmosStore` on a database unique to the test; `database=` reuses one (a second store
  object over the same data). Stores are closed and databases deleted afterwards.
- `document_store` (function): an opened store, once per backend: test ids `[embedded]`
  (`EmbeddedStore(tmp_path)`) and `[cosmos]`, for the contract suite and any test that should
  run on both. The parameters sit on `document_store_backend` (see there); the cosmos one is
  marked `cosmos`, so `-m "not cosmos"` runs without node.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from azure.cosmos import exceptions as cosmos_errors
from azure.cosmos.aio import CosmosClient

from storage.base import DocumentStore
from storage.cosmos import CosmosStore
from storage.embedded import EmbeddedStore

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = PROJECT_ROOT / "scripts" / "cosmos-server.js"
SERVER_PACKAGE = PROJECT_ROOT / "node_modules" / "@vercel" / "cosmosdb-server"
# The well-known Cosmos DB emulator key. The local server checks no credentials, but the SDK
# signs every request with the key, so it must be valid base64.
EMULATOR_KEY = (
    "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XyWoRg=="
)
CONTAINER = "engagements"
START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 5.0
CLEANUP_TIMEOUT_S = 10.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class CosmosServer:
    """The launcher as a child process, bound to one loopback port for the whole session."""

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
        node = shutil.which("node")
        if node is None:
            pytest.fail("node is not on PATH; the Cosmos DB tests need Node.js >= 20")
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
                pytest.fail(
                    f"the Cosmos DB test server exited with {self.process.returncode}:\n"
                    + log.read_text(errors="replace")[-2000:]
                )
            try:
                with urllib.request.urlopen(self.endpoint, context=context, timeout=1) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(
                    f"the Cosmos DB test server did not answer on {self.endpoint} within "
                    f"{START_TIMEOUT_S:g} s:\n" + log.read_text(errors="replace")[-2000:]
                )
            time.sleep(pause)  # polling interval, not a wait for readiness
            pause = min(pause * 2, 0.2)

    def stop(self) -> None:
        """Stops the server (by its process id); in-memory data is lost."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT_S)


@pytest.fixture(scope="session")
def cosmos_server() -> Iterator[CosmosServer]:
    if not (SERVER_PACKAGE / "package.json").is_file():
        pytest.fail(
            f"{SERVER_PACKAGE.relative_to(PROJECT_ROOT)} is missing: run `npm ci` in "
            f"{PROJECT_ROOT} to install the Cosmos DB test server (pinned in package.json)"
        )
    with tempfile.TemporaryDirectory(prefix="cosmos-server-") as log_dir:
        server = CosmosServer(port=_free_port(), log_dir=Path(log_dir))
        server.start()
        try:
            yield server
        finally:
            server.stop()


class CosmosStoreFactory:
    """Opens `CosmosStore`s on per-test databases and cleans them up afterwards."""

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
        # Best effort and bounded: the server is in-memory and dies with the session anyway.
        with contextlib.suppress(Exception):
            async with asyncio.timeout(CLEANUP_TIMEOUT_S):
                async with CosmosClient(self.server.endpoint, self.server.key) as client:
                    for name in self.databases:
                        with contextlib.suppress(cosmos_errors.CosmosResourceNotFoundError):
                            await client.delete_database(name)


@pytest.fixture
async def cosmos_store_factory(
    cosmos_server: CosmosServer, request: pytest.FixtureRequest
) -> AsyncIterator[CosmosStoreFactory]:
    factory = CosmosStoreFactory(cosmos_server, prefix=_database_prefix(request.node.name))
    try:
        yield factory
    finally:
        await factory.cleanup()


def _database_prefix(test_name: str) -> str:
    # Database ids may not contain '/', '\\', '?', '#'; keep them short and readable.
    cleaned = "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in test_name)
    return cleaned.strip("-")[:60] or "test"


@pytest.fixture(
    params=["embedded", pytest.param("cosmos", marks=pytest.mark.cosmos)],
    ids=["embedded", "cosmos"],
)
def document_store_backend(request: pytest.FixtureRequest) -> StoreBackend:
    """The backend `document_store` runs on. The parameters live here, in a plain fixture,
    because an async fixture cannot pull in another async fixture on demand; the cosmos
    fixtures (and the node server) are only set up for the cosmos parameter."""
    if request.param == "cosmos":
        factory: CosmosStoreFactory = request.getfixturevalue("cosmos_store_factory")
        return StoreBackend("cosmos", factory)
    return StoreBackend("embedded", None)


@dataclass(frozen=True)
class StoreBackend:
    name: str
    cosmos: CosmosStoreFactory | None


@pytest.fixture
async def document_store(
    document_store_backend: StoreBackend, tmp_path: Path
) -> AsyncIterator[DocumentStore]:
    """An opened store, once per backend: ids `[embedded]` and `[cosmos]`."""
    if document_store_backend.cosmos is not None:
        yield await document_store_backend.cosmos()  # the factory closes it
        return
    store = EmbeddedStore(tmp_path)
    await store.open()
    try:
        yield store
    finally:
        await store.close()
