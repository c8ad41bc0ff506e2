"""The storage floor: one point read + one conditional write of an engagement document,
on the embedded store and with the raw Cosmos DB SDK.

The same pair is measured three ways: once per latency round, between the turns (so it meets
the machine in the same state a click does: on this VM an idle thread or process takes
a few hundred microseconds to wake, which a tight loop never shows); back to back, in a
section of its own; and with 32 workers for throughput, in rounds alternating with the
bot's click load (`pair_load`, benchmarks/sections.py).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azure.core import MatchConditions
from azure.cosmos import PartitionKey
from azure.cosmos.aio import ContainerProxy, CosmosClient

from benchmarks.common import Latencies
from benchmarks.load import Load, Timed, closed_loop
from storage.cosmos import cosmos_transport
from storage.embedded import EmbeddedStore

PAIR = "read + write pair"

# One pair on one worker's own document: returns when the write is acknowledged.
Pair = Callable[[int], Awaitable[None]]
# Opens the floor's store with `workers` copies of a document body; yields the pair.
PairSource = Callable[[dict[str, Any], int], AbstractAsyncContextManager[Pair]]


@dataclass
class FloorRun:
    latencies: Latencies


async def measure_floor(
    source: PairSource, body: dict[str, Any], *, turns: int, warmup: int
) -> FloorRun:
    """Back to back, one pair at a time."""
    async with source(body, 1) as pair:
        latencies = Latencies()
        for i in range(warmup + turns):
            started = time.perf_counter()
            await pair(0)
            if i >= warmup:
                latencies.add(PAIR, time.perf_counter() - started)
    return FloorRun(latencies)


async def pair_load(pair: Pair, *, clients: int, seconds: float) -> Load:
    """`clients` workers, each on its own document, for `seconds`."""

    async def one(index: int) -> Timed:
        started = time.perf_counter()
        await pair(index)
        return Timed(time.perf_counter() - started)

    return await closed_loop(clients, seconds, one)


def embedded_pairs(data_dir: Path) -> PairSource:
    """`EmbeddedStore.read` + `EmbeddedStore.replace` (etag-checked), the store's own API:
    for SQLite there is no SDK below it but sqlite3 itself."""

    @asynccontextmanager
    async def pairs(body: dict[str, Any], workers: int) -> AsyncIterator[Pair]:
        store = EmbeddedStore(data_dir / uuid.uuid4().hex[:8])
        await store.open()
        try:
            for index in range(workers):
                await store.create(f"floor-{index}", "engagement", body)

            async def pair(index: int) -> None:
                doc = await store.read(f"floor-{index}", "engagement")
                assert doc is not None
                await store.replace(doc.pk, doc.id, body, etag=doc.etag)

            yield pair
        finally:
            await store.close()

    return pairs


def cosmos_pairs(endpoint: str, key: str) -> PairSource:
    """The raw SDK, as CosmosStore drives it: `read_item`, then `replace_item` with the read
    etag as If-Match and `no_response=True` (the store asks for no body back either), on the
    same transport settings as the store."""

    @asynccontextmanager
    async def pairs(body: dict[str, Any], workers: int) -> AsyncIterator[Pair]:
        database_name = f"bench-floor-{uuid.uuid4().hex[:8]}"
        async with CosmosClient(endpoint, key, transport=cosmos_transport()) as client:
            database = await client.create_database_if_not_exists(database_name)
            try:
                container: ContainerProxy = await database.create_container_if_not_exists(
                    "engagements", partition_key=PartitionKey(path="/pk")
                )
                for index in range(workers):
                    await container.upsert_item(
                        {**body, "id": "engagement", "pk": f"floor-{index}"}
                    )

                async def pair(index: int) -> None:
                    pk = f"floor-{index}"
                    item = await container.read_item("engagement", partition_key=pk)
                    await container.replace_item(
                        "engagement",
                        {**body, "id": "engagement", "pk": pk},
                        etag=item["_etag"],
                        match_condition=MatchConditions.IfNotModified,
                        no_response=True,
                    )

                yield pair
            finally:
                await client.delete_database(database_name)

    return pairs
