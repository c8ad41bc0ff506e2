"""The embedded default store: one SQLite file under BOT_DATA_DIR.

SQLite gives durable, atomic writes with nothing to install, and several bot processes on one
machine can share the file.

Point reads and writes of one document take tens of microseconds, less than handing them to a
thread (waking a thread is the larger cost on a small VM), so they run on the event loop's own
connection. That connection never waits: it has no busy timeout and never checkpoints the
write-ahead log. A statement that finds another process's write lock taken tries again on the
loop a few times after short pauses (a write holds it for a fraction of a millisecond, and the
loop serves other turns meanwhile), and past those goes to a worker thread with its own
connection, which may wait (SQLite's busy handler sleeps 1, 2, 5 ms… between tries, and a
thread handoff costs more than the write); so do queries over many documents and
the periodic checkpoints. Writes go on during a checkpoint (SQLite allows it), but the log
starts over only after a checkpoint no write overlapped: once LOG_WRITES_HELD writes have gone
by without one, writes wait for the next checkpoint to end, which bounds the log file. Each
connection is only ever used by its own thread.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from storage import embedded_members as members
from storage.base import (
    AlreadyExists,
    Document,
    EtagMismatch,
    NotFound,
    PatchOperation,
    StoreUnavailable,
)

T = TypeVar("T")
Statement = Callable[[sqlite3.Connection], T]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    pk   TEXT NOT NULL,
    id   TEXT NOT NULL,
    etag TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (pk, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS documents_next_nudge
    ON documents (json_extract(body, '$.nextNudgeAt'))
    WHERE json_extract(body, '$.nextNudgeAt') IS NOT NULL;
CREATE TABLE IF NOT EXISTS health (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at TEXT NOT NULL
);
"""
# Writes on the loop's connection between two checkpoints (run on the worker thread).
# Pauses before the loop's connection tries a locked database again (see the module doc).
LOCKED_PAUSES_S = (0.0002, 0.0005, 0.001, 0.002)
CHECKPOINT_EVERY = 200
# Writes since the log last started over past which writes wait for a checkpoint to end.
# Waiting at every checkpoint stalled a stream of writes (the nudge run's claims and records)
# for 4-5 % of its time; every fourth keeps the log within a few MB.
LOG_WRITES_HELD = 4 * CHECKPOINT_EVERY


