"""The benchmark's in-server turn timing: the figures that split a click's handler time into
store calls and the bot's own work (benchmarks/timing.py)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from benchmarks.timing import KIND_HEADER, ServerTimes, _timed, serialisation_time
from storage.base import Document
from storage.embedded import EmbeddedStore
from testkit import CountingStore

STORE_PAUSE_S = 0.03
OTHER_PAUSE_S = 0.3  # another task's store call, meanwhile: ten times longer
OWN_WORK_S = 0.02


class PausingStore(EmbeddedStore):
    """A real store whose reads of document "d" also wait, so a turn's store share is known."""

    async def read(self, pk: str, doc_id: str) -> Document | None:
        await asyncio.sleep(STORE_PAUSE_S if doc_id == "d" else OTHER_PAUSE_S)
        return await super().read(pk, doc_id)


async def test_a_labelled_turn_is_split_into_store_calls_and_own_work(tmp_path: Path) -> None:
    times = ServerTimes()
    store = CountingStore(PausingStore(tmp_path))
    await store.open()

    async def handler(request: web.Request) -> web.Response:
        await store.read("p", "d")
        busy_until = time.perf_counter() + OWN_WORK_S  # the bot's own work: CPU on the loop
        while time.perf_counter() < busy_until:
            pass
        return web.Response()

    async def meanwhile() -> None:  # another task's store call is not the turn's
        await store.read("p", "other")

    app = web.Application(middlewares=[times.middleware])
    app.router.add_get("/", handler)
    try:
        async with TestClient(TestServer(app)) as client:
            labelled = client.get("/", headers={KIND_HEADER: "click"})
            responses = await asyncio.gather(labelled, meanwhile(), client.get("/"))
            assert responses[0].status == 200 and responses[2].status == 200
    finally:
        await store.close()

    snapshot = times.snapshot()
    assert list(snapshot) == ["click"]  # the unlabelled request was not timed
    click = snapshot["click"]
    assert click["n"] == 1
    assert STORE_PAUSE_S * 1000 <= click["store_ms"] < OTHER_PAUSE_S * 1000
    assert click["own_ms"] >= OWN_WORK_S * 1000
    assert abs(click["handler_ms"] - click["store_ms"] - click["own_ms"]) < 1e-6


async def test_reset_forgets_the_turns() -> None:
    times = ServerTimes()
    app = web.Application(middlewares=[times.middleware])
    app.router.add_get("/", _ok)
    async with TestClient(TestServer(app)) as client:
        await client.get("/", headers={KIND_HEADER: "echo"})
        assert times.snapshot()["echo"]["n"] == 1
        times.reset()
        assert times.snapshot() == {}


async def _ok(request: web.Request) -> web.Response:
    return web.Response()


def test_serialisation_is_timed_within_a_turn_only() -> None:
    """The server wraps the bot's reply serialisers with `_timed`; a wrapped call counts for
    the turn being timed, and costs nothing outside one."""
    pause = _timed(lambda: time.sleep(0.01) or "bytes")
    assert pause() == "bytes"
    with serialisation_time() as spent:
        assert pause() == "bytes"
        assert pause() == "bytes"
    assert 0.02 <= spent[0] < 0.5
