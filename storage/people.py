"""Per-person documents, in the person's owner-index partition (storage/repository.py):
one `person` document beside the index entries, which are named by engagement id, and the
membership entries (`member-<engagement id>`): the team and group-chat engagements the
person was seen in, which their personal chat lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from domain.reminders import PersonalReminders
from storage.base import AlreadyExists, DocumentStore, EtagMismatch, NotFound, StoreUnavailable
from storage.repository import ENGAGEMENT_PREFIX, MAX_WRITE_ATTEMPTS, owner_partition

R = TypeVar("R")

PERSON_DOC = "person"
MEMBER_PREFIX = "member-"


class PeopleRepository:
    def __init__(self, store: DocumentStore) -> None:
        self._store = store

    async def reminders(self, person_id: str) -> PersonalReminders:
        doc = await self._store.read(owner_partition(person_id), PERSON_DOC)
        return _reminders(doc.body if doc else None)

    async def record_membership(self, person_id: str, engagement_id: str, tenant_id: str) -> None:
        """Notes that the person is in the engagement's conversation (idempotent)."""
        body = {"type": "memberIndex", "tenantId": tenant_id}
        await self._store.upsert(owner_partition(person_id), MEMBER_PREFIX + engagement_id, body)

    async def forget_membership(self, person_id: str, engagement_id: str) -> None:
        await self._store.delete(owner_partition(person_id), MEMBER_PREFIX + engagement_id)

    async def engagements_of(self, person_id: str) -> tuple[set[str], set[str]]:
        """The engagements the person's partition names, in one query: those they were
        recorded in, and those they own tasks in (hints, to be verified)."""
        docs = await self._store.list_partition(owner_partition(person_id), "")
        recorded = {
            d.id.removeprefix(MEMBER_PREFIX) for d in docs if d.id.startswith(MEMBER_PREFIX)
        }
        owned = {d.id for d in docs if d.id.startswith(ENGAGEMENT_PREFIX)}
        return recorded, owned

    async def is_member(self, person_id: str, engagement_id: str) -> bool:
        entry = await self._store.read(owner_partition(person_id), MEMBER_PREFIX + engagement_id)
        return entry is not None

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
