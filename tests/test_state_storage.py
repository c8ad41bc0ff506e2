"""botbuilder's Storage contract on our document store, on both backends."""

from __future__ import annotations

import pytest
from botbuilder.core import StoreItem

from bot.state_storage import DocumentStoreStorage
from storage.base import DocumentStore


class Draft(StoreItem):
    def __init__(self, text: str = "", e_tag: str = "*") -> None:
        super().__init__(text=text, e_tag=e_tag)


async def test_read_write_delete_round_trip(document_store: DocumentStore) -> None:
    storage = DocumentStoreStorage(document_store)
    key = "msteams/conversations/19:a@thread.tacv2;messageid=1/"
    assert await storage.read([key]) == {}
    await storage.write({key: {"setupDraft": {"name": "Contoso 온보딩"}}})
    [(read_key, value)] = (await storage.read([key])).items()
    assert read_key == key and value["setupDraft"] == {"name": "Contoso 온보딩"}
    assert value["e_tag"]
    await storage.delete([key])
    assert await storage.read([key]) == {}


async def test_a_stale_etag_is_a_conflict_and_changes_nothing(
    document_store: DocumentStore,
) -> None:
    storage = DocumentStoreStorage(document_store)
    await storage.write({"k": {"n": 1}})
    first = (await storage.read(["k"]))["k"]
    await storage.write({"k": {**first, "n": 2}})  # someone else writes with the fresh etag
    with pytest.raises(KeyError):
        await storage.write({"k": {**first, "n": 3}})  # our etag is stale now
    assert (await storage.read(["k"]))["k"]["n"] == 2
    await storage.write({"k": {"n": 4, "e_tag": "*"}})  # '*' overwrites
    assert (await storage.read(["k"]))["k"]["n"] == 4


async def test_store_items_round_trip(document_store: DocumentStore) -> None:
    storage = DocumentStoreStorage(document_store)
    await storage.write({"item": Draft("hello")})
    item = (await storage.read(["item"]))["item"]
    assert isinstance(item, Draft) and item.text == "hello" and item.e_tag != "*"
