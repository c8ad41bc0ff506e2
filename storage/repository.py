"""Engagements on top of the document store.

Partition = one engagement. Its main document holds the task states, the conversation
reference and the newest audit entries, so one card action is one point read plus one
conditional write. Older audit entries move to archive documents in the same partition,
which keeps the hot document small however long the history grows.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import random
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from domain.engagement import AuditEntry, Engagement
from domain.errors import EngagementMissing
from domain.notes import NOTE_PREFIX, Note, note_id
from storage.base import AlreadyExists, Document, DocumentStore, EtagMismatch, StoreUnavailable

R = TypeVar("R")

ENGAGEMENT_DOC = "engagement"
AUDIT_PREFIX = "audit-"
# Entries kept in the engagement document before they are archived in one chunk.
AUDIT_TAIL_LIMIT = 20
MAX_WRITE_ATTEMPTS = 40
MAX_RETRY_PAUSE_S = 0.05


class EngagementRepository:
    def __init__(self, store: DocumentStore) -> None:
        self._store = store

    @property
    def store(self) -> DocumentStore:
        return self._store

    async def get(self, engagement_id: str) -> Engagement | None:
        doc = await self._store.read(engagement_id, ENGAGEMENT_DOC)
        return _engagement(doc) if doc else None

    async def create_if_missing(self, engagement: Engagement) -> tuple[Engagement, bool]:
        """Stores `engagement` unless one exists for its key; returns the stored one and
        whether this call created it (so installation work runs once even when redelivered)."""
        try:
            await self._store.create(engagement.id, ENGAGEMENT_DOC, _body(engagement))
            return engagement, True
        except AlreadyExists:
            existing = await self.get(engagement.id)
            if existing is None:  # deleted in between: try once more from the start
                return await self.create_if_missing(engagement)
            return existing, False

    async def update(
        self,
        engagement_id: str,
        change: Callable[[Engagement], R],
        *,
        current: Document | None = None,
    ) -> tuple[Engagement, R]:
        """Reads, applies `change`, writes back if anything changed; on a concurrent write it
        starts over from fresh state. `change` may run several times and must only touch the
        engagement it is given. Domain errors from `change` propagate with nothing written.
        `current` is a copy the caller already read (saves the first read; its etag guards
        the write like any other)."""
        for attempt in range(MAX_WRITE_ATTEMPTS):
            doc = current if current is not None and attempt == 0 else None
            doc = doc or await self._store.read(engagement_id, ENGAGEMENT_DOC)
            if doc is None:
                raise EngagementMissing()
            engagement = _engagement(doc)
            result = change(engagement)
            body = _body(engagement)
            if body == doc.body:
                return engagement, result
            if len(engagement.audit_tail) > AUDIT_TAIL_LIMIT:
                await self._archive_audit_overflow(engagement, committed_seq=doc.body["auditSeq"])
                body = _body(engagement)
            try:
                await self._store.replace(engagement_id, ENGAGEMENT_DOC, body, etag=doc.etag)
            except EtagMismatch:
                # Full jitter keeps many clicks on one engagement from colliding in lockstep.
                await asyncio.sleep(random.uniform(0, min(MAX_RETRY_PAUSE_S, 0.002 * 2**attempt)))
                continue
            await self._sync_owner_index(engagement, before=doc.body)
            return engagement, result
        raise StoreUnavailable(f"engagement {engagement_id} kept changing; gave up after retries")

    async def _archive_audit_overflow(self, engagement: Engagement, committed_seq: int) -> None:
        """Moves full chunks of already-committed entries out of the engagement document.

        Only committed entries are archived, so an attempt that loses its race never leaves
        an entry behind for a change that did not happen. The chunk id is fixed by its first
        entry: a retry finds the chunk written and only drops the entries from the tail.
        """
        tail = engagement.audit_tail
        while len(tail) > AUDIT_TAIL_LIMIT and tail[AUDIT_TAIL_LIMIT - 1]["seq"] <= committed_seq:
            chunk = tail[:AUDIT_TAIL_LIMIT]
            with contextlib.suppress(AlreadyExists):
                await self._store.create(
                    engagement.id,
                    f"{AUDIT_PREFIX}{chunk[0]['seq']:010d}",
                    {"type": "audit", "entries": chunk},
                )
            del tail[:AUDIT_TAIL_LIMIT]

    async def _sync_owner_index(self, engagement: Engagement, before: dict[str, Any]) -> None:
        """Keeps each owner's index of the engagements where they own tasks, so 'my tasks'
        reads one small partition per person instead of querying every engagement. Written
        after the engagement: a crash in between leaves a stale hint that readers verify
        against the engagement, never a lost change."""
        old = _owners((t, r.get("owner", {}).get("id")) for t, r in before.get("tasks", {}).items())
        new = _owners((t, r.owner.id if r.owner else None) for t, r in engagement.tasks.items())
        for person in {p for p in old.keys() | new.keys() if old.get(p) != new.get(p)}:
            pk = owner_partition(person)
            if new.get(person):
                await self._store.upsert(
                    pk,
                    engagement.id,
                    {
                        "type": "ownerIndex",
                        "tenantId": engagement.key.tenant_id,
                        "tasks": sorted(new[person]),
                    },
                )
            else:
                await self._store.delete(pk, engagement.id)

    async def due_for_nudge(self, upper: str, limit: int) -> list[Document]:
        """Engagement documents whose next nudge is due by `upper` (an indexed query)."""
        return [d for d in await self._store.list_due(upper, limit) if d.id == ENGAGEMENT_DOC]

    async def owned_engagements(self, person_ids: set[str]) -> list[str]:
        """Ids of engagements where any of `person_ids` may own tasks (to be verified)."""
        ids: set[str] = set()
        for person in person_ids:
            ids.update(d.id for d in await self._store.list_partition(owner_partition(person), ""))
        return sorted(ids)

    async def save_note(self, engagement_id: str, note: Note, op_id: str) -> None:
        with contextlib.suppress(AlreadyExists):  # a redelivered note is the same document
            await self._store.create(engagement_id, note_id(note.task_id, op_id), note.to_dict())

    async def notes(self, engagement_id: str, task_id: str) -> list[Note]:
        docs = await self._store.list_partition(engagement_id, f"{NOTE_PREFIX}{task_id}:")
        return sorted((Note.from_dict(d.body) for d in docs), key=lambda note: note.at)

    async def audit_trail(self, engagement_id: str) -> list[AuditEntry]:
        """Every audit entry of the engagement, oldest first."""
        engagement = await self.get(engagement_id)
        if engagement is None:
            return []
        archived = await self._store.list_partition(engagement_id, AUDIT_PREFIX)
        stored = [e for doc in archived for e in doc.body["entries"]] + engagement.audit_tail
        return [AuditEntry.from_dict(e) for e in stored]


def owner_partition(person_id: str) -> str:
    return "owner-" + hashlib.sha256(person_id.encode()).hexdigest()[:40]


def _owners(task_owners: Iterable[tuple[str, str | None]]) -> dict[str, set[str]]:
    owners: dict[str, set[str]] = {}
    for task_id, owner in task_owners:
        if owner:
            owners.setdefault(owner, set()).add(task_id)
    return owners


def _engagement(doc: Document) -> Engagement:
    return Engagement.from_dict(doc.body)


def _body(engagement: Engagement) -> dict[str, object]:
    return {"type": "engagement", **engagement.to_dict()}
