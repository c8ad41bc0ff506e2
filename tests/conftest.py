from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from storage.base import DocumentStore
from testkit import FakeConnector
from tests.harness import BotHarness

pytest_plugins = ["tests.plugins.connector", "tests.plugins.cosmos", "tests.plugins.openid"]


@pytest.fixture
async def bot(
    store_factory: Callable[[], DocumentStore], connector: FakeConnector
) -> AsyncIterator[BotHarness]:
    """The bot over real HTTP, once on the embedded store and once on Cosmos DB."""
    harness = BotHarness(store_factory, connector.url)
    await harness.start()
    yield harness
    await harness.stop()
