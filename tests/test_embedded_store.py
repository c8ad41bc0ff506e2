"""The embedded store's own behaviour: point operations on the event loop that never wait."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from storage import embedded_members as members
from storage.embedded import CHECKPOINT_EVERY, EmbeddedStore, Statement, T


async def test_a_write_another_process_blocks_waits_off_the_loop_and_then_lands(
    tmp_path: Path,
) -> None:
    store = EmbeddedStore(tmp_path)
    await store.open()
    try:
        doc = await store.create("p", "d", {"n": 0})
        # Another process holds the write lock for 0.3 s.
        other = sqlite3.connect(
            tmp_path / "bot.sqlite3", isolation_level=None, check_same_thread=False
        )
        other.execute("BEGIN IMMEDIATE")
        threading.Timer(0.3, other.rollback).start()
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticking = asyncio.ensure_future(ticker())
        started = time.perf_counter()
        written = await store.replace("p", "d", {"n": 1}, etag=doc.etag)
        waited = time.perf_counter() - started
        ticking.cancel()
        other.close()
        assert waited >= 0.25, "it waited for the lock instead of failing"
        assert ticks >= 10, "the event loop kept running while it waited"
        assert await store.read("p", "d") == written
    finally:
        await store.close()


async def test_the_write_ahead_log_is_checkpointed_off_the_loop(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    await store.open()
    try:
        body = {"text": "x" * 3000}
        wal = tmp_path / "bot.sqlite3-wal"
        for n in range(CHECKPOINT_EVERY - 1):
            await store.upsert("p", f"d{n % 5}", body)
        before_any_checkpoint = wal.stat().st_size
        for n in range(2 * CHECKPOINT_EVERY):
            await store.upsert("p", f"d{n % 5}", body)
            await asyncio.sleep(0)  # let a checkpoint in progress run on the worker thread
        # Without checkpoints the log (whose file never shrinks) would have grown threefold.
        assert wal.stat().st_size < 2 * before_any_checkpoint
    finally:
        await store.close()


async def test_writes_during_a_checkpoint_wait_for_it_and_then_run_on_the_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EmbeddedStore(tmp_path)
    await store.open()
    on_worker = 0
    run_on_worker = store._run

    async def counted(statement: Statement[T]) -> T:
        nonlocal on_worker
        on_worker += 1
        return await run_on_worker(statement)

    monkeypatch.setattr(store, "_run", counted)
    try:
        # The last create starts a checkpoint; the replaces arrive while it runs (one fewer,
        # so that they do not start the next one).
        docs = [await store.create("p", f"d{n}", {"n": 0}) for n in range(CHECKPOINT_EVERY)]
        written = await asyncio.gather(
            *(store.replace("p", d.id, {"n": 1}, etag=d.etag) for d in docs[1:])
        )
        assert on_worker == 1, "only the checkpoint ran on the worker thread"
        for doc in written:
            assert await store.read("p", doc.id) == doc
    finally:
        await store.close()


async def test_a_patched_document_is_read_as_of_one_write_while_another_connection_writes(
    tmp_path: Path,
) -> None:
    """A patched document is its body row plus one row per map entry: a reader that read the
    body must see the entries of the same write, even if another connection (another thread
    or process) commits a patch in between its two statements."""
    store = EmbeddedStore(tmp_path)
    await store.open()
    try:
        created = await store.create("p", "doc", {"n": 1, "map": {"a": 1}})
        etag = await store.patch(
            "p", "doc", [{"op": "set", "path": "/map/b", "value": 2}], etag=created.etag
        )
    finally:
        await store.close()
    reader = sqlite3.connect(tmp_path / "bot.sqlite3", isolation_level=None)
    writer = sqlite3.connect(tmp_path / "bot.sqlite3", isolation_level=None)
    try:
        with members.snapshot(reader):
            (text,) = reader.execute("SELECT body FROM documents WHERE id='doc'").fetchone()
            operations = [
                {"op": "set", "path": "/n", "value": 2},
                {"op": "set", "path": "/map/c", "value": 3},
            ]
            members.patch(writer, "p", "doc", operations, etag=etag, new_etag="next")
            assert members.assemble(reader, "p", "doc", text) == {"n": 1, "map": {"a": 1, "b": 2}}
        (text,) = reader.execute("SELECT body FROM documents WHERE id='doc'").fetchone()
        assert members.assemble(reader, "p", "doc", text) == {
            "n": 2,
            "map": {"a": 1, "b": 2, "c": 3},
        }
    finally:
        reader.close()
        writer.close()
