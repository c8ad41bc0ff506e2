"""The embedded store's own behaviour: point operations on the event loop that never wait."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from storage import embedded
from storage import embedded_members as members
from storage.base import Document, StoreError
from storage.embedded import CHECKPOINT_EVERY, LOCKED_PAUSES_S, EmbeddedStore, Statement, T


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


def worker_statements(store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The statements `store` runs on its worker thread from now on, as they run."""
    ran: list[object] = []
    run_on_worker = store._run

    async def counted(statement: Statement[T]) -> T:
        ran.append(statement)
        return await run_on_worker(statement)

    monkeypatch.setattr(store, "_run", counted)
    return ran


async def test_a_write_another_process_blocks_for_a_moment_lands_on_the_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process's write holds the lock for well under a millisecond: the loop tries
    again after short pauses instead of handing the write to the worker thread."""
    store = EmbeddedStore(tmp_path)
    await store.open()
    on_worker = worker_statements(store, monkeypatch)
    other = sqlite3.connect(tmp_path / "bot.sqlite3", isolation_level=None)
    try:
        doc = await store.create("p", "d", {"n": 0})
        other.execute("BEGIN IMMEDIATE")
        # Released by a timer of the same loop, before the loop's last try.
        asyncio.get_running_loop().call_later(sum(LOCKED_PAUSES_S) / 2, other.rollback)
        written = await store.replace("p", "d", {"n": 1}, etag=doc.etag)
        assert on_worker == [], "the write went to the worker thread"
        assert await store.read("p", "d") == written
    finally:
        other.close()
        await store.close()


def held_checkpoints(store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Checkpoints of `store` from now on start only once the returned event is set."""
    release = asyncio.Event()
    run_on_worker = store._run

    async def held(statement: Statement[T]) -> T:
        await release.wait()
        return await run_on_worker(statement)

    monkeypatch.setattr(store, "_run", held)
    return release


async def _writes_during_a_checkpoint(
    store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> tuple[asyncio.Event, asyncio.Future[list[Document]]]:
    """Starts a checkpoint that waits for the returned event, then the replaces of
    CHECKPOINT_EVERY - 1 documents (one fewer, so that they do not start the next one)."""
    docs = [await store.create("p", f"d{n}", {"n": 0}) for n in range(CHECKPOINT_EVERY - 1)]
    release = held_checkpoints(store, monkeypatch)
    await store.create("p", "last", {"n": 0})  # the write that starts the checkpoint
    replaces = asyncio.gather(*(store.replace("p", d.id, {"n": 1}, etag=d.etag) for d in docs))
    return release, replaces


async def test_writes_go_on_during_a_checkpoint_on_the_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EmbeddedStore(tmp_path)
    await store.open()
    release, replaces = await _writes_during_a_checkpoint(store, monkeypatch)
    try:
        on_worker = worker_statements(store, monkeypatch)
        written = await asyncio.wait_for(replaces, 5)  # while the checkpoint is held
        assert len(on_worker) == 1, "only the checkpoint went to the worker thread"
        for doc in written:
            assert await store.read("p", doc.id) == doc
    finally:
        release.set()
        await store.close()


async def test_once_the_log_is_long_writes_wait_for_the_checkpoint_and_then_run_on_the_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedded, "LOG_WRITES_HELD", CHECKPOINT_EVERY)
    store = EmbeddedStore(tmp_path)
    await store.open()
    release, replaces = await _writes_during_a_checkpoint(store, monkeypatch)
    try:
        await asyncio.sleep(0.05)
        assert not replaces.done(), "they wait for the checkpoint"
        on_worker = worker_statements(store, monkeypatch)
        release.set()
        written = await asyncio.wait_for(replaces, 5)
        assert len(on_worker) == 0, "then they ran on the loop"
        for doc in written:
            assert await store.read("p", doc.id) == doc
    finally:
        release.set()
        await store.close()