class EmbeddedStore:
    def __init__(self, data_dir: Path) -> None:
        self._path = data_dir / "bot.sqlite3"
        self._executor: ThreadPoolExecutor | None = None
        self._db: sqlite3.Connection | None = None  # the worker thread's
        self._loop_db: sqlite3.Connection | None = None  # the event loop's
        self._writes = 0
        self._log_writes = 0  # since the log last started over (about)
        self._checkpoint: asyncio.Future[None] | None = None

    async def open(self) -> None:
        """Raises StoreUnavailable with one line naming the file and what is wrong (a
        directory that cannot be created or written, a full disk, a file that is no database)."""
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedded-store")
        try:
            await self._on_worker(self._connect)
            loop_db = sqlite3.connect(self._path, isolation_level=None)
            loop_db.execute("PRAGMA synchronous=NORMAL")
            loop_db.execute("PRAGMA busy_timeout=0")
            loop_db.execute("PRAGMA wal_autocheckpoint=0")
        except (OSError, sqlite3.DatabaseError, StoreUnavailable) as exc:
            await self.close()
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise StoreUnavailable(
                f"Cannot use the embedded store at {self._path} (BOT_DATA_DIR): {reason}"
            ) from exc
        self._loop_db = loop_db

    def _connect(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        self._db = db  # closed by close() even if what follows fails
        # busy_timeout lets a second bot process on the same file wait for the lock instead
        # of failing (first: switching a file to WAL takes it too); WAL + NORMAL survives a
        # crash or kill of the process (the restart case).
        db.execute("PRAGMA busy_timeout=5000")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_SCHEMA + members.SCHEMA)
        members.migrate(db)
        self._db = db

    async def close(self) -> None:
        if self._executor is None:
            return
        if self._checkpoint is not None:
            await asyncio.gather(self._checkpoint, return_exceptions=True)
        if self._loop_db is not None:
            self._loop_db.close()
            self._loop_db = None
        await self._on_worker(self._disconnect)
        self._executor.shutdown(wait=True)
        self._executor = None

    def _disconnect(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    async def _on_worker(self, fn: Callable[[], T]) -> T:
        if self._executor is None:
            raise StoreUnavailable("embedded store is not open")
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, fn)
        except sqlite3.DatabaseError as exc:  # locked, disk full, corrupt file
            raise StoreUnavailable(str(exc)) from exc

    async def _run(self, statement: Statement[T]) -> T:
        """On the worker thread's connection, which may wait for locks and the disk."""

        def run() -> T:
            if self._db is None:
                raise StoreUnavailable("embedded store is not open")
            return statement(self._db)

        return await self._on_worker(run)

    async def _point(self, statement: Statement[T], *, writes: bool = False) -> T:
        """On the loop's connection; on the worker thread if it would have to wait."""
        db = self._loop_db
        if db is None:
            raise StoreUnavailable("embedded store is not open")
        if writes and self._checkpoint is not None and self._log_writes >= LOG_WRITES_HELD:
            # Held until the checkpoint ends, so that it can finish and the log start over;
            # then written here, not on the worker thread: a write there holds SQLite's lock
            # while it waits for the GIL, and the loop's next writes, finding the database
            # locked, would follow it there (under a stream of writes they all stayed there).
            await asyncio.wait([self._checkpoint])
        for pause_s in (*LOCKED_PAUSES_S, None):
            try:
                result = statement(db)
                break
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                    raise StoreUnavailable(str(exc)) from exc
                if pause_s is None:
                    return await self._run(statement)  # still locked: wait there
                await asyncio.sleep(pause_s)  # another process is writing
            except sqlite3.DatabaseError as exc:  # disk full, corrupt file
                raise StoreUnavailable(str(exc)) from exc
        if writes:
            self._writes += 1
            self._log_writes += 1
            if self._writes % CHECKPOINT_EVERY == 0 and self._checkpoint is None:
                self._checkpoint = asyncio.ensure_future(self._run_checkpoint())
        return result

    async def _run_checkpoint(self) -> None:
        writes_before = self._writes
        try:
            busy, log, done = await self._run(
                lambda db: db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            )
            if not busy and log == done and self._writes == writes_before:
                self._log_writes = 0  # all copied, nothing since: the next write starts over
        finally:
            self._checkpoint = None

    async def ping(self) -> None:
        """A write, not a read: a full disk or a read-only file still answers reads."""

        def write(db: sqlite3.Connection) -> None:
            db.execute("INSERT OR REPLACE INTO health (id, at) VALUES (1, datetime('now'))")

        await self._run(write)

    async def read(self, pk: str, doc_id: str) -> Document | None:
        def read(db: sqlite3.Connection) -> Document | None:
            with members.snapshot(db):
                row = db.execute(
                    "SELECT etag, body FROM documents WHERE pk=? AND id=?", (pk, doc_id)
                ).fetchone()
                if row is None:
                    return None
                return Document(pk, doc_id, members.assemble(db, pk, doc_id, row[1]), row[0])

        return await self._point(read)

    async def read_if_changed(self, known: Document) -> Document | None:
        pk, doc_id = known.pk, known.id

        def read(db: sqlite3.Connection) -> Document | None:
            with members.snapshot(db):
                row = db.execute(
                    "SELECT etag, CASE WHEN etag=? THEN NULL ELSE body END FROM documents "
                    "WHERE pk=? AND id=?",
                    (known.etag, pk, doc_id),
                ).fetchone()
                if row is None:
                    return None
                if row[1] is None:
                    return known
                return Document(pk, doc_id, members.read_since(db, known, row[1], row[0]), row[0])

        return await self._point(read)

    async def create(self, pk: str, doc_id: str, body: dict[str, Any]) -> Document:
        etag, text = members.whole_etag(), _encode(body)

        def create(db: sqlite3.Connection) -> None:
            try:
                db.execute(
                    "INSERT INTO documents (pk, id, etag, body) VALUES (?, ?, ?, ?)",
                    (pk, doc_id, etag, text),
                )
            except sqlite3.IntegrityError as exc:
                raise AlreadyExists(f"{pk}/{doc_id}") from exc

        await self._point(create, writes=True)
        return Document(pk, doc_id, dict(body), etag)

    async def replace(self, pk: str, doc_id: str, body: dict[str, Any], *, etag: str) -> Document:
        new_etag, text = members.whole_etag(), _encode(body)

        def replace(db: sqlite3.Connection) -> None:
            with members.transaction(db):
                changed = db.execute(
                    "UPDATE documents SET etag=?, body=? WHERE pk=? AND id=? AND etag=?",
                    (new_etag, text, pk, doc_id, etag),
                ).rowcount
                if changed == 0:
                    exists = db.execute(
                        "SELECT 1 FROM documents WHERE pk=? AND id=?", (pk, doc_id)
                    ).fetchone()
                    raise EtagMismatch(f"{pk}/{doc_id}") if exists else NotFound(f"{pk}/{doc_id}")
                members.drop_members(db, pk, doc_id)

        await self._point(replace, writes=True)
        return Document(pk, doc_id, body, new_etag)

    async def upsert(self, pk: str, doc_id: str, body: dict[str, Any]) -> Document:
        etag, text = members.whole_etag(), _encode(body)

        def upsert(db: sqlite3.Connection) -> None:
            with members.transaction(db):
                db.execute(
                    "INSERT INTO documents (pk, id, etag, body) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (pk, id) DO UPDATE SET etag=excluded.etag, body=excluded.body",
                    (pk, doc_id, etag, text),
                )
                members.drop_members(db, pk, doc_id)

        await self._point(upsert, writes=True)
        return Document(pk, doc_id, dict(body), etag)

    async def patch(
        self, pk: str, doc_id: str, operations: list[PatchOperation], *, etag: str
    ) -> str:
        return await self._point(
            lambda db: members.patch(db, pk, doc_id, operations, etag=etag), writes=True
        )

    async def delete(self, pk: str, doc_id: str) -> None:
        def delete(db: sqlite3.Connection) -> None:
            with members.transaction(db):
                db.execute("DELETE FROM documents WHERE pk=? AND id=?", (pk, doc_id))
                members.drop_members(db, pk, doc_id)

        await self._point(delete, writes=True)

    async def list_partition(self, pk: str, id_prefix: str) -> list[Document]:
        def list_(db: sqlite3.Connection) -> list[Document]:
            with members.snapshot(db):
                rows = db.execute(
                    "SELECT id, etag, body FROM documents WHERE pk=? AND substr(id, 1, ?)=? "
                    "ORDER BY id",
                    (pk, len(id_prefix), id_prefix),
                ).fetchall()
                return [
                    Document(pk, r[0], members.assemble(db, pk, r[0], r[2]), r[1]) for r in rows
                ]

        return await self._run(list_)

    async def list_due(self, upper: str, limit: int) -> list[Document]:
        def list_(db: sqlite3.Connection) -> list[Document]:
            with members.snapshot(db):
                rows = db.execute(
                    "SELECT pk, id, etag, body FROM documents "
                    "WHERE json_extract(body, '$.nextNudgeAt') IS NOT NULL "
                    "AND json_extract(body, '$.nextNudgeAt') <= ? "
                    "ORDER BY json_extract(body, '$.nextNudgeAt') LIMIT ?",
                    (upper, limit),
                ).fetchall()
                return [
                    Document(r[0], r[1], members.assemble(db, r[0], r[1], r[3]), r[2]) for r in rows
                ]

        return await self._run(list_)


def _encode(body: dict[str, Any]) -> str:
    if members.MEMBERS_KEY in body:
        raise ValueError(f"document body uses the reserved key {members.MEMBERS_KEY}")
    return members.encode(body)
