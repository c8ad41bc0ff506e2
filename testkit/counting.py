"""What the store is asked to do: a counting `DocumentStore` proxy (which also times the calls a
turn awaits), an interleaving one that lets a competing writer in after a read, and a wire
counter for the Cosmos DB SDK (azure-core's `raw_request_hook` / `raw_response_hook`)."""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

import orjson

from storage.base import AlreadyExists, Document, DocumentStore, EtagMismatch, PatchOperation

if TYPE_CHECKING:
    from azure.core.pipeline import PipelineRequest, PipelineResponse

# Seconds the turn being timed has spent awaiting store calls (None outside `store_time`).
_store_seconds: ContextVar[list[float] | None] = ContextVar("store_seconds", default=None)


@contextlib.contextmanager
def store_time() -> Iterator[list[float]]:
    """Within this block, `[0]` of the yielded list adds up the seconds this task (and tasks
    it starts) spends awaiting a `CountingStore`'s calls; other tasks' calls do not count."""
    spent = [0.0]
    token = _store_seconds.set(spent)
    try:
        yield spent
    finally:
        _store_seconds.reset(token)


@contextlib.contextmanager
def _timed() -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        spent = _store_seconds.get()
        if spent is not None:
            spent[0] += time.perf_counter() - started


def json_size(body: dict[str, Any] | list[PatchOperation]) -> int:
    """Bytes of a body (or of a patch's operations) as compact UTF-8 JSON, as the embedded
    store writes them and about what Cosmos DB is sent."""
    return len(orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS))


class CountingStore:
    """Counts calls per operation, documents read, etag conflicts, and (when `measure_bytes`)
    the JSON bytes of bodies read and written. Byte counting serialises every body once more,
    so it is off unless asked for (the benchmark turns it on only for the per-click cost)."""

    def __init__(self, inner: DocumentStore) -> None:
        self.inner = inner
        self.measure_bytes = False
        self.calls: Counter[str] = Counter()
        self.docs_read = 0
        self.query_docs_read = 0
        self.conflicts = 0
        self.bytes_read = 0
        self.bytes_written = 0

    def reset(self) -> None:
        self.calls.clear()
        self.docs_read = self.query_docs_read = self.conflicts = 0
        self.bytes_read = self.bytes_written = 0

    def snapshot(self) -> dict[str, Any]:
        return {
            "calls": dict(self.calls),
            "round_trips": sum(n for op, n in self.calls.items() if op != "ping"),
            "docs_read": self.docs_read,
            "query_docs_read": self.query_docs_read,
            "conflicts": self.conflicts,
            "bytes_read": self.bytes_read,
            "bytes_written": self.bytes_written,
        }

    def _read(self, docs: list[Document], *, query: bool = False) -> None:
        self.docs_read += len(docs)
        if query:
            self.query_docs_read += len(docs)
        if self.measure_bytes:
            self.bytes_read += sum(json_size(d.body) for d in docs)

    def _wrote(self, body: dict[str, Any] | list[PatchOperation]) -> None:
        if self.measure_bytes:
            self.bytes_written += json_size(body)

    async def open(self) -> None:
        await self.inner.open()

    async def close(self) -> None:
        await self.inner.close()

    async def ping(self) -> None:
        self.calls["ping"] += 1
        with _timed():
            await self.inner.ping()

    async def read(self, pk: str, doc_id: str) -> Document | None:
        self.calls["read"] += 1
        with _timed():
            doc = await self.inner.read(pk, doc_id)
        self._read([doc] if doc else [])
        return doc

    async def read_if_changed(self, known: Document) -> Document | None:
        self.calls["read"] += 1
        with _timed():
            doc = await self.inner.read_if_changed(known)
        self._read([doc] if doc and doc is not known else [])
        return doc

    async def create(self, pk: str, doc_id: str, body: dict[str, Any]) -> Document:
        self.calls["create"] += 1
        self._wrote(body)
        with _timed():
            return await self.inner.create(pk, doc_id, body)

    async def replace(self, pk: str, doc_id: str, body: dict[str, Any], *, etag: str) -> Document:
        self.calls["replace"] += 1
        self._wrote(body)
        try:
            with _timed():
                return await self.inner.replace(pk, doc_id, body, etag=etag)
        except EtagMismatch:
            self.conflicts += 1
            raise

    async def patch(
        self, pk: str, doc_id: str, operations: list[PatchOperation], *, etag: str
    ) -> str:
        self.calls["patch"] += 1
        self._wrote(operations)
        try:
            with _timed():
                return await self.inner.patch(pk, doc_id, operations, etag=etag)
        except EtagMismatch:
            self.conflicts += 1
            raise

    async def upsert(self, pk: str, doc_id: str, body: dict[str, Any]) -> Document:
        self.calls["upsert"] += 1
        self._wrote(body)
        with _timed():
            return await self.inner.upsert(pk, doc_id, body)

    async def delete(self, pk: str, doc_id: str) -> None:
        self.calls["delete"] += 1
        with _timed():
            await self.inner.delete(pk, doc_id)

    async def list_partition(self, pk: str, id_prefix: str) -> list[Document]:
        self.calls["list_partition"] += 1
        with _timed():
            docs = await self.inner.list_partition(pk, id_prefix)
        self._read(docs, query=True)
        return docs

    async def list_due(self, upper: str, limit: int) -> list[Document]:
        self.calls["list_due"] += 1
        with _timed():
            docs = await self.inner.list_due(upper, limit)
        self._read(docs, query=True)
        return docs


