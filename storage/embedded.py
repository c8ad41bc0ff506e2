"""The embedded default store: one SQLite file under BOT_DATA_DIR.

SQLite gives durable, atomic writes with nothing to install, and several bot processes on one
machine can share the file. Every call runs on one worker thread so the event loop never
blocks on disk and the connection is never shared between threads.
"""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import orjson

from storage.base import AlreadyExists, Document, EtagMismatch, NotFound, StoreUnavailable

T = TypeVar("T")

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
"""


class EmbeddedStore:
    def __init__(self, data_dir: Path) -> None:
        self._path = data_dir / "bot.sqlite3"
        self._executor: ThreadPoolExecutor | None = None
        self._db: sqlite3.Connection | None = None

    async def open(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedded-store")
        await self._run(self._connect)

    def _connect(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        # WAL + NORMAL survives a crash or kill of the process (the restart case); busy_timeout
        # lets a second bot process on the same file wait for the lock instead of failing.
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=5000")
        db.executescript(_SCHEMA)
        self._db = db

    async def close(self) -> None:
        if self._executor is None:
            return
        await self._run(self._disconnect)
        self._executor.shutdown(wait=True)
        self._executor = None

    def _disconnect(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    async def _run(self, fn: Callable[[], T]) -> T:
        if self._executor is None:
            raise StoreUnavailable("embedded store is not open")
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, fn)
        except sqlite3.DatabaseError as exc:  # locked, disk full, corrupt file
            raise StoreUnavailable(str(exc)) from exc

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise StoreUnavailable("embedded store is not open")
        return self._db

    async def ping(self) -> None:
        await self._run(lambda: self._conn().execute("SELECT 1").fetchone())

    async def read(self, pk: str, doc_id: str) -> Document | None:
        def read() -> Document | None:
            row = (
                self._conn()
                .execute("SELECT etag, body FROM documents WHERE pk=? AND id=?", (pk, doc_id))
                .fetchone()
            )
            return Document(pk, doc_id, orjson.loads(row[1]), row[0]) if row else None

        return await self._run(read)

    async def create(self, pk: str, doc_id: str, body: dict[str, Any]) -> Document:
        etag = _new_etag()

        def create() -> None:
            text = _encode(body)
            try:
                self._conn().execute(
                    "INSERT INTO documents (pk, id, etag, body) VALUES (?, ?, ?, ?)",
                    (pk, doc_id, etag, text),
                )
            except sqlite3.IntegrityError as exc:
                raise AlreadyExists(f"{pk}/{doc_id}") from exc

        await self._run(create)
        return Document(pk, doc_id, dict(body), etag)

    async def replace(self, pk: str, doc_id: str, body: dict[str, Any], *, etag: str) -> Document:
        new_etag = _new_etag()

        def replace() -> None:
            text = _encode(body)
            db = self._conn()
            changed = db.execute(
                "UPDATE documents SET etag=?, body=? WHERE pk=? AND id=? AND etag=?",
                (new_etag, text, pk, doc_id, etag),
            ).rowcount
            if changed == 0:
                exists = db.execute(
                    "SELECT 1 FROM documents WHERE pk=? AND id=?", (pk, doc_id)
                ).fetchone()
                raise EtagMismatch(f"{pk}/{doc_id}") if exists else NotFound(f"{pk}/{doc_id}")

        await self._run(replace)
        return Document(pk, doc_id, body, new_etag)

    async def upsert(self, pk: str, doc_id: str, body: dict[str, Any]) -> Document:
        etag, text = _new_etag(), _encode(body)
        await self._run(
            lambda: self._conn().execute(
                "INSERT INTO documents (pk, id, etag, body) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (pk, id) DO UPDATE SET etag=excluded.etag, body=excluded.body",
                (pk, doc_id, etag, text),
            )
        )
        return Document(pk, doc_id, dict(body), etag)

    async def delete(self, pk: str, doc_id: str) -> None:
        await self._run(
            lambda: self._conn().execute("DELETE FROM documents WHERE pk=? AND id=?", (pk, doc_id))
        )

    async def list_partition(self, pk: str, id_prefix: str) -> list[Document]:
        def list_() -> list[Document]:
            rows = self._conn().execute(
                "SELECT id, etag, body FROM documents WHERE pk=? AND substr(id, 1, ?)=? "
                "ORDER BY id",
                (pk, len(id_prefix), id_prefix),
            )
            return [Document(pk, r[0], orjson.loads(r[2]), r[1]) for r in rows]

        return await self._run(list_)

    async def list_due(self, upper: str, limit: int) -> list[Document]:
        def list_() -> list[Document]:
            rows = self._conn().execute(
                "SELECT pk, id, etag, body FROM documents "
                "WHERE json_extract(body, '$.nextNudgeAt') IS NOT NULL "
                "AND json_extract(body, '$.nextNudgeAt') <= ? "
                "ORDER BY json_extract(body, '$.nextNudgeAt') LIMIT ?",
                (upper, limit),
            )
            return [Document(r[0], r[1], orjson.loads(r[3]), r[2]) for r in rows]

        return await self._run(list_)


def _encode(body: dict[str, Any]) -> str:
    # Text, not bytes: SQLite's JSON functions (the nudge index) read a TEXT column as JSON.
    return orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS).decode()


def _new_etag() -> str:
    return uuid.uuid4().hex
