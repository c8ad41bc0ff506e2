"""botbuilder's `Storage` on our document store, so botbuilder state (ConversationState,
dialog state) lives in the same store as everything else: SQLite locally, Cosmos DB in
production. (botbuilder-azure's Cosmos storage pins an old SDK and blocks the event loop.)

Each key is its own partition and document; values are jsonpickled as botbuilder's own
storages do, so state objects round-trip. The document's etag is the StoreItem's `e_tag`.
"""

from __future__ import annotations

import hashlib
from typing import Any

import jsonpickle
from botbuilder.core import Storage

from storage.base import DocumentStore, EtagMismatch, NotFound

STATE_DOC = "state"


def _partition(key: str) -> str:
    return "botstate-" + hashlib.sha256(key.encode()).hexdigest()[:40]


def _etag_of(item: Any) -> str | None:
    etag = item.get("e_tag") if isinstance(item, dict) else getattr(item, "e_tag", None)
    return etag if isinstance(etag, str) else None


class DocumentStoreStorage(Storage):
    def __init__(self, store: DocumentStore) -> None:
        super().__init__()
        self._store = store

    async def read(self, keys: list[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key in keys or []:
            doc = await self._store.read(_partition(key), STATE_DOC)
            if doc is None:
                continue
            value = jsonpickle.decode(doc.body["state"])
            if isinstance(value, dict):
                value["e_tag"] = doc.etag
            else:
                value.e_tag = doc.etag
            found[key] = value
        return found

    async def write(self, changes: dict[str, Any]) -> None:
        if changes is None:
            raise ValueError("changes are required")
        for key, item in changes.items():
            etag = _etag_of(item)
            value = (
                {k: v for k, v in item.items() if k != "e_tag"} if isinstance(item, dict) else item
            )
            body = {"type": "botState", "key": key[:500], "state": jsonpickle.encode(value)}
            pk = _partition(key)
            if etag in (None, "*"):
                await self._store.upsert(pk, STATE_DOC, body)
                continue
            try:
                await self._store.replace(pk, STATE_DOC, body, etag=etag)
            except NotFound:
                await self._store.create(pk, STATE_DOC, body)
            except EtagMismatch as conflict:
                raise KeyError(f"etag conflict for {key!r}") from conflict

    async def delete(self, keys: list[str]) -> None:
        for key in keys:
            await self._store.delete(_partition(key), STATE_DOC)
