"""The engagement's own tasks in a document of their own (storage/layout.py), on both backends:
what is stored, what a reader reads, what is deleted, races, and documents written by the
previous version (own tasks in place) or read by it during a rolling upgrade."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import orjson
import pytest

from domain.engagement import Actor, Engagement, TaskStatus
from domain.own_tasks import ChecklistItem
from storage.base import Document, DocumentStore, StoreUnavailable
from storage.layout import OWN_TASKS_PREFIX, own_tasks_name
from storage.patches import body_patch
from storage.repository import ENGAGEMENT_DOC, MAX_READ_ATTEMPTS, EngagementRepository
from testkit import CountingStore, InterleavingStore, LostAnswers
from tests.test_store_contract import ALICE, BOB, CATALOG, T0, new_engagement

STEPS = [t.id for t in CATALOG.tasks if not t.duty]
STEP = STEPS[0]


def add(batch: str, count: int = 3, actor: Actor = ALICE) -> Callable[[Engagement], Any]:
    items = tuple(
        ChecklistItem(i, f"{batch} 항목 {i}", None, date(2027, 1, 1), f"설명 {i}")
        for i in range(count)
    )

    def change(e: Engagement) -> Any:
        return e.add_tasks(
            CATALOG, track_id="remediate", items=items, actor=actor, at=T0, op_id=batch, batch=batch
        )

    return change


def done(task_id: str, op_id: str) -> Callable[[Engagement], Any]:
    def change(e: Engagement) -> Any:
        return e.set_task_status(
            CATALOG, task_id=task_id, status=TaskStatus.DONE, actor=ALICE, at=T0, op_id=op_id
        )

    return change


async def with_own_tasks(repo: EngagementRepository) -> Engagement:
    engagement, _ = await repo.create_if_missing(new_engagement())
    engagement, _ = await repo.update(engagement.id, add("batch-1"))
    return engagement


async def stored(store: DocumentStore, engagement_id: str) -> Document:
    doc = await store.read(engagement_id, ENGAGEMENT_DOC)
    assert doc is not None
    return doc


async def own_tasks_documents(store: DocumentStore, engagement_id: str) -> list[str]:
    return [d.id for d in await store.list_partition(engagement_id, OWN_TASKS_PREFIX)]


async def test_own_tasks_are_stored_apart_and_read_back_whole(
    document_store: DocumentStore,
) -> None:
    repo = EngagementRepository(document_store)
    engagement = await with_own_tasks(repo)
    doc = await stored(document_store, engagement.id)
    name = own_tasks_name(doc.body)
    assert name is not None and name.startswith(OWN_TASKS_PREFIX)
    assert "항목" not in orjson.dumps(doc.body).decode(), "no own task's text in the engagement"
    assert await own_tasks_documents(document_store, engagement.id) == [name]
    own = await document_store.read(engagement.id, name)
    assert own is not None and set(own.body["ownTasks"]) == set(engagement.own_tasks)

    fresh = await EngagementRepository(document_store).get(engagement.id)
    assert fresh == engagement
    assert [t.title.ko for t in fresh.all_tasks(CATALOG) if t.own] == [
        f"batch-1 항목 {i}" for i in range(3)
    ]


async def test_a_change_elsewhere_reads_the_own_tasks_only_when_they_changed(
    document_store: DocumentStore,
) -> None:
    writer = EngagementRepository(document_store)
    engagement = await with_own_tasks(writer)
    counting = CountingStore(document_store)
    reader = EngagementRepository(counting)
    await reader.get(engagement.id)
    assert counting.calls["read"] == 2, "cold: the engagement and its own tasks"

    counting.reset()
    expected, _ = await writer.update(engagement.id, done(STEP, "op-done"))
    assert await reader.get(engagement.id) == expected
    assert (counting.calls["read"], counting.docs_read) == (1, 1), "the engagement alone"

    counting.reset()
    expected, _ = await writer.update(engagement.id, add("batch-2"))
    assert await reader.get(engagement.id) == expected
    assert (counting.calls["read"], counting.docs_read) == (2, 2), "and its own tasks"
    assert len(expected.own_tasks) == 6


async def test_a_click_keeps_the_own_tasks_document_and_writes_none(
    document_store: DocumentStore,
) -> None:
    repo = EngagementRepository(document_store)
    engagement = await with_own_tasks(repo)
    name = own_tasks_name((await stored(document_store, engagement.id)).body)
    counting = CountingStore(document_store)
    other = EngagementRepository(counting)
    await other.update(engagement.id, done(next(iter(engagement.own_tasks)), "op-own-done"))
    assert counting.calls["create"] == 0 and counting.calls["delete"] == 0
    assert own_tasks_name((await stored(document_store, engagement.id)).body) == name


async def test_replaced_own_tasks_are_deleted_and_emptied_ones_go_back_in_place(
    document_store: DocumentStore,
) -> None:
    repo = EngagementRepository(document_store)
    engagement = await with_own_tasks(repo)
    for n in range(2, 5):
        engagement, _ = await repo.update(engagement.id, add(f"batch-{n}"))
    name = own_tasks_name((await stored(document_store, engagement.id)).body)
    assert await own_tasks_documents(document_store, engagement.id) == [name]

    later = T0 + timedelta(days=30)  # past the restore window: removed tasks are purged

    def remove_all(e: Engagement) -> None:
        for task_id in list(e.own_tasks):
            e.remove_task(CATALOG, task_id=task_id, actor=ALICE, at=T0, op_id=f"rm-{task_id}")

    def purge(e: Engagement) -> None:
        e.add_tasks(
            CATALOG, track_id="remediate", items=(), actor=ALICE, at=later, op_id="p", batch="p"
        )

    await repo.update(engagement.id, remove_all)
    emptied, _ = await repo.update(engagement.id, purge)
    assert emptied.own_tasks == {}
    assert (await stored(document_store, engagement.id)).body["ownTasks"] == {}
    assert await own_tasks_documents(document_store, engagement.id) == []
    assert await EngagementRepository(document_store).get(engagement.id) == emptied


async def test_a_change_that_loses_its_race_deletes_the_own_tasks_it_wrote(
    document_store: DocumentStore,
) -> None:
    repo = EngagementRepository(document_store)
    engagement = await with_own_tasks(repo)

    async def writer_b() -> None:
        await repo.update(engagement.id, add("batch-b", actor=BOB))

    # B writes once A has read the engagement and its own tasks: A's write is refused.
    name = own_tasks_name((await stored(document_store, engagement.id)).body)
    assert name is not None
    interleaved = InterleavingStore(document_store, name, writer_b)
    await EngagementRepository(interleaved).update(engagement.id, add("batch-a"))
    assert interleaved.calls["create"] == 2, "written for the stale state, then again"
    assert interleaved.calls["delete"] == 2, "the losing attempt's, then the replaced one"

    after = await EngagementRepository(document_store).get(engagement.id)
    assert after is not None
    titles = {t.title for t in after.own_tasks.values()}
    assert {"batch-a 항목 0", "batch-b 항목 0", "batch-1 항목 0"} <= titles
    # The engagement and own tasks; the engagement (does it name what the refused write
    # created?); the engagement and own tasks again.
    assert interleaved.calls["read"] == 5
    name = own_tasks_name((await stored(document_store, engagement.id)).body)
    assert await own_tasks_documents(document_store, engagement.id) == [name]


class ReplacingStore(CountingStore):
    """Runs `meanwhile` (another instance replacing the own tasks) right before the first read
    of an own-tasks document: the reader meets a name whose document is gone."""

    def __init__(self, inner: DocumentStore, meanwhile: Callable[[], Awaitable[Any]]) -> None:
        super().__init__(inner)
        self.meanwhile: Callable[[], Awaitable[Any]] | None = meanwhile

    async def read(self, pk: str, doc_id: str) -> Document | None:
        if doc_id.startswith(OWN_TASKS_PREFIX) and self.meanwhile is not None:
            meanwhile, self.meanwhile = self.meanwhile, None
            await meanwhile()
        return await super().read(pk, doc_id)


async def test_a_reader_whose_own_tasks_were_replaced_meanwhile_reads_again(
    document_store: DocumentStore,
) -> None:
    writer = EngagementRepository(document_store)
    engagement = await with_own_tasks(writer)
    replaced: list[Engagement] = []

    async def replace() -> None:
        replaced.append((await writer.update(engagement.id, add("batch-2")))[0])

    reading = ReplacingStore(document_store, replace)
    read = await EngagementRepository(reading).get(engagement.id)
    assert read == replaced[0] and len(read.own_tasks) == 6
    assert reading.calls["read"] == 4, "engagement, own tasks gone, engagement, own tasks"


async def test_due_engagements_come_with_their_own_tasks(document_store: DocumentStore) -> None:
    repo = EngagementRepository(document_store)
    engagement = await with_own_tasks(repo)

    due_at = engagement.next_scheduled_at()
    assert due_at is not None, "installed with a conversation: nudged on the default schedule"
    found = await EngagementRepository(document_store).due_for_nudge(due_at, 10)
    mine = [e for e in found.fresh if e.id == engagement.id]
    assert mine == [engagement]
    assert len(mine[0].own_tasks) == 3


# --- documents of the previous version, and the previous version reading ours -------------


def in_place(engagement: Engagement) -> dict[str, Any]:
    """The body the previous version stored: the own tasks in place."""
    return {"type": "engagement", **engagement.to_dict()}


def previous_read(body: dict[str, Any], known: Engagement | None, known_body: Any) -> Engagement:
    """What the previous version's repository made of a body it read (its `_read`)."""
    return Engagement.from_dict(body, known, known_body) if known else Engagement.from_dict(body)