async def test_a_stream_of_writes_keeps_the_log_file_bounded(tmp_path: Path) -> None:
    """Writes go on during checkpoints, so the log would never start over under a stream of
    them: every LOG_WRITES_HELD writes they wait for one."""
    store = EmbeddedStore(tmp_path)
    await store.open()
    try:
        body = {"text": "x" * 3000}
        wal = tmp_path / "bot.sqlite3-wal"
        sizes = []
        for _ in range(4 * embedded.LOG_WRITES_HELD // 50):
            # 50 at once: a checkpoint always has writes arriving while it runs.
            await asyncio.gather(*(store.upsert("p", f"d{n}", body) for n in range(50)))
            sizes.append(wal.stat().st_size)
        # What one more write adds while the log grows: between the first batch (which
        # created the rows, several frames each) and the first checkpoint.
        assert CHECKPOINT_EVERY > 150
        per_write = (sizes[2] - sizes[0]) / 100
        # The file only ever grows, to the longest stretch between two starts over: at most
        # LOG_WRITES_HELD writes, then those until a checkpoint no write overlaps (the one
        # running then may have had some: the next) and one batch more. Without the hold
        # it holds every write of the test (about three times that).
        longest = embedded.LOG_WRITES_HELD + 2 * CHECKPOINT_EVERY + 50
        assert sizes[-1] <= sizes[0] + 1.1 * (longest - 50) * per_write, sizes
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
        # A map of more entries than a body keeps inline, so it is kept in rows.
        big = {f"k{i:02d}": i for i in range(members.INLINE_ENTRIES)}
        created = await store.create("p", "doc", {"n": 1, "map": big})
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
            members.patch(writer, "p", "doc", operations, etag=etag)
            assert members.assemble(reader, "p", "doc", text) == {"n": 1, "map": {**big, "b": 2}}
        (text,) = reader.execute("SELECT body FROM documents WHERE id='doc'").fetchone()
        assert members.assemble(reader, "p", "doc", text) == {
            "n": 2,
            "map": {**big, "b": 2, "c": 3},
        }
        (rows,) = reader.execute("SELECT count(*) FROM members WHERE id='doc'").fetchone()
        assert rows == len(big) + 2
    finally:
        reader.close()
        writer.close()


async def test_small_maps_stay_in_the_body_and_move_to_rows_once_they_grow(
    tmp_path: Path,
) -> None:
    """A patch that sets a small map (the schedule) rewrites the body only; a map that grows
    past INLINE_ENTRIES moves to rows, and reads equal the document either way."""
    store = EmbeddedStore(tmp_path)
    await store.open()
    try:
        created = await store.create("p", "doc", {"small": {"a": 1}, "grows": {}})
        etag = await store.patch(
            "p",
            "doc",
            [
                {"op": "set", "path": "/small", "value": {"a": 2, "b": 3}},
                {"op": "remove", "path": "/small/a"},
                {"op": "set", "path": "/grows/x", "value": 1},
            ],
            etag=created.etag,
        )
        assert (await store.read("p", "doc")).body == {"small": {"b": 3}, "grows": {"x": 1}}
        with pytest.raises(StoreError):
            await store.patch("p", "doc", [{"op": "remove", "path": "/small/a"}], etag=etag)
        # Sixteen more entries, in two patches (at most ten operations each): 17 in all.
        entries = [
            {"op": "set", "path": f"/grows/k{i:02d}", "value": i}
            for i in range(members.INLINE_ENTRIES)
        ]
        etag = await store.patch("p", "doc", entries[:10], etag=etag)
        more = entries[10:]
        await store.patch("p", "doc", more, etag=etag)
        expected = {"x": 1, **{f"k{i:02d}": i for i in range(members.INLINE_ENTRIES)}}
        assert (await store.read("p", "doc")).body == {"small": {"b": 3}, "grows": expected}
    finally:
        await store.close()
    db = sqlite3.connect(tmp_path / "bot.sqlite3", isolation_level=None)
    try:
        listed = dict(db.execute("SELECT member, count(*) FROM members GROUP BY member"))
        assert listed == {"grows": members.INLINE_ENTRIES + 1}
    finally:
        db.close()


# tests/fixtures/embedded_before_revisions.sqlite3, as the embedded store wrote it before
# member rows carried revisions (commit da552ef): an engagement-shaped document created whole
# and patched twice (entries set, one removed, a key with "/"), and a note written whole.
BEFORE_REVISIONS = {
    "engagement": {
        "type": "engagement",
        "n": 2,
        "auditTail": [{"seq": 1}, {"seq": 2}],
        "appliedOps": {"op-a": 1, "op-b": 2, "op-c": 3},
        "ownTasks": {},
        "profile": {"name": "Contoso", "zone": "Asia/Seoul"},
        "tasks": {
            "t0": {"status": "open", "owner": {"id": "u0", "name": "사용자"}},
            "t1": {"status": "done"},
            "t3": {"status": "open", "owner": {"id": "u3", "name": "사용자"}},
            "t4": {"status": "open", "owner": {"id": "u4", "name": "사용자"}},
            "t5": {"status": "open", "owner": {"id": "u5", "name": "사용자"}},
            "a/b": {"status": "n/a"},
        },
    },
    "note-1": {"type": "note", "text": "한국어 ✅"},
}


async def test_a_file_written_before_revisions_reads_patches_and_reads_what_changed(
    tmp_path: Path,
) -> None:
    """Opening a file of the earlier format adds the rows' revisions; its documents read as
    written, and once patched, a reader who knew them (plain etags, rows of revision 0)
    reads them whole and then only what changed, as `read` does."""
    fixture = Path(__file__).parent / "fixtures" / "embedded_before_revisions.sqlite3"
    shutil.copy(fixture, tmp_path / "bot.sqlite3")
    store, other = EmbeddedStore(tmp_path), EmbeddedStore(tmp_path)
    await asyncio.gather(store.open(), other.open())  # both bring the file up to date
    try:
        docs = await store.list_partition("eng-fixture", "")
        assert {d.id: d.body for d in docs} == BEFORE_REVISIONS
        known = docs[0]
        operations = [
            {"op": "set", "path": "/tasks/t3", "value": {"status": "done"}},
            {"op": "remove", "path": "/tasks/t4"},
            {"op": "set", "path": "/appliedOps/op-d", "value": 4},
        ]
        etag = await other.patch("eng-fixture", "engagement", operations, etag=known.etag)
        once = await store.read_if_changed(known)
        assert once == await store.read("eng-fixture", "engagement")
        assert once is not None and once.etag == etag
        assert once.body["tasks"]["t3"] == {"status": "done"} and "t4" not in once.body["tasks"]
        etag = await other.patch(
            "eng-fixture", "engagement", [{"op": "remove", "path": "/tasks/t0"}], etag=etag
        )
        twice = await store.read_if_changed(once)
        assert twice == await store.read("eng-fixture", "engagement")
        assert twice is not None and list(twice.body["tasks"]) == ["t1", "t3", "t5", "a/b"]
        assert twice.body["profile"] is once.body["profile"], "unchanged members are shared"
    finally:
        await store.close()
        await other.close()
