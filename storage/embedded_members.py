"""How the embedded store keeps a patched document: its top-level objects entry by entry.

A document written whole is one row of `documents`. A patch moves each of its top-level
objects of more than INLINE_ENTRIES entries (an engagement's task records, own tasks, applied
ops) into `members`, one row per entry, and lists them under MEMBERS_KEY in the remaining
body. A patch then rewrites the rows it names and the small remaining body, however many
tasks the engagement has; a read puts the document together again, entries in the order they
were added (rowid order, so "oldest first" maps such as the applied ops keep their order).
Small objects (the schedule, the profile) stay in the body: moving them into rows would cost
every patch that sets one whole a delete and an insert per entry, and every read a join,
for bodies that are rewritten anyway. A whole write (replace, upsert) stores the document
whole again.

A reader that knows an earlier version of the document reads only what was written since
(`read_since`), instead of putting ~1,000 rows together again. For that an etag names its
version, `<lineage>.<revision>`: a whole write starts a new lineage at revision 0, a patch
adds one. Each member row carries the revision that last wrote it, and MEMBERS_KEY maps each
member to the last revision that may have dropped entries from it (a removed entry, the
object set whole, the object first moved into rows). Files written before revisions have
plain etags and rows of revision 0: they are read whole, until a patch starts a lineage.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson

from storage.base import Document, EtagMismatch, NotFound, PatchOperation, StoreError
from storage.patches import segments

SCHEMA = """
CREATE TABLE IF NOT EXISTS members (
    pk      TEXT NOT NULL,
    id      TEXT NOT NULL,
    member  TEXT NOT NULL,
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    UNIQUE (pk, id, member, key)
);
"""
# Files written before rows carried their revision get the column (their rows read as
# revision 0, older than any revision a reader can know) and, like new files, its index.
_VERSION_COLUMN = "ALTER TABLE members ADD COLUMN version INTEGER NOT NULL DEFAULT 0"
_VERSION_INDEX = "CREATE INDEX IF NOT EXISTS members_version ON members (pk, id, version)"
# In a stored body: the top-level objects kept in `members`, each with the last revision
# that may have dropped entries from it (a list of names in files written before
# revisions). Never in a caller's body (Cosmos DB reserves names starting with "_" too).
MEMBERS_KEY = "_members"
# Objects of more entries than this are kept in rows (see the module doc): above the few
# keys of the schedule or a reference, below the catalog's 37 task records.
INLINE_ENTRIES = 16
_ABSENT = object()

_UPSERT = (
    "INSERT INTO members (pk, id, member, key, value, version) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (pk, id, member, key) DO UPDATE SET value=excluded.value, "
    "version=excluded.version"
)


def migrate(db: sqlite3.Connection) -> None:
    """Brings a file written before revisions up to date; another process opening the same
    file may be doing it at the same moment."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(members)")}
    if "version" not in columns:
        try:
            db.execute(_VERSION_COLUMN)
        except sqlite3.OperationalError as exc:
            if "duplicate column" not in str(exc):
                raise
    db.execute(_VERSION_INDEX)


def encode(value: Any) -> str:
    # Text, not bytes: SQLite's JSON functions (the nudge index) read a TEXT column as JSON.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def whole_etag() -> str:
    """The etag of a document written whole: a new lineage, at revision 0."""
    return f"{uuid.uuid4().hex}.0"


def _version(etag: str) -> tuple[str, int] | None:
    """(lineage, revision) of an etag; None for one written before revisions."""
    lineage, _, revision = etag.rpartition(".")
    return (lineage, int(revision)) if lineage and revision.isdigit() else None


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
        _put_members(db, (pk, doc_id), body, names)
    return body


def _put_members(
    db: sqlite3.Connection, where: tuple[str, str], body: dict[str, Any], names: Any
) -> None:
    entries: dict[str, list[str]] = {name: [] for name in names}
    rows = db.execute(
        "SELECT member, json_quote(key) || ':' || value FROM members "
        "WHERE pk=? AND id=? ORDER BY rowid",
        where,
    )
    for member, entry in rows:
        entries[member].append(entry)
    for name, found in entries.items():
        body[name] = _object(found)


def _object(entries: Iterable[str]) -> dict[str, Any]:
    """The object of `"key":value` entries (as the queries put them together)."""
    parsed: dict[str, Any] = orjson.loads("{" + ",".join(entries) + "}")
    return parsed


