"""Fixtures for a real Cosmos DB protocol endpoint (testkit/cosmos.py), and stores on either
backend.

Fixtures:
- `cosmos_server` (session): the local Cosmos DB protocol server on a free loopback port. Has
  `endpoint`, `key`, `port`, `stop()` and `start()` (restarts on the same port; data lives in
  memory only, so a restart empties it). Needs `node` on PATH and `npm ci` run in the project
  root.
- `cosmos_store_factory` (function): `await cosmos_store_factory(**client_options)` returns an
  opened `CosmosStore` on a database unique to the test; `database=` reuses one (a second store
  object over the same data). Stores are closed and databases deleted afterwards.
- `document_store` (function): an opened store, once per backend: test ids `[embedded]`
  (`EmbeddedStore(tmp_path)`) and `[cosmos]`, for the contract suite and any test that should
  run on both. The parameters sit on `document_store_backend` (see there); the cosmos one is
  marked `cosmos`, so `-m "not cosmos"` runs without node.
- `store_factory` (function): new store objects over the same data, on that backend, for a
  bot harness whose restart must be a real restart.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from storage.base import DocumentStore
from storage.cosmos import CosmosStore
from storage.embedded import EmbeddedStore
from testkit import CONTAINER, CosmosServer, CosmosServerError, CosmosStoreFactory, free_port


@pytest.fixture(scope="session")
def cosmos_server() -> Iterator[CosmosServer]:
    with tempfile.TemporaryDirectory(prefix="cosmos-server-") as log_dir:
        server = CosmosServer(port=free_port(), log_dir=Path(log_dir))
        try:
            server.start()
        except CosmosServerError as error:
            pytest.fail(str(error))
        try:
            yield server
        finally:
            server.stop()


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


@pytest.fixture
def store_factory(
    document_store_backend: StoreBackend, tmp_path: Path
) -> Callable[[], DocumentStore]:
    """New store objects over the same data, so a harness restart is a real restart."""
    cosmos = document_store_backend.cosmos
    if cosmos is None:
        return lambda: EmbeddedStore(tmp_path / "data")
    server, database = cosmos.server, cosmos.new_database_name()
    return lambda: CosmosStore(server.endpoint, server.key, database, CONTAINER)
