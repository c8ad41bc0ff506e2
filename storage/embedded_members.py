"""How the embedded store keeps a patched document: its top-level objects entry by entry.

A document written whole is one row of `documents`. The first patch moves each of its
top-level objects (an engagement's task records, own tasks, applied ops) into `members`, one
row per entry, and lists them under MEMBERS_KEY in the remaining body. A patch then rewrites
the rows it names and the small remaining body, however many tasks the engagement has; a
read puts the document together again, entries in the order they were added (rowid order, so
"oldest first" maps such as the applied ops keep their order). A whole write (replace,
upsert) stores the document whole again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson

from storage.base import EtagMismatch, NotFound, PatchOperation, StoreError
from storage.patches import segments

SCHEMA = """
CREATE TABLE IF NOT EXISTS members (
    pk     TEXT NOT NULL,
    id     TEXT NOT NULL,
    member TEXT NOT NULL,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    UNIQUE (pk, id, member, key)
);
"""
# In a stored body: the top-level objects kept in `members`. Never in a caller's body (Cosmos
# DB reserves names starting with "_" too).
MEMBERS_KEY = "_members"

_UPSERT = (
    "INSERT INTO members (pk, id, member, key, value) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (pk, id, member, key) DO UPDATE SET value=excluded.value"
)


def encode(value: Any) -> str:
    # Text, not bytes: SQLite's JSON functions (the nudge index) read a TEXT column as JSON.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT on an autocommit connection; rolled back on any error."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


@contextmanager
def snapshot(db: sqlite3.Connection) -> Iterator[None]:
    """Reads in one transaction, so a body and its member rows are of the same write (another
    thread's or process's connection may commit in between two statements)."""
    db.execute("BEGIN")
    try:
        yield
    finally:
        db.execute("COMMIT")  # it only read: nothing to roll back


def assemble(db: sqlite3.Connection, pk: str, doc_id: str, text: str) -> dict[str, Any]:
    """The document as written: the stored body with its members put back."""
    body: dict[str, Any] = orjson.loads(text)
    names = body.pop(MEMBERS_KEY, None)
    if names:
        entries: dict[str, list[str]] = {name: [] for name in names}
        rows = db.execute(
            "SELECT member, json_quote(key) || ':' || value FROM members "
            "WHERE pk=? AND id=? ORDER BY rowid",
            (pk, doc_id),
        )
        for member, entry in rows:
            entries[member].append(entry)
        for name, found in entries.items():
            body[name] = orjson.loads("{" + ",".join(found) + "}")
    return body


def drop_members(db: sqlite3.Connection, pk: str, doc_id: str) -> None:
    db.execute("DELETE FROM members WHERE pk=? AND id=?", (pk, doc_id))


def patch(
    db: sqlite3.Connection,
    pk: str,
    doc_id: str,
    operations: list[PatchOperation],
    *,
    etag: str,
    new_etag: str,
) -> None:
    with transaction(db):
        row = db.execute("SELECT etag, body FROM documents WHERE pk=? AND id=?", (pk, doc_id))
        found = row.fetchone()
        if found is None:
            raise NotFound(f"{pk}/{doc_id}")
        if found[0] != etag:
            raise EtagMismatch(f"{pk}/{doc_id}")
        body: dict[str, Any] = orjson.loads(found[1])
        split = set(body.pop(MEMBERS_KEY, ()))
        for operation in operations:
            _apply(db, (pk, doc_id), body, split, operation)
        for name, value in list(body.items()):
            if isinstance(value, dict):
                _split(db, (pk, doc_id), body, split, name)
        if split:
            body[MEMBERS_KEY] = sorted(split)
        db.execute(
            "UPDATE documents SET etag=?, body=? WHERE pk=? AND id=?",
            (new_etag, encode(body), pk, doc_id),
        )


def _split(
    db: sqlite3.Connection, where: tuple[str, str], body: dict[str, Any], split: set[str], name: str
) -> None:
    db.executemany(
        _UPSERT, [(*where, name, key, encode(value)) for key, value in body.pop(name).items()]
    )
    split.add(name)


def _apply(
    db: sqlite3.Connection,
    where: tuple[str, str],
    body: dict[str, Any],
    split: set[str],
    operation: PatchOperation,
) -> None:
    op, path = operation["op"], operation["path"]
    names = segments(path)
    if len(names) == 1:
        name = names[0]
        present = name in body or name in split
        if name in split:
            db.execute("DELETE FROM members WHERE pk=? AND id=? AND member=?", (*where, name))
            split.discard(name)
        if op == "set":
            body[name] = operation["value"]
        elif op == "remove" and present:
            body.pop(name, None)
        else:
            raise StoreError(f"patch {op} {path}: not applicable")
        return
    if len(names) != 2:
        raise StoreError(f"patch {op} {path}: paths have at most two names")
    name, key = names
    if op == "add" and key == "-" and isinstance(body.get(name), list):
        body[name].append(operation["value"])
        return
    if name not in split:
        if not isinstance(body.get(name), dict):
            raise StoreError(f"patch {op} {path}: no object at /{name}")
        _split(db, where, body, split, name)
    if op == "set":
        db.execute(_UPSERT, (*where, name, key, encode(operation["value"])))
    elif op == "remove":
        gone = db.execute(
            "DELETE FROM members WHERE pk=? AND id=? AND member=? AND key=?", (*where, name, key)
        )
        if gone.rowcount == 0:
            raise StoreError(f"patch remove {path}: absent")
    else:
        raise StoreError(f"patch {op} {path}: not applicable")
