"""Per-person documents, in the person's owner-index partition (storage/repository.py):
one `person` document beside the index entries, which are named by engagement id."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from domain.reminders import PersonalReminders
from storage.base import AlreadyExists, DocumentStore, EtagMismatch, NotFound, StoreUnavailable
from storage.repository import MAX_WRITE_ATTEMPTS, owner_partition

R = TypeVar("R")

PERSON_DOC = "person"


class PeopleRepository:
    def __init__(self, store: DocumentStore) -> None:
        self._store = store

    async def reminders(self, person_id: str) -> PersonalReminders:
        doc = await self._store.read(owner_partition(person_id), PERSON_DOC)
        return _reminders(doc.body if doc else None)

    async def change_reminders(
        self, person_id: str, change: Callable[[PersonalReminders], R]
    ) -> tuple[PersonalReminders, R]:
        """Applies `change` and writes it conditionally (created, or replaced with the etag it
        was read with); on a concurrent write it starts over from a fresh read, so a claim
        made in `change` is taken by one writer only."""
        pk = owner_partition(person_id)
        for _ in range(MAX_WRITE_ATTEMPTS):
            doc = await self._store.read(pk, PERSON_DOC)
            reminders = _reminders(doc.body if doc else None)
            result = change(reminders)
            body = {"type": "person", "reminders": reminders.to_dict()}
            try:
                if doc is None:
                    await self._store.create(pk, PERSON_DOC, body)
                elif body != doc.body:
                    await self._store.replace(pk, PERSON_DOC, body, etag=doc.etag)
            except (AlreadyExists, EtagMismatch, NotFound):
                continue
            return reminders, result
        raise StoreUnavailable("a person's reminders kept changing; gave up after retries")


def _reminders(body: dict[str, object] | None) -> PersonalReminders:
    stored = body.get("reminders") if body else None
    return PersonalReminders.from_dict(stored) if isinstance(stored, dict) else PersonalReminders()