async def stored_in_place(store: DocumentStore) -> tuple[Engagement, Document]:
    engagement = new_engagement()
    add("batch-1")(engagement)
    return engagement, await store.create(engagement.id, ENGAGEMENT_DOC, in_place(engagement))


async def test_own_tasks_in_place_are_read_and_moved_out_on_the_next_write(
    document_store: DocumentStore,
) -> None:
    engagement, _ = await stored_in_place(document_store)
    repo = EngagementRepository(document_store)
    assert await repo.get(engagement.id) == engagement
    changed, _ = await repo.update(engagement.id, done(STEP, "op-1"))
    name = own_tasks_name((await stored(document_store, engagement.id)).body)
    assert name is not None and await own_tasks_documents(document_store, engagement.id) == [name]
    assert await EngagementRepository(document_store).get(engagement.id) == changed
    assert changed.own_tasks == engagement.own_tasks


async def test_an_engagement_created_with_own_tasks_keeps_them_in_place_until_a_write(
    document_store: DocumentStore,
) -> None:
    engagement = new_engagement()
    add("batch-1")(engagement)
    repo = EngagementRepository(document_store)
    await repo.create_if_missing(engagement)
    assert isinstance((await stored(document_store, engagement.id)).body["ownTasks"], dict)
    assert await EngagementRepository(document_store).get(engagement.id) == engagement
    await repo.update(engagement.id, done(STEP, "op-1"))
    assert own_tasks_name((await stored(document_store, engagement.id)).body) is not None


