"""What only the Cosmos DB backend has: connection failures, outages, request cost, and the
fixes scripts/cosmos-server.js makes to the local protocol server.

What can and cannot be tested locally:
- The local server checks no credentials (any valid-base64 key works, see
  test_the_local_server_accepts_any_well_formed_key). A refused key is tested against a small
  HTTP server that answers 401 like Cosmos DB does, on the same code path as a real refusal.
- Entra ID (`key=None` -> DefaultAzureCredential) is not tested: whether a token can be had
  depends on the machine (az login, managed identity), and the local server ignores tokens.
- 429 and 5xx come from a fault-injecting proxy in front of the local server, because the
  server itself never throttles or fails that way. Request charges (RU) are always "1" locally,
  so cost is measured in HTTP round trips.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import ssl
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from azure.cosmos import PartitionKey
from azure.cosmos import exceptions as cosmos_errors
from azure.cosmos.aio import CosmosClient

from domain.catalog import default_catalog
from domain.engagement import Actor, Engagement, EngagementKey, TaskStatus
from storage.base import StoreUnavailable
from storage.cosmos import CosmosStore, cosmos_transport
from storage.layout import own_tasks_name
from storage.repository import ENGAGEMENT_DOC, EngagementRepository
from testkit import CONTAINER, CosmosServer, CosmosStoreFactory, FaultProxy, WireCounter, free_port
from tests.test_own_tasks_layout import add, own_tasks_documents, stored, with_own_tasks

pytestmark = pytest.mark.cosmos

# Failures must surface well before a Teams invoke gives up.
BOUND_S = 15.0
CATALOG = default_catalog()
OTHER_VALID_KEY = "dGhpcyBpcyBub3QgdGhlIGVtdWxhdG9yIGtleSwgYnV0IGl0IGlzIGJhc2U2NA=="


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts TCP connections (the kernel backlog) but never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield sock.getsockname()[1]


def assert_one_line(exc: BaseException, *fragments: str) -> None:
    message = str(exc)
    assert "\n" not in message and message.strip() == message, message
    for fragment in fragments:
        assert fragment in message, message


def pk() -> str:
    return f"eng-{uuid.uuid4().hex}"


@pytest.fixture
async def proxy(cosmos_server: CosmosServer) -> AsyncIterator[FaultProxy]:
    cosmos_server.start()
    fault_proxy = FaultProxy(cosmos_server.endpoint)
    await fault_proxy.start()
    try:
        yield fault_proxy
    finally:
        await fault_proxy.stop()


async def proxied_store(
    factory: CosmosStoreFactory, proxy: FaultProxy, **options: Any
) -> CosmosStore:
    """An unopened store that reaches the local server through `proxy`."""
    return await factory(
        open=False, endpoint=proxy.endpoint, enable_endpoint_discovery=False, **options
    )


# --- connecting --------------------------------------------------------------------------


async def test_open_on_a_closed_port_fails_fast_with_one_line(
    cosmos_store_factory: CosmosStoreFactory,
) -> None:
    endpoint = f"https://127.0.0.1:{free_port()}/"  # nobody listens there
    store = await cosmos_store_factory(open=False, endpoint=endpoint)
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as info:
        await store.open()
    assert time.monotonic() - started < BOUND_S
    assert_one_line(info.value, f"Cannot reach Cosmos DB at {endpoint}")
    # A failed open leaves nothing half open; operations say so instead of hanging.
    with pytest.raises(StoreUnavailable, match="not open"):
        await store.read("p", "d")


async def test_open_on_a_server_that_never_answers_gives_up_within_the_bound(
    cosmos_store_factory: CosmosStoreFactory, silent_port: int
) -> None:
    endpoint = f"https://127.0.0.1:{silent_port}/"
    store = await cosmos_store_factory(open=False, endpoint=endpoint)  # default timeout
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as info:
        await store.open()
    assert time.monotonic() - started < BOUND_S
    assert_one_line(info.value, endpoint)


async def test_open_with_a_malformed_key_fails_at_once(
    cosmos_server: CosmosServer, cosmos_store_factory: CosmosStoreFactory
) -> None:
    for bad in ("not a key!", "abc", ""):
        store = await cosmos_store_factory(open=False, key=bad)
        with pytest.raises(StoreUnavailable) as info:
            await store.open()
        assert_one_line(info.value, "key", cosmos_server.endpoint)


async def test_a_refused_key_fails_open_with_one_line(
    cosmos_store_factory: CosmosStoreFactory, proxy: FaultProxy
) -> None:
    proxy.fail(401, documents_only=False)
    store = await proxied_store(cosmos_store_factory, proxy, key=OTHER_VALID_KEY)
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as info:
        await store.open()
    assert time.monotonic() - started < BOUND_S
    assert_one_line(info.value, f"Cosmos DB refused the key for {proxy.endpoint}", "401")


async def test_the_local_server_accepts_any_well_formed_key(
    cosmos_store_factory: CosmosStoreFactory,
) -> None:
    """Documents the limit of local testing: a wrong key cannot be detected here."""
    store = await cosmos_store_factory(open=False, key=OTHER_VALID_KEY)
    await store.open()
    await store.ping()


# --- outages -----------------------------------------------------------------------------


async def test_an_outage_is_store_unavailable_and_the_same_store_recovers(
    cosmos_server: CosmosServer, cosmos_store_factory: CosmosStoreFactory
) -> None:
    store = await cosmos_store_factory()
    p = pk()
    doc = await store.create(p, "doc", {"v": 1})

    cosmos_server.stop()
    try:
        for operation in (
            lambda: store.read(p, "doc"),
            lambda: store.replace(p, "doc", {"v": 2}, etag=doc.etag),
            lambda: store.list_partition(p, ""),
        ):
            started = time.monotonic()
            with pytest.raises(StoreUnavailable) as info:
                await operation()
            assert time.monotonic() - started < BOUND_S
            assert_one_line(info.value, f"Cannot reach Cosmos DB at {cosmos_server.endpoint}")
    finally:
        cosmos_server.start()

    # The server keeps data in memory only, so the restart emptied it: the database and
    # container are gone. The next call meets 404/1003 ("owner resource does not exist"), and
    # the same store object creates them again and retries; the old document is gone with it.
    assert await store.read(p, "doc") is None
    again = await store.create(p, "doc", {"v": "after the outage"})
    assert await store.read(p, "doc") == again
    await store.ping()


async def test_a_server_that_stops_answering_mid_operation_is_bounded(
    cosmos_store_factory: CosmosStoreFactory, proxy: FaultProxy
) -> None:
    store = await proxied_store(cosmos_store_factory, proxy, timeout=1.5)
    await store.open()
    p = pk()
    await store.create(p, "doc", {"v": 1})
    proxy.hang = True
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as info:
        await store.read(p, "doc")
    assert 1.4 < time.monotonic() - started < BOUND_S
    assert_one_line(info.value, "did not answer within 1.5 s")
    proxy.heal()
    assert (await store.read(p, "doc")) is not None


async def test_a_write_whose_answer_was_lost_keeps_the_own_tasks_it_names(
    cosmos_store_factory: CosmosStoreFactory, proxy: FaultProxy
) -> None:
    """The SDK retries a write whose connection dropped; when the first one was applied, the
    retry meets the new etag (412). The repository must not take that for a lost race and
    delete the own tasks the engagement now names."""
    direct = await cosmos_store_factory()
    engagement = await with_own_tasks(EngagementRepository(direct))
    store = await proxied_store(cosmos_store_factory, proxy, database=direct.database_name)
    await store.open()
    proxy.lose_answer = ("PATCH", f"/docs/{ENGAGEMENT_DOC}")
    await EngagementRepository(store).update(engagement.id, add("batch-2"))
    assert proxy.faulted == 1 and proxy.lose_answer is None
    name = own_tasks_name((await stored(direct, engagement.id)).body)
    assert await own_tasks_documents(direct, engagement.id) == [name]
    after = await EngagementRepository(direct).get(engagement.id)
    assert after is not None and len(after.own_tasks) == 6


async def test_a_create_whose_answer_was_lost_counts_as_created(
    cosmos_store_factory: CosmosStoreFactory, proxy: FaultProxy
) -> None:
    """The SDK's retry of an applied create meets the document (409): the installation is
    still this call's, so its work (the welcome) is not skipped."""
    store = await proxied_store(cosmos_store_factory, proxy)
    await store.open()
    proxy.lose_answer = ("POST", "/docs")
    engagement = Engagement(
        key=EngagementKey("tenant-1", f"team:{uuid.uuid4().hex}"),
        conversation_type="channel",
        created_at=datetime.now(UTC),
    )
    stored, was_created = await EngagementRepository(store).create_if_missing(engagement)
    assert proxy.faulted == 1 and proxy.lose_answer is None
    assert was_created and stored == engagement