class InterleavingStore(CountingStore):
    """A counting store that, right after the first read of `doc_id`, runs `meanwhile` (a
    competing writer) before handing the now stale document to the caller."""

    def __init__(
        self, inner: DocumentStore, doc_id: str, meanwhile: Callable[[], Awaitable[None]]
    ) -> None:
        super().__init__(inner)
        self.doc_id = doc_id
        self.meanwhile: Callable[[], Awaitable[None]] | None = meanwhile

    async def read(self, pk: str, doc_id: str) -> Document | None:
        doc = await super().read(pk, doc_id)
        if doc_id == self.doc_id and self.meanwhile is not None:
            meanwhile, self.meanwhile = self.meanwhile, None
            await meanwhile()
        return doc


class LostAnswers(CountingStore):
    """Writes applied and then reported refused, as the Cosmos DB SDK reports a write whose
    answer was lost and whose retry met what it had written: the next `patches` patches of
    `patch_id` as EtagMismatch, creates of the ids `creates` picks as AlreadyExists."""

    def __init__(
        self,
        inner: DocumentStore,
        *,
        patch_id: str | None = None,
        patches: int = 1,
        creates: Callable[[str], bool] = lambda doc_id: False,
    ) -> None:
        super().__init__(inner)
        self.patch_id, self.patches, self.creates = patch_id, patches, creates

    async def patch(
        self, pk: str, doc_id: str, operations: list[PatchOperation], *, etag: str
    ) -> str:
        written = await super().patch(pk, doc_id, operations, etag=etag)
        if doc_id == self.patch_id and self.patches > 0:
            self.patches -= 1
            raise EtagMismatch(f"{pk}/{doc_id}")
        return written

    async def create(self, pk: str, doc_id: str, body: dict[str, Any]) -> Document:
        created = await super().create(pk, doc_id, body)
        if self.creates(doc_id):
            raise AlreadyExists(f"{pk}/{doc_id}")
        return created


class WireRequest(NamedTuple):
    """One request as it went on the wire."""

    method: str
    path: str
    # Lower-cased names.
    headers: dict[str, str]


@dataclass
class WireCounter:
    """The HTTP requests the Cosmos DB SDK puts on the wire (retries included: azure-core
    calls the hooks after its retry policy), and their body bytes each way; with `record`,
    also each request's method, path and headers in `recorded` (off under load: it keeps
    every request). Pass `**counter.options()` in the client options (`CosmosStore(...,
    **options)` hands them to the SDK)."""

    record: bool = False
    requests: int = 0
    recorded: list[WireRequest] = field(default_factory=list)
    bytes_sent: int = 0
    bytes_received: int = 0
    by_method: Counter[str] = field(default_factory=Counter)

    def on_request(self, request: PipelineRequest[Any]) -> None:
        http = request.http_request
        self.requests += 1
        self.by_method[http.method] += 1
        if self.record:
            headers = {k.lower(): str(v) for k, v in http.headers.items()}
            self.recorded.append(WireRequest(http.method, urlsplit(http.url).path, headers))
        body = http.body
        if isinstance(body, bytes | bytearray):
            self.bytes_sent += len(body)
        elif isinstance(body, str):
            self.bytes_sent += len(body.encode())

    def on_response(self, response: PipelineResponse[Any, Any]) -> None:
        http = response.http_response
        try:
            self.bytes_received += len(http.body())
        except Exception:  # a streamed body not loaded yet: fall back to the header
            self.bytes_received += int(http.headers.get("Content-Length") or 0)

    def options(self) -> dict[str, Any]:
        return {"raw_request_hook": self.on_request, "raw_response_hook": self.on_response}

    def reset(self) -> None:
        self.requests = self.bytes_sent = self.bytes_received = 0
        self.recorded.clear()
        self.by_method.clear()

    def snapshot(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "by_method": dict(self.by_method),
            "bytes_sent": self.bytes_sent,
            "bytes_received": self.bytes_received,
        }


if TYPE_CHECKING:

    def _implements_the_protocol(store: CountingStore) -> DocumentStore:
        return store
