from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from storage.base import DocumentStore
from storage.embedded import EmbeddedStore
from tests.harness import BotHarness

if TYPE_CHECKING:
    from tests.plugins.connector import FakeConnector
    from tests.plugins.cosmos import StoreBackend

pytest_plugins = ["tests.plugins.connector", "tests.plugins.cosmos"]


def store_factory(backend: StoreBackend, tmp_path: Path) -> Callable[[], DocumentStore]:
    """New store objects over the same data, so a harness restart is a real restart."""
    if backend.cosmos is None:
        return lambda: EmbeddedStore(tmp_path / "data")
    from storage.cosmos import CosmosStore

    server, database = backend.cosmos.server, backend.cosmos.new_database_name()
    return lambda: CosmosStore(server.endpoint, server.key, database, "engagements")


@pytest.fixture
async def bot(
    document_store_backend: StoreBackend, tmp_path: Path, connector: FakeConnector
) -> AsyncIterator[BotHarness]:
    """The bot over real HTTP, once on the embedded store and once on Cosmos DB."""
    harness = BotHarness(store_factory(document_store_backend, tmp_path), connector.url)
    await harness.start()
    yield harness
    await harness.stop()
