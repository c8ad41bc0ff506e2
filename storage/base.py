"""The one storage interface: a small document store shaped after Azure Cosmos DB.

Documents live in logical partitions (`pk`) and carry an opaque `etag` that changes on every
write, so callers get optimistic concurrency the same way on every backend. Both backends
(embedded SQLite and Cosmos DB) pass the same contract suite in tests/test_store_contract.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

# One change of a patch, in Cosmos DB's JSON Patch form: {"op": "set", "path": "/a/b", "value":
# ...}. Backends support the subset the repository makes (storage/patches.py): `set` and
# `remove` of a top-level property or of an entry of a top-level object, and `add` at `/a/-`
# (append to a top-level array). Path segments escape "~" and "/" as "~0" and "~1".
PatchOperation = dict[str, Any]
# Cosmos DB applies at most this many operations in one patch.
MAX_PATCH_OPERATIONS = 10


class StoreError(Exception):
    """Base of everything a backend raises."""


class StoreUnavailable(StoreError):
    """The store cannot be reached or is throttling beyond its retries. A write that timed out
    may or may not have been applied; the op ids the engagement remembers make a retry safe."""


class AlreadyExists(StoreError):
    """A create met a document with the same id in the same partition."""


class EtagMismatch(StoreError):
    """A conditional write met a document changed since it was read."""


class NotFound(StoreError):
    """A conditional write met no document."""


@dataclass(frozen=True)
class Document:
    pk: str
    id: str
    body: dict[str, Any]
    etag: str


class DocumentStore(Protocol):
    async def open(self) -> None:
        """Connects and creates whatever the backend needs (files, database, containers)."""

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Raises StoreUnavailable when the store cannot serve requests."""

    async def read(self, pk: str, doc_id: str) -> Document | None: ...

    async def read_if_changed(self, known: Document) -> Document | None:
        """As `read`, but `known` itself while its etag is still the stored one, and then the
        document is not sent again (Cosmos DB answers 304 Not Modified)."""

    async def create(self, pk: str, doc_id: str, body: dict[str, Any]) -> Document:
        """Raises AlreadyExists when the id is taken."""

    async def replace(self, pk: str, doc_id: str, body: dict[str, Any], *, etag: str) -> Document:
        """Writes only if the stored etag still equals `etag` (EtagMismatch, NotFound otherwise)."""

    async def patch(
        self, pk: str, doc_id: str, operations: list[PatchOperation], *, etag: str
    ) -> str:
        """Applies `operations` (at most MAX_PATCH_OPERATIONS) in one atomic write, only if the
        stored etag still equals `etag` (EtagMismatch, NotFound otherwise); the new etag."""

    async def upsert(self, pk: str, doc_id: str, body: dict[str, Any]) -> Document: ...

    async def delete(self, pk: str, doc_id: str) -> None:
        """Deleting a missing document is not an error."""

    async def list_partition(self, pk: str, id_prefix: str) -> list[Document]:
        """Documents of one partition whose id starts with `id_prefix`, ordered by id."""

    async def list_due(self, upper: str, limit: int) -> list[Document]:
        """Across partitions: up to `limit` documents whose `nextNudgeAt` (a fixed-width UTC
        timestamp string) is at most `upper`, earliest first. Backends index that field, so
        the cost follows the number of due documents, not the size of the store."""
