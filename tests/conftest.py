from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from storage.embedded import EmbeddedStore
from tests.harness import BotHarness

if TYPE_CHECKING:
    from tests.plugins.connector import FakeConnector

pytest_plugins = ["tests.plugins.connector", "tests.plugins.cosmos"]


@pytest.fixture
async def bot(tmp_path: Path, connector: FakeConnector) -> AsyncIterator[BotHarness]:
    harness = BotHarness(lambda: EmbeddedStore(tmp_path / "data"), connector.url)
    await harness.start()
    yield harness
    await harness.stop()