@pytest.mark.parametrize("status", [429, 503])
async def test_throttling_and_server_errors_beyond_sdk_retries_are_store_unavailable(
    cosmos_store_factory: CosmosStoreFactory, proxy: FaultProxy, status: int
) -> None:
    store = await proxied_store(cosmos_store_factory, proxy)
    await store.open()
    p = pk()
    doc = await store.create(p, "doc", {"v": 1})
    proxy.fail(status)
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as info:
        await store.replace(p, "doc", {"v": 2}, etag=doc.etag)
    assert time.monotonic() - started < BOUND_S
    assert_one_line(info.value, str(status), proxy.endpoint)
    if status == 429:
        assert proxy.faulted > 1, "the SDK retried 429 itself first"
    proxy.heal()
    assert (await store.read(p, "doc")) == doc, "nothing was written"


# --- cost --------------------------------------------------------------------------------


def engagement() -> Engagement:
    return Engagement(
        key=EngagementKey("tenant-1", f"team:19:{uuid.uuid4().hex}@thread.tacv2"),
        conversation_type="channel",
        created_at=datetime(2026, 11, 2, tzinfo=UTC),
    )


async def test_a_card_action_is_one_conditional_write_plus_a_read_when_the_copy_is_unknown(
    cosmos_store_factory: CosmosStoreFactory,
) -> None:
    counter = WireCounter(record=True)
    store = await cosmos_store_factory(**counter.options())
    created, _ = await EngagementRepository(store).create_if_missing(engagement())
    actor = Actor("29:user", "User")
    doc_path = f"/dbs/{store.database_name}/colls/{CONTAINER}/docs/{ENGAGEMENT_DOC}"
    steps = [t for t in CATALOG.tasks if not t.duty]  # duties are acknowledged, not done

    async def mark_done(repo: EngagementRepository, task: int) -> list[tuple[str, str]]:
        counter.reset()
        await repo.update(
            created.id,
            lambda e: e.set_task_status(
                CATALOG,
                task_id=steps[task].id,
                status=TaskStatus.DONE,
                actor=actor,
                at=datetime.now(UTC),
                op_id=f"activity-{task}",
            ),
        )
        return [(method, path.rstrip("/")) for method, path, _ in counter.recorded]

    # A process that has not seen the engagement reads it, then patches what the change
    # touched, on the etag it read.
    this, other = EngagementRepository(store), EngagementRepository(store)
    assert await mark_done(this, 0) == [("GET", doc_path), ("PATCH", doc_path)]
    (_, _, read), (_, _, write) = counter.recorded
    assert read["x-ms-documentdb-partitionkey"] == json.dumps([created.id])
    assert write["x-ms-documentdb-partitionkey"] == json.dumps([created.id])
    assert write["if-match"], "the write is conditional on the etag that was read"
    # The next change from the same process starts from what it wrote: one request.
    assert await mark_done(this, 1) == [("PATCH", doc_path)]
    # Another process (instance) wrote in between: the write fails on the etag, the change
    # is applied again to a fresh read, and both changes are kept.
    assert await mark_done(other, 2) == [("GET", doc_path), ("PATCH", doc_path)]
    assert await mark_done(this, 3) == [("PATCH", doc_path), ("GET", doc_path), ("PATCH", doc_path)]
    stored = await EngagementRepository(store).get(created.id)
    assert stored is not None
    assert [stored.status_of(steps[i].id) for i in range(4)] == [TaskStatus.DONE] * 4