async def test_the_previous_version_reads_a_moved_engagement_right_or_not_at_all(
    document_store: DocumentStore,
) -> None:
    """During a rolling upgrade: an instance of the previous version remembers the engagement
    from before its own tasks moved out. While they are the same, it reads them right; once
    they changed, its read fails (never an engagement without its own tasks, which a write of
    its own would then store)."""
    engagement, before = await stored_in_place(document_store)
    remembered = previous_read(before.body, None, None)
    repo = EngagementRepository(document_store)
    moved, _ = await repo.update(engagement.id, done(STEP, "op-1"))
    moved_doc = await stored(document_store, engagement.id)
    assert own_tasks_name(moved_doc.body) is not None
    read_moved = previous_read(moved_doc.body, remembered, before.body)
    assert read_moved == moved

    await repo.update(engagement.id, add("batch-2"))
    doc = await stored(document_store, engagement.id)
    # The previous version's own failure (this version cannot change its message).
    for known, known_body in ((remembered, before.body), (read_moved, moved_doc.body)):
        with pytest.raises(AttributeError):
            previous_read(doc.body, known, known_body)
    with pytest.raises(AttributeError):  # a cold read, its due query: nothing remembered
        previous_read(moved_doc.body, None, None)


async def test_own_tasks_the_previous_version_wrote_back_in_place_are_read_as_they_are(
    document_store: DocumentStore,
) -> None:
    """An instance of the previous version that read a moved engagement right (same own
    tasks) and then wrote a change puts the own tasks back in place; they are read from
    there, and moved out again on the next write."""
    engagement, before = await stored_in_place(document_store)
    remembered = previous_read(before.body, None, None)
    repo = EngagementRepository(document_store)
    await repo.update(engagement.id, done(STEP, "op-1"))
    doc = await stored(document_store, engagement.id)
    previous = previous_read(doc.body, remembered, before.body)
    own_task = next(iter(previous.own_tasks))
    done(own_task, "op-2")(previous)
    operations = body_patch(doc.body, in_place(previous))
    assert operations is not None
    await document_store.patch(engagement.id, ENGAGEMENT_DOC, operations, etag=doc.etag)
    assert isinstance((await stored(document_store, engagement.id)).body["ownTasks"], dict)

    assert await repo.get(engagement.id) == previous, "the instance that moved them out"
    assert await EngagementRepository(document_store).get(engagement.id) == previous
    changed, _ = await repo.update(engagement.id, done(STEPS[1], "op-3"))
    doc = await stored(document_store, engagement.id)
    name = own_tasks_name(doc.body)
    assert name is not None
    assert await EngagementRepository(document_store).get(engagement.id) == changed
    assert changed.status_of(own_task) is TaskStatus.DONE
    # The document named before the previous version's write is left unused beside it.
    documents = await own_tasks_documents(document_store, engagement.id)
    assert name in documents and len(documents) == 2


