"""Fixtures for the fake Bot Connector (testkit/connector.py): one server for the session,
reset before every test that asks for `connector`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from testkit import FakeConnector


@pytest.fixture(scope="session")
async def connector_server() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def connector(connector_server: FakeConnector) -> FakeConnector:
    connector_server.reset()
    return connector_server