async def test_list_partition_is_one_single_partition_query(
    cosmos_store_factory: CosmosStoreFactory,
) -> None:
    counter = WireCounter(record=True)
    store = await cosmos_store_factory(**counter.options())
    p = pk()
    await store.create(p, "audit-0000000001", {"entries": []})
    counter.reset()
    assert [d.id for d in await store.list_partition(p, "audit-")] == ["audit-0000000001"]
    assert len(counter.recorded) == 1
    method, path, headers = counter.recorded[0]
    assert method == "POST" and path.rstrip("/").endswith(f"/colls/{CONTAINER}/docs")
    assert headers.get("x-ms-documentdb-isquery") == "true"
    assert headers["x-ms-documentdb-partitionkey"] == json.dumps([p])
    assert headers.get("x-ms-documentdb-query-enablecrosspartition", "false") != "true"


async def test_bodies_with_reserved_keys_are_refused(
    cosmos_store_factory: CosmosStoreFactory,
) -> None:
    store = await cosmos_store_factory()
    for body in ({"id": "x"}, {"pk": "x"}, {"_etag": "x"}):
        with pytest.raises(ValueError, match="reserved"):
            await store.create(pk(), "doc", body)


# --- the launcher's fixes to the local server -----------------------------------------------


async def test_launcher_fixes_the_local_server(cosmos_server: CosmosServer) -> None:
    cosmos_server.start()
    database = f"launcher-{uuid.uuid4().hex[:8]}"
    async with CosmosClient(cosmos_server.endpoint, cosmos_server.key) as client:
        db = await client.create_database(database)
        try:
            container = await db.create_container("c", PartitionKey("/pk"))
            await container.create_item({"id": "a1", "pk": "p1", "n": 1})
            await container.create_item({"id": "a2", "pk": "p2", "n": 1})

            # 1. A point read of a missing id or under another partition: 404, not 500.
            for item, partition in (("missing", "p1"), ("a1", "p2")):
                with pytest.raises(cosmos_errors.CosmosResourceNotFoundError):
                    await container.read_item(item, partition_key=partition)

            # 2. The partition key header scopes a query whose WHERE does not name the pk.
            rows = container.query_items("SELECT * FROM c WHERE c.n = 1", partition_key="p1")
            assert [r["id"] async for r in rows] == ["a1"]

            # 3. Item operations on a container that is gone (here: its database deleted by
            # another client, as a server restart would): 404 with sub-status 1003.
            async with CosmosClient(cosmos_server.endpoint, cosmos_server.key) as other:
                await other.delete_database(database)
            for operation in (
                lambda: container.create_item({"id": "x", "pk": "p1"}),
                lambda: container.read_item("a1", partition_key="p1"),
                lambda: container.upsert_item({"id": "a1", "pk": "p1"}),
                lambda: container.replace_item("a1", {"id": "a1", "pk": "p1"}),
                lambda: container.delete_item("a1", partition_key="p1"),
            ):
                with pytest.raises(cosmos_errors.CosmosResourceNotFoundError) as info:
                    await operation()
                assert info.value.sub_status == 1003
            rows = container.query_items("SELECT * FROM c", partition_key="p1")
            with pytest.raises(cosmos_errors.CosmosResourceNotFoundError) as info:
                _ = [r async for r in rows]
            assert info.value.sub_status == 1003
        finally:
            with contextlib.suppress(cosmos_errors.CosmosResourceNotFoundError):
                await client.delete_database(database)

    # 4. Keep-alive instead of `connection: close` on every response.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the bundled certificate is self-signed
    connection = http.client.HTTPSConnection("127.0.0.1", cosmos_server.port, context=context)
    try:
        for _ in range(2):
            connection.request("GET", "/")
            response = connection.getresponse()
            response.read()
            assert response.getheader("connection") == "keep-alive"
            assert not response.will_close
    finally:
        connection.close()


def test_the_transport_reads_the_environment_only_when_a_proxy_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    assert cosmos_transport()._use_env_settings is False
    monkeypatch.setenv("https_proxy", "http://proxy.example:3128")
    assert cosmos_transport()._use_env_settings is True