class LosingStore(CountingStore):
    """A store whose own-tasks documents are gone (deleted by hand, say)."""

    async def read(self, pk: str, doc_id: str) -> Document | None:
        found = await super().read(pk, doc_id)
        return None if doc_id.startswith(OWN_TASKS_PREFIX) else found


async def test_own_tasks_that_stay_missing_fail_the_read_with_a_clear_error(
    document_store: DocumentStore,
) -> None:
    engagement = await with_own_tasks(EngagementRepository(document_store))
    name = own_tasks_name((await stored(document_store, engagement.id)).body)
    losing = LosingStore(document_store)
    repo = EngagementRepository(losing)
    with pytest.raises(StoreUnavailable, match=f"{name} was missing in {MAX_READ_ATTEMPTS}"):
        await repo.get(engagement.id)
    assert losing.calls["read"] == 2 * MAX_READ_ATTEMPTS
    with pytest.raises(StoreUnavailable):
        await repo.update(engagement.id, done(STEP, "op-1"))
    assert losing.calls["patch"] == 0, "nothing written without the own tasks"


# --- writes whose answer was lost, schedule writes, the due query ---------------------------


async def test_a_write_applied_but_reported_refused_keeps_the_own_tasks_it_names(
    document_store: DocumentStore,
) -> None:
    engagement = await with_own_tasks(EngagementRepository(document_store))
    refusing = LostAnswers(document_store, patch_id=ENGAGEMENT_DOC)
    await EngagementRepository(refusing).update(engagement.id, add("batch-2"))
    assert refusing.calls["patch"] == 1, "tried again, the change found its op applied"
    doc = await stored(document_store, engagement.id)
    name = own_tasks_name(doc.body)
    assert await own_tasks_documents(document_store, engagement.id) == [name]
    after = await EngagementRepository(document_store).get(engagement.id)
    assert after is not None and len(after.own_tasks) == 6


