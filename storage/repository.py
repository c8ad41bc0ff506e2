"""Engagements on top of the document store.

Partition = one engagement. Its main document holds the task states, the conversation
reference and the newest audit entries, so one card action is at most one point read plus one
conditional write. That write is a patch of what the change touched (storage/patches.py: a
task's record, the audit entry, the applied op), so its cost does not grow with the number of
tasks; a change touching more entries than a patch can carry (a pasted checklist) sets whole
properties instead, and past that replaces the document. Older audit entries move to archive
documents in the same partition, and the engagement's own tasks live in a document of their
own (storage/layout.py), which keeps the hot document small however long the history and
the remediation checklist grow.

The repository remembers the last engagement documents it read or wrote. That copy is only a
guess at the stored state: a change applied to it is written with its etag, so another
instance's write in between fails the write and the change is applied again to a fresh read.
A click on an engagement this process served last therefore costs one write and no read.
Changes to one engagement from this process wait for each other instead of racing on its etag.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
from collections import OrderedDict
from collections.abc import Callable, Container, Iterable
from datetime import datetime, timedelta
from typing import Any, NamedTuple, TypeVar

from domain.engagement import AuditEntry, Engagement, utc_iso
from domain.errors import EngagementMissing
from domain.notes import NOTE_PREFIX, Note, note_id
from storage.base import (
    AlreadyExists,
    Document,
    DocumentStore,
    EtagMismatch,
    NotFound,
    PatchOperation,
    StoreError,
    StoreUnavailable,
)
from storage.layout import joined, own_tasks_name, stored_form
from storage.patches import body_patch, pointer, segments

R = TypeVar("R")

log = logging.getLogger(__name__)

ENGAGEMENT_DOC = "engagement"
# Engagement ids (domain EngagementKey); in an owner partition, the index entries' ids.
ENGAGEMENT_PREFIX = "eng-"
SETUP_DRAFT_DOC = "setup-draft"
# A pasted checklist too long to carry back on its preview card (dialogs/own_tasks.py).
CHECKLIST_DRAFT_DOC = "checklist-draft"
LIVE_CARDS_DOC = "live-cards"
AUDIT_PREFIX = "audit-"
# Entries kept in the engagement document before they are archived in one chunk.
AUDIT_TAIL_LIMIT = 20
MAX_WRITE_ATTEMPTS = 40
# Reads of an engagement whose own-tasks document was replaced between the two reads.
MAX_READ_ATTEMPTS = 5
MAX_RETRY_PAUSE_S = 0.05
# Engagements remembered, document and parsed (about 50 KB each in memory); a miss only
# costs a read.
RECENT_DOCUMENTS = 256
# Archive chunks remembered parsed (20 entries each, about 16 KB in memory): they never
# change once written, so a report reads each one once per process.
RECENT_AUDIT_CHUNKS = 512
# How far an entry's time may run behind an earlier entry's (instances' clocks disagree a
# little): reading stops only at entries older than the start by this much.
AUDIT_CLOCK_SKEW = timedelta(minutes=5)


class OwnTasksMissing(StoreUnavailable):
    """An engagement names an own-tasks document that stays missing (deleted by hand, say):
    the engagement cannot be read whole, so nothing is shown or written from it."""


class Known(NamedTuple):
    """An engagement as this process last read or wrote it."""

    # As stored: what the store compares etags of, and patches are computed against.
    doc: Document
    # As the domain reads it: the own tasks in place (storage/layout.py).
    body: dict[str, Any]
    engagement: Engagement


class DueEngagements(NamedTuple):
    fresh: list[Engagement]
    # The query was cut at its limit: more may be due.
    more: bool


class EngagementRepository:
    def __init__(self, store: DocumentStore, *, recent: int = RECENT_DOCUMENTS) -> None:
        self._store = store
        self._recent: OrderedDict[str, Known] = OrderedDict()
        self._recent_limit = recent
        self._writers = KeyedLocks()
        self._audit_chunks: OrderedDict[tuple[str, int], list[AuditEntry]] = OrderedDict()

    @property
    def store(self) -> DocumentStore:
        return self._store

    async def get(self, engagement_id: str) -> Engagement | None:
        found = await self._read(engagement_id)
        return found[1] if found else None

    async def exists(self, engagement_id: str) -> bool:
        """Whether the engagement is stored. One this process remembers is taken as stored
        without a read: engagements are never deleted."""
        return engagement_id in self._recent or await self.get(engagement_id) is not None

    async def _read(self, engagement_id: str) -> tuple[Known, Engagement] | None:
        """The stored engagement, and a copy of it to change. When this process remembers
        it, the store only confirms its etag, and the remembered copy is used as it is: a big
        engagement is neither sent again nor parsed again when nobody changed it."""
        remembered = self._recent.get(engagement_id)
        missing = None
        for attempt in range(MAX_READ_ATTEMPTS):
            if missing is not None:  # replicas of the store may lag a little behind
                await asyncio.sleep(random.uniform(0, 0.002 * 2**attempt))
            if remembered is None:
                doc = await self._store.read(engagement_id, ENGAGEMENT_DOC)
            else:
                doc = await self._store.read_if_changed(remembered.doc)
            if doc is None:
                self._recent.pop(engagement_id, None)
                return None
            if remembered is not None and doc is remembered.doc:
                self._recent.move_to_end(engagement_id)
                return remembered, remembered.engagement.copy()
            known = await self._parse(doc, remembered)
            if known is not None:
                self._remember(known)
                return known, known.engagement
            missing = own_tasks_name(doc.body)
        raise OwnTasksMissing(
            f"engagement {engagement_id}: its own tasks' document {missing} "
            f"was missing in {MAX_READ_ATTEMPTS} reads"
        )

    async def _parse(self, doc: Document, remembered: Known | None) -> Known | None:
        """The engagement `doc` holds, with its own tasks; None when their document is gone
        (replaced since `doc` was read: the engagement has moved on)."""
        name = own_tasks_name(doc.body)
        body = doc.body
        if name is not None:
            if remembered is not None and own_tasks_name(remembered.doc.body) == name:
                body = joined(doc.body, remembered.body)
            else:
                own = await self._store.read(doc.pk, name)
                if own is None:
                    return None
                body = joined(doc.body, own.body)
        engagement = (
            Engagement.from_dict(body, remembered.engagement, remembered.body)
            if remembered
            else Engagement.from_dict(body)
        )
        return Known(doc, body, engagement)

    def _remember(self, known: Known) -> None:
        # A copy: whoever was handed the engagement may go on changing it.
        pk = known.doc.pk
        self._recent[pk] = known._replace(engagement=known.engagement.copy())
        self._recent.move_to_end(pk)
        if len(self._recent) > self._recent_limit:
            self._recent.popitem(last=False)

    async def create_if_missing(self, engagement: Engagement) -> tuple[Engagement, bool]:
        """Stores `engagement` unless one exists for its key; returns the stored one and
        whether this call created it (so installation work runs once even when redelivered)."""
        # Own tasks, if any, stay in place until the next write moves them out.
        body = _body(engagement)
        try:
            doc = await self._store.create(engagement.id, ENGAGEMENT_DOC, body)
            self._remember(Known(doc, body, engagement))
            return engagement, True
        except AlreadyExists:
            existing = await self.get(engagement.id)
            if existing is None:  # deleted in between: try once more from the start
                return await self.create_if_missing(engagement)
            # Created at this very microsecond: this create, applied, its answer lost and the
            # store's retry of it refused. A redelivered installation makes a later stamp.
            return existing, existing.created_at == engagement.created_at

    async def update(
        self,
        engagement_id: str,
        change: Callable[[Engagement], R],
    ) -> tuple[Engagement, R]:
        """Applies `change` to the stored engagement and writes it back if anything changed;
        on a concurrent write it starts over from fresh state. `change` may run several times
        and must only touch the engagement it is given. Domain errors from `change` propagate
        with nothing written."""
        return await self._update(engagement_id, change, _whole)

    async def update_schedule(
        self,
        engagement_id: str,
        change: Callable[[Engagement], R],
    ) -> tuple[Engagement, R]:
        """As `update`, for a change of the scheduler's state only (`Engagement.schedule_state`:
        a claim, its completion, `mark_unreachable`): only that part is serialised and
        compared, not the task records."""
        return await self._update(engagement_id, change, _schedule)

    async def _update(
        self,
        engagement_id: str,
        change: Callable[[Engagement], R],
        stored: Callable[[Engagement, dict[str, Any]], dict[str, Any]],
    ) -> tuple[Engagement, R]:
        """`update`, with `stored` giving the body to write from the changed engagement and
        the body it started from."""
        async with self._writers.hold(engagement_id):
            # The stored body the first refused write started from: that write, and any after
            # it, may have been applied after all (its answer lost, the store's retry of it
            # refused), so the owners' index is brought up to date from there.
            refused: dict[str, Any] | None = None
            for attempt in range(MAX_WRITE_ATTEMPTS):
                start = await self._starting_point(engagement_id, first=attempt == 0)
                if start is None:
                    raise EngagementMissing()
                known, engagement, fresh = start
                try:
                    result = change(engagement)
                except Exception:
                    if fresh:
                        raise
                    continue  # the remembered copy may be stale: judge on a fresh read
                body = stored(engagement, known.body)
                operations = body_patch(known.body, body)
                if operations == []:
                    if fresh:
                        if refused is not None:
                            await self._sync_owner_index(engagement, refused, None)
                        return engagement, result
                    continue  # "nothing to do" on a remembered copy needs a fresh read too
                if len(engagement.audit_tail) > AUDIT_TAIL_LIMIT:
                    await self._archive_audit_overflow(engagement, known.body["auditSeq"])
                    body = stored(engagement, known.body)
                    operations = body_patch(known.body, body)
                doc = known.doc
                try:
                    written, operations = await self._write(known, body, operations)
                except (EtagMismatch, NotFound):
                    refused = doc.body if refused is None else refused
                    self._recent.pop(engagement_id, None)
                    if fresh:
                        # Another instance wrote in between. Full jitter keeps many clicks on
                        # one engagement from colliding in lockstep.
                        pause = min(MAX_RETRY_PAUSE_S, 0.002 * 2**attempt)
                        await asyncio.sleep(random.uniform(0, pause))
                    continue
                self._remember(Known(written, body, engagement))
                if refused is None:
                    await self._sync_owner_index(engagement, doc.body, operations)
                else:
                    await self._sync_owner_index(engagement, refused, None)
                replaced = own_tasks_name(doc.body)
                if replaced is not None and replaced != own_tasks_name(written.body):
                    await self._delete_quietly(doc.pk, replaced)
                return engagement, result
        raise StoreUnavailable(f"engagement {engagement_id} kept changing; gave up after retries")

    async def _write(
        self, known: Known, body: dict[str, Any], operations: list[PatchOperation] | None
    ) -> tuple[Document, list[PatchOperation] | None]:
        """`known` changed into `body` (as the domain writes it, `operations` the patch
        between the two), only if `known` is still what is stored: the document written and
        the patch that wrote it (None: replaced whole). Own tasks that changed go to a new
        document first."""
        doc = known.doc
        stored, own_tasks = stored_form(body, known.body, doc.body)
        if stored is not body or known.body is not doc.body:  # stored apart: patch as stored
            operations = body_patch(doc.body, stored)
        if own_tasks is not None:
            # Its id is new: "already exists" is the store's retry of this very create.
            with contextlib.suppress(AlreadyExists):
                await self._store.create(doc.pk, own_tasks["id"], own_tasks["body"])
        try:
            if operations is None:
                return await self._store.replace(doc.pk, doc.id, stored, etag=doc.etag), None
            etag = await self._store.patch(doc.pk, doc.id, operations, etag=doc.etag)
        except (EtagMismatch, NotFound):
            if own_tasks is not None:
                await self._settle_refused(doc, own_tasks["id"])
            raise
        return Document(doc.pk, doc.id, stored, etag), operations

    async def _settle_refused(self, doc: Document, created: str) -> None:
        """After a write of `doc` naming the own tasks just `created` was refused: deletes
        them, unless the engagement names them. Then the write was applied after all (its
        answer was lost and the store's retry of it refused) and the own tasks it replaced
        are deleted instead; the change, tried again, finds its op applied. A refused write
        cannot be applied later: its etag is no longer the stored one."""
        current = await self._store.read(doc.pk, doc.id)
        if current is not None and own_tasks_name(current.body) == created:
            replaced = own_tasks_name(doc.body)
            if replaced is not None:
                await self._delete_quietly(doc.pk, replaced)
        else:
            await self._delete_quietly(doc.pk, created)

    async def _delete_quietly(self, pk: str, doc_id: str) -> None:
        """Deletes a document nothing names any more; one left behind (the store failing
        right now) costs only its space, so the change that made it so is not failed."""
        try:
            await self._store.delete(pk, doc_id)
        except StoreError as exc:
            log.warning("could not delete %s/%s, left unused: %s", pk, doc_id, exc)

    async def _starting_point(
        self, engagement_id: str, *, first: bool
    ) -> tuple[Known, Engagement, bool] | None:
        """The engagement a change starts from, a copy of it to change, and whether it was
        just read from the store. Only a first attempt may start from the remembered copy."""
        remembered = self._recent.get(engagement_id) if first else None
        if remembered is not None:
            return remembered, remembered.engagement.copy(), False
        found = await self._read(engagement_id)
        return (*found, True) if found else None

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

    async def _sync_owner_index(
        self,
        engagement: Engagement,
        before: dict[str, Any],
        operations: list[PatchOperation] | None,
    ) -> None:
        """Keeps each owner's index of the engagements where they own tasks, so 'my tasks'
        reads one small partition per person instead of querying every engagement. Written
        after the engagement: a crash in between leaves a stale hint that readers verify
        against the engagement, never a lost change. Only the tasks the write touched are
        looked at, so a click that changes no owner costs nothing here."""
        old_tasks: dict[str, Any] = before.get("tasks", {})
        touched = _touched_tasks(operations)
        if touched is None:
            touched = old_tasks.keys() | engagement.tasks.keys()
        persons: set[str] = set()
        for task_id in touched:
            old = old_tasks.get(task_id, {}).get("owner", {}).get("id")
            record = engagement.tasks.get(task_id)
            new = record.owner.id if record and record.owner else None
            if old != new:
                persons.update(p for p in (old, new) if p)
        for person in persons:
            pk = owner_partition(person)
            owned = engagement.owned_by({person})
            if owned:
                await self._store.upsert(
                    pk,
                    engagement.id,
                    {
                        "type": "ownerIndex",
                        "tenantId": engagement.key.tenant_id,
                        "tasks": sorted(owned),
                    },
                )
            else:
                await self._store.delete(pk, engagement.id)

    async def due_for_nudge(
        self, now: datetime, limit: int, *, known: Container[str] = frozenset()
    ) -> DueEngagements:
        """Up to `limit` engagements whose next nudge is due by `now` (an indexed query), less
        those whose ids are `known` (the caller has them in hand: not parsed again). They are
        remembered, so claiming one right after costs one conditional write and no read."""
        docs = await self._store.list_due(utc_iso(now), limit)
        due = [d for d in docs if d.id == ENGAGEMENT_DOC and d.pk not in known]
        # Own tasks to read: at most `limit` reads at once.
        parsed = await asyncio.gather(*map(self._due_engagement, due), return_exceptions=True)
        fresh = []
        for doc, found in zip(due, parsed, strict=True):
            if isinstance(found, OwnTasksMissing):  # not this run's to mend: the others go on
                log.error("due engagement %s left out: %s", doc.pk, found)
            elif isinstance(found, BaseException):
                raise found
            elif found is not None:
                fresh.append(found)
        return DueEngagements(fresh, more=len(docs) == limit)

    async def _due_engagement(self, doc: Document) -> Engagement | None:
        known = await self._parse(doc, self._recent.get(doc.pk))
        if known is None:  # its own tasks were replaced since the query: read it again
            found = await self._read(doc.pk)
            return found[1] if found else None
        # A copy remembered already may be newer than the query's: keep it.
        if doc.pk not in self._recent:
            self._remember(known)
        return known.engagement

    async def setup_draft(self, engagement_id: str) -> dict[str, str] | None:
        """The setup form as last sent back with errors, kept until a valid save."""
        doc = await self._store.read(engagement_id, SETUP_DRAFT_DOC)
        values = doc.body.get("values") if doc else None
        return dict(values) if isinstance(values, dict) else None

    async def save_setup_draft(self, engagement_id: str, values: dict[str, str] | None) -> None:
        if values is None:
            await self._store.delete(engagement_id, SETUP_DRAFT_DOC)
        else:
            await self._store.upsert(
                engagement_id, SETUP_DRAFT_DOC, {"type": "setupDraft", "values": values}
            )

    async def checklist_draft(self, engagement_id: str, batch: str) -> str | None:
        """The checklist kept for the preview `batch` names; None for any other batch."""
        doc = await self._store.read(engagement_id, CHECKLIST_DRAFT_DOC)
        if doc is None or doc.body.get("batch") != batch:
            return None
        lines = doc.body.get("lines")
        return lines if isinstance(lines, str) else None

    async def save_checklist_draft(self, engagement_id: str, batch: str, lines: str) -> None:
        """Keeps the checklist a preview shows: one per engagement, the latest (kept after
        Create, so the same Create clicked again still finds it and changes nothing)."""
        body = {"type": "checklistDraft", "batch": batch, "lines": lines}
        await self._store.upsert(engagement_id, CHECKLIST_DRAFT_DOC, body)

    async def live_cards(self, engagement_id: str) -> dict[str, dict[str, Any]]:
        """The shared messages the bot keeps current, by what they show (dialogs/live.py)."""
        doc = await self._store.read(engagement_id, LIVE_CARDS_DOC)
        cards = doc.body.get("cards") if doc else None
        return dict(cards) if isinstance(cards, dict) else {}

    async def save_live_cards(self, engagement_id: str, cards: dict[str, dict[str, Any]]) -> None:
        # Last writer wins: the ids are a convenience, a lost one only leaves a card stale.
        await self._store.upsert(
            engagement_id, LIVE_CARDS_DOC, {"type": "liveCards", "cards": cards}
        )

    async def owned_engagements(self, person_ids: set[str]) -> list[str]:
        """Ids of engagements where any of `person_ids` may own tasks (to be verified)."""
        ids: set[str] = set()
        for person in person_ids:
            entries = await self._store.list_partition(owner_partition(person), ENGAGEMENT_PREFIX)
            ids.update(d.id for d in entries)
        return sorted(ids)

    async def save_note(self, engagement_id: str, note: Note, op_id: str) -> None:
        with contextlib.suppress(AlreadyExists):  # a redelivered note is the same document
            await self._store.create(engagement_id, note_id(note.task_id, op_id), note.to_dict())

    async def notes(self, engagement_id: str, task_id: str) -> list[Note]:
        docs = await self._store.list_partition(engagement_id, f"{NOTE_PREFIX}{task_id}:")
        return sorted((Note.from_dict(d.body) for d in docs), key=lambda note: note.at)

    async def all_notes(self, engagement_id: str) -> list[Note]:
        """Every note of the engagement, oldest first (for the export)."""
        docs = await self._store.list_partition(engagement_id, NOTE_PREFIX)
        return sorted((Note.from_dict(d.body) for d in docs), key=lambda note: note.at)

    async def audit_trail(self, engagement_id: str) -> list[AuditEntry]:
        """Every audit entry of the engagement, oldest first."""
        engagement = await self.get(engagement_id)
        if engagement is None:
            return []
        archived = await self._store.list_partition(engagement_id, AUDIT_PREFIX)
        stored = [e for doc in archived for e in doc.body["entries"]] + engagement.audit_tail
        return [AuditEntry.from_dict(e) for e in stored]

    async def audit_since(self, engagement: Engagement, since: datetime) -> list[AuditEntry]:
        """The audit entries of `engagement` (as given) from `since` on, oldest first: its
        tail, then archive chunks backwards by id (`audit-<first seq>`) only until their
        entries are older than `since`, so the cost follows the period, not the history.
        An archive not laid out in contiguous chunks is read whole instead."""
        tail = [AuditEntry.from_dict(e) for e in engagement.audit_tail]
        # Newest first, joined once at the end: prepending chunk by chunk would copy the
        # period's entries once per chunk.
        newest_first = [tail]
        first = tail[0].seq if tail else engagement.audit_seq + 1
        oldest = tail[0] if tail else None
        horizon = since - AUDIT_CLOCK_SKEW
        while first > 1 and (oldest is None or oldest.at >= horizon):
            chunk = await self._audit_chunk(engagement.id, first - AUDIT_TAIL_LIMIT)
            if not chunk or chunk[-1].seq != first - 1:
                return [e for e in await self.audit_trail(engagement.id) if e.at >= since]
            newest_first.append(chunk)
            first, oldest = chunk[0].seq, chunk[0]
        return [e for part in reversed(newest_first) for e in part if e.at >= since]

    async def _audit_chunk(self, engagement_id: str, first_seq: int) -> list[AuditEntry] | None:
        """The archive chunk starting at `first_seq`, parsed; remembered, as it never changes."""
        key = (engagement_id, first_seq)
        chunk = self._audit_chunks.get(key)
        if chunk is None:
            if first_seq < 1:
                return None
            doc = await self._store.read(engagement_id, f"{AUDIT_PREFIX}{first_seq:010d}")
            if doc is None:
                return None
            chunk = [AuditEntry.from_dict(e) for e in doc.body["entries"]]
            self._audit_chunks[key] = chunk
            if len(self._audit_chunks) > RECENT_AUDIT_CHUNKS:
                self._audit_chunks.popitem(last=False)
        self._audit_chunks.move_to_end(key)
        return chunk


class KeyedLocks:
    """One asyncio lock per key, alive only while someone holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def hold(self, key: str) -> _Hold:
        return _Hold(self, key)

    def _enter(self, key: str) -> asyncio.Lock:
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        return lock

    def _leave(self, key: str) -> None:
        lock, users = self._locks[key]
        if users == 1:
            del self._locks[key]
        else:
            self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


class _Hold:
    """`async with locks.hold(key)`; a plain class, as this runs on every change."""

    __slots__ = ("_key", "_lock", "_locks")

    def __init__(self, locks: KeyedLocks, key: str) -> None:
        self._locks, self._key = locks, key

    async def __aenter__(self) -> None:
        self._lock = self._locks._enter(self._key)
        try:
            await self._lock.acquire()
        except BaseException:  # cancelled while waiting: no longer a user of the lock
            self._locks._leave(self._key)
            raise

    async def __aexit__(self, *exc_info: object) -> None:
        self._lock.release()
        self._locks._leave(self._key)


def owner_partition(person_id: str) -> str:
    return "owner-" + hashlib.sha256(person_id.encode()).hexdigest()[:40]


_TASKS = pointer("tasks")


def _touched_tasks(operations: list[PatchOperation] | None) -> Iterable[str] | None:
    """The ids of the task records a patch writes; None when it may touch any (a whole write
    of the document or of its records)."""
    if operations is None:
        return None
    touched = []
    for operation in operations:
        path = operation["path"]
        if path == _TASKS:
            return None
        if path.startswith(_TASKS + "/"):
            touched.append(segments(path)[1])
    return touched


def _body(engagement: Engagement) -> dict[str, Any]:
    return {"type": "engagement", **engagement.to_dict()}


def _whole(engagement: Engagement, before: dict[str, Any]) -> dict[str, Any]:
    return _body(engagement)


def _schedule(engagement: Engagement, before: dict[str, Any]) -> dict[str, Any]:
    return {**before, **engagement.schedule_state()}