def read_since(db: sqlite3.Connection, known: Document, text: str, etag: str) -> dict[str, Any]:
    """What `assemble` reads for the document stored as `text` at `etag`, from the rows
    written since `known` (an earlier version of it) and what `known` holds. Members that
    did not change are `known`'s own objects; `known` itself is not changed."""
    body: dict[str, Any] = orjson.loads(text)
    names = body.pop(MEMBERS_KEY, None)
    if not names:
        return body
    where = (known.pk, known.id)
    now, then = _version(etag), _version(known.etag)
    if now is None or then is None or now[0] != then[0] or not isinstance(names, dict):
        _put_members(db, where, body, names)
        return body
    since = then[1]
    written: dict[str, list[str]] = {}
    rows = db.execute(
        "SELECT member, json_quote(key) || ':' || value FROM members "
        "WHERE pk=? AND id=? AND version>? ORDER BY rowid",
        (*where, since),
    )
    for member, entry in rows:
        written.setdefault(member, []).append(entry)
    for name, dropped_at in names.items():
        entries = known.body.get(name)
        if not isinstance(entries, dict):
            body[name] = _member(db, where, name)
            continue
        if dropped_at > since:
            keys = db.execute(
                "SELECT key FROM members WHERE pk=? AND id=? AND member=?", (*where, name)
            )
            kept = {key for (key,) in keys}
            entries = {key: value for key, value in entries.items() if key in kept}
        changes = written.get(name)
        if changes:
            entries = {**entries, **_object(changes)}
        body[name] = entries
    return body


def _member(db: sqlite3.Connection, where: tuple[str, str], name: str) -> dict[str, Any]:
    rows = db.execute(
        "SELECT json_quote(key) || ':' || value FROM members "
        "WHERE pk=? AND id=? AND member=? ORDER BY rowid",
        (*where, name),
    )
    return _object(entry for (entry,) in rows)


def drop_members(db: sqlite3.Connection, pk: str, doc_id: str) -> None:
    db.execute("DELETE FROM members WHERE pk=? AND id=?", (pk, doc_id))


def patch(
    db: sqlite3.Connection, pk: str, doc_id: str, operations: list[PatchOperation], *, etag: str
) -> str:
    """Applies `operations` if the document is still at `etag`; its new etag."""
    with transaction(db):
        row = db.execute("SELECT etag, body FROM documents WHERE pk=? AND id=?", (pk, doc_id))
        found = row.fetchone()
        if found is None:
            raise NotFound(f"{pk}/{doc_id}")
        if found[0] != etag:
            raise EtagMismatch(f"{pk}/{doc_id}")
        # A document last written before revisions starts a lineage here.
        lineage, revision = _version(etag) or (uuid.uuid4().hex, 0)
        body: dict[str, Any] = orjson.loads(found[1])
        names = body.pop(MEMBERS_KEY, None) or {}
        rows = _Rows(db, (pk, doc_id), revision + 1, names)
        for operation in operations:
            rows.apply(body, operation)
        for name, value in list(body.items()):
            if isinstance(value, dict) and len(value) > INLINE_ENTRIES:
                rows.split(body, name)
        if rows.split_at:
            body[MEMBERS_KEY] = dict(sorted(rows.split_at.items()))
        new_etag = f"{lineage}.{rows.revision}"
        db.execute(
            "UPDATE documents SET etag=?, body=? WHERE pk=? AND id=?",
            (new_etag, encode(body), pk, doc_id),
        )
        return new_etag


class _Rows:
    """The member rows of one document, written at one revision."""

    def __init__(
        self, db: sqlite3.Connection, where: tuple[str, str], revision: int, names: Any
    ) -> None:
        self.db, self.where, self.revision = db, where, revision
        # Member → the last revision that may have dropped entries from it. Names listed
        # before revisions: whatever they dropped, no reader knows a revision before now.
        self.split_at: dict[str, int] = (
            dict(names) if isinstance(names, dict) else dict.fromkeys(names, 0)
        )

    def split(self, body: dict[str, Any], name: str) -> None:
        """Moves the object `name` of `body` into rows."""
        self.db.executemany(
            _UPSERT,
            [
                (*self.where, name, key, encode(value), self.revision)
                for key, value in body.pop(name).items()
            ],
        )
        self.split_at[name] = self.revision

    def apply(self, body: dict[str, Any], operation: PatchOperation) -> None:
        op, path = operation["op"], operation["path"]
        names = segments(path)
        if len(names) == 1:
            name = names[0]
            present = name in body or name in self.split_at
            if self.split_at.pop(name, None) is not None:
                self.db.execute(
                    "DELETE FROM members WHERE pk=? AND id=? AND member=?", (*self.where, name)
                )
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
        if name not in self.split_at:
            inline = body.get(name)
            if not isinstance(inline, dict):
                raise StoreError(f"patch {op} {path}: no object at /{name}")
            if op == "set":
                inline[key] = operation["value"]
            elif op == "remove":
                if inline.pop(key, _ABSENT) is _ABSENT:
                    raise StoreError(f"patch remove {path}: absent")
            else:
                raise StoreError(f"patch {op} {path}: not applicable")
            return
        if op == "set":
            self.db.execute(
                _UPSERT, (*self.where, name, key, encode(operation["value"]), self.revision)
            )
        elif op == "remove":
            gone = self.db.execute(
                "DELETE FROM members WHERE pk=? AND id=? AND member=? AND key=?",
                (*self.where, name, key),
            )
            if gone.rowcount == 0:
                raise StoreError(f"patch remove {path}: absent")
            self.split_at[name] = self.revision
        else:
            raise StoreError(f"patch {op} {path}: not applicable")