async def test_a_retried_create_of_own_tasks_is_taken_as_done(
    document_store: DocumentStore,
) -> None:
    engagement = await with_own_tasks(EngagementRepository(document_store))
    taken = LostAnswers(document_store, creates=lambda doc_id: doc_id.startswith(OWN_TASKS_PREFIX))
    changed, _ = await EngagementRepository(taken).update(engagement.id, add("batch-2"))
    assert len(changed.own_tasks) == 6
    assert await EngagementRepository(document_store).get(engagement.id) == changed


async def test_schedule_writes_keep_the_own_tasks_document_even_without_a_digest(
    document_store: DocumentStore,
) -> None:
    """Documents from before the digest was stored: the scheduler's writes carry the map
    they read, which is kept, not written again each time."""
    engagement = new_engagement()
    add("batch-1")(engagement)
    body = in_place(engagement)
    del body["ownTasksDigest"]
    await document_store.create(engagement.id, ENGAGEMENT_DOC, body)
    counting = CountingStore(document_store)
    repo = EngagementRepository(counting)

    def toggle(e: Engagement) -> None:
        e.nudges_paused = not e.nudges_paused

    for _ in range(4):
        await repo.update_schedule(engagement.id, toggle)
    assert counting.calls["create"] == 1, "moved out once"
    assert len(await own_tasks_documents(document_store, engagement.id)) == 1
    after = await EngagementRepository(document_store).get(engagement.id)
    assert after is not None and after.own_tasks == engagement.own_tasks


async def test_due_engagements_whose_own_tasks_were_replaced_meanwhile_are_read_again(
    document_store: DocumentStore,
) -> None:
    writer = EngagementRepository(document_store)
    engagement = await with_own_tasks(writer)
    due_at = engagement.next_scheduled_at()
    assert due_at is not None

    async def replace() -> None:
        await writer.update(engagement.id, add("batch-2"))

    found = await EngagementRepository(ReplacingStore(document_store, replace)).due_for_nudge(
        due_at, 10
    )
    mine = [e for e in found.fresh if e.id == engagement.id]
    assert len(mine) == 1 and len(mine[0].own_tasks) == 6


class FailingOwnTasks(CountingStore):
    """Reads of the own tasks of `broken` engagements fail as `failure` says."""

    def __init__(self, inner: DocumentStore, broken: set[str], failure: Exception | None) -> None:
        super().__init__(inner)
        self.broken, self.failure = broken, failure

    async def read(self, pk: str, doc_id: str) -> Document | None:
        if pk in self.broken and doc_id.startswith(OWN_TASKS_PREFIX):
            if self.failure is not None:
                raise self.failure
            return None
        return await super().read(pk, doc_id)


async def test_one_engagement_whose_own_tasks_are_gone_does_not_stop_the_others_nudges(
    document_store: DocumentStore,
) -> None:
    repo = EngagementRepository(document_store)
    broken, sound = await with_own_tasks(repo), await with_own_tasks(repo)
    due_at = max(e.next_scheduled_at() or T0 for e in (broken, sound))
    failing = FailingOwnTasks(document_store, {broken.id}, None)
    found = await EngagementRepository(failing).due_for_nudge(due_at, 10)
    ids = {e.id for e in found.fresh}
    assert sound.id in ids and broken.id not in ids


async def test_an_outage_while_reading_due_own_tasks_is_the_store_unavailable(
    document_store: DocumentStore,
) -> None:
    engagement = await with_own_tasks(EngagementRepository(document_store))
    due_at = engagement.next_scheduled_at()
    assert due_at is not None
    outage = StoreUnavailable("the store is down")
    failing = FailingOwnTasks(document_store, {engagement.id}, outage)
    with pytest.raises(StoreUnavailable) as raised:
        await EngagementRepository(failing).due_for_nudge(due_at, 10)
    assert raised.value is outage
