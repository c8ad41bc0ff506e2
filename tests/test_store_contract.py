"""One contract for every DocumentStore backend, and for the repository on top of it.

Every test runs once per backend (`[embedded]` and `[cosmos]`) through the `document_store`
fixture of tests/plugins/cosmos.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import random
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain.catalog import default_catalog
from domain.engagement import (
    Actor,
    Engagement,
    EngagementKey,
    TaskStatus,
)
from domain.errors import EngagementMissing, NotPermitted, ReasonRequired
from domain.own_tasks import ChecklistItem
from storage.base import (
    AlreadyExists,
    Document,
    DocumentStore,
    EtagMismatch,
    NotFound,
    StoreError,
)
from storage.patches import body_patch, pointer
from storage.repository import (
    AUDIT_PREFIX,
    AUDIT_TAIL_LIMIT,
    ENGAGEMENT_DOC,
    EngagementRepository,
    KeyedLocks,
)
from testkit import CountingStore, InterleavingStore, LostAnswers

CATALOG = default_catalog()
# Phase tasks: they get done (standing duties are acknowledged, with an owner).
STEPS = [t for t in CATALOG.tasks if not t.duty]
T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
ALICE = Actor("29:alice", "Alice Kim")
BOB = Actor("29:bob", "박민수")
CAROL = Actor("29:carol", "Carol Lee")

KOREAN = {
    "title": "사용자 ID 및 인증 준비",
    "reason": "이미 다른 테넌트에서 구성했습니다 ✅",
    "nested": {"단계": ["시작", "평가", "수정", "활성화"], "완료": True},
}


def pk() -> str:
    return f"eng-{uuid.uuid4().hex}"


# --- documents ---------------------------------------------------------------------------


async def test_create_then_read_returns_the_same_body_and_etag(
    document_store: DocumentStore,
) -> None:
    p = pk()
    body = {"type": "note", "n": 1, "f": 2.5, "ok": False, "none": None, "list": [1, "a", {}]}
    created = await document_store.create(p, "doc-1", body)
    assert created.pk == p and created.id == "doc-1"
    assert created.body == body
    assert created.etag

    read = await document_store.read(p, "doc-1")
    assert read == Document(p, "doc-1", body, created.etag)
    # Nothing of the backend leaks into the body: no id, pk or system properties.
    assert set(read.body) == set(body)


async def test_create_of_a_taken_id_raises_already_exists_and_keeps_the_original(
    document_store: DocumentStore,
) -> None:
    p = pk()
    first = await document_store.create(p, "doc", {"v": 1})
    with pytest.raises(AlreadyExists):
        await document_store.create(p, "doc", {"v": 2})
    assert await document_store.read(p, "doc") == first


async def test_the_same_id_in_two_partitions_are_two_documents(
    document_store: DocumentStore,
) -> None:
    p1, p2 = pk(), pk()
    await document_store.create(p1, "doc", {"v": 1})
    await document_store.create(p2, "doc", {"v": 2})
    assert (await document_store.read(p1, "doc")).body == {"v": 1}  # type: ignore[union-attr]
    assert (await document_store.read(p2, "doc")).body == {"v": 2}  # type: ignore[union-attr]


async def test_read_of_a_missing_document_is_none(document_store: DocumentStore) -> None:
    p = pk()
    assert await document_store.read(p, "nothing-here") is None
    await document_store.create(p, "doc", {"v": 1})
    assert await document_store.read(pk(), "doc") is None, "wrong partition"
    assert await document_store.read(p, "doc-2") is None, "wrong id, right partition"


async def test_read_if_changed_hands_back_the_known_document_until_it_changes(
    document_store: DocumentStore,
) -> None:
    p = pk()
    created = await document_store.create(p, "doc", {"v": 1, "map": {"a": 1}})
    assert await document_store.read_if_changed(created) is created
    etag = await document_store.patch(
        p, "doc", [{"op": "set", "path": "/map/b", "value": 2}], etag=created.etag
    )
    patched = Document(p, "doc", {"v": 1, "map": {"a": 1, "b": 2}}, etag)
    assert await document_store.read_if_changed(created) == patched
    assert await document_store.read_if_changed(patched) is patched
    replaced = await document_store.replace(p, "doc", {"v": 3}, etag=etag)
    assert await document_store.read_if_changed(patched) == replaced
    await document_store.delete(p, "doc")
    assert await document_store.read_if_changed(replaced) is None


# Keys with the characters a JSON Pointer escapes, and Korean.
_KEYS = ("a", "b", "c/d", "e~f", "단계", "x", "y")


def _random_value(rng: random.Random) -> Any:
    return rng.choice(
        [rng.randint(0, 9), f"v{rng.randint(0, 99)}", {"status": rng.choice(("open", "done"))}]
    )


def _random_map(rng: random.Random) -> dict[str, Any]:
    return {k: _random_value(rng) for k in rng.sample(_KEYS, rng.randint(0, len(_KEYS)))}


def _changed(rng: random.Random, body: dict[str, Any]) -> dict[str, Any]:
    """`body` after one to three random changes, as a new document (`body` is untouched):
    entries set, added and removed, objects set whole, emptied, turned into values and back,
    properties added and removed, the list appended to."""
    after = {k: dict(v) if isinstance(v, dict) else v for k, v in body.items()}
    after["tail"] = list(body.get("tail", []))
    for _ in range(rng.randint(1, 3)):
        name = rng.choice(("tasks", "ops", "meta", "extra"))
        entries = after.get(name)
        kind = rng.randrange(6)
        if kind <= 1 and isinstance(entries, dict):
            entries[rng.choice(_KEYS)] = _random_value(rng)
        elif kind == 2 and isinstance(entries, dict) and entries:
            del entries[rng.choice(list(entries))]
        elif kind == 3:
            after[name] = _random_map(rng)
        elif kind == 4:
            after[name] = rng.randint(0, 9) if rng.random() < 0.5 else {}
            if rng.random() < 0.3:
                del after[name]
        else:
            after["tail"].append(rng.randint(0, 9))
    return after


@pytest.mark.parametrize("seed", range(4))
async def test_a_read_of_what_changed_since_a_known_version_equals_a_whole_read(
    document_store: DocumentStore, seed: int
) -> None:
    """`read_if_changed` may build on the version it knows (the embedded store reads only
    the entries written since): over random patch sequences, whole writes and versions
    known from reads, from writes and from earlier such reads, it reads what `read` reads,
    and leaves the known document as it was."""
    rng = random.Random(seed)
    p = pk()
    body: dict[str, Any] = {"n": 0, "tasks": _random_map(rng), "ops": {}, "tail": []}
    current = await document_store.create(p, "doc", body)
    known = [current]
    for step in range(40):
        after = _changed(rng, current.body)
        after["n"] = step + 1
        whole = rng.random() < 0.1
        operations = None if whole else body_patch(current.body, after, rng.randint(1, 10))
        if operations is None:
            current = await document_store.replace(p, "doc", after, etag=current.etag)
        else:
            etag = await document_store.patch(p, "doc", operations, etag=current.etag)
            current = Document(p, "doc", after, etag)
        stored = await document_store.read(p, "doc")
        assert stored is not None and stored.body == after and stored.etag == current.etag
        for earlier in rng.sample(known, min(3, len(known))):
            as_known = copy.deepcopy(earlier.body)
            read = await document_store.read_if_changed(earlier)
            assert read == stored, f"step {step}: known at {earlier.body['n']}"
            assert earlier.body == as_known, "the known document is left as it was"
            known.append(read)
        known.append(rng.choice((current, stored)))


async def test_replace_with_the_current_etag_writes_and_changes_the_etag(
    document_store: DocumentStore,
) -> None:
    p = pk()
    created = await document_store.create(p, "doc", {"v": 1})
    replaced = await document_store.replace(p, "doc", {"v": 2, "w": "x"}, etag=created.etag)
    assert replaced.body == {"v": 2, "w": "x"}
    assert replaced.etag and replaced.etag != created.etag
    assert await document_store.read(p, "doc") == replaced
    # The etag a write returns is the one stored: it works for the next conditional write.
    again = await document_store.replace(p, "doc", {"v": 3}, etag=replaced.etag)
    assert (await document_store.read(p, "doc")) == again


async def test_replace_with_a_stale_etag_raises_etag_mismatch_and_writes_nothing(
    document_store: DocumentStore,
) -> None:
    p = pk()
    created = await document_store.create(p, "doc", {"v": 1})
    current = await document_store.replace(p, "doc", {"v": 2}, etag=created.etag)
    with pytest.raises(EtagMismatch):
        await document_store.replace(p, "doc", {"v": 3}, etag=created.etag)
    assert await document_store.read(p, "doc") == current


async def test_replace_of_a_missing_document_raises_not_found(
    document_store: DocumentStore,
) -> None:
    p = pk()
    with pytest.raises(NotFound):
        await document_store.replace(p, "doc", {"v": 1}, etag="some-etag")
    created = await document_store.create(p, "doc", {"v": 1})
    with pytest.raises(NotFound):
        await document_store.replace(pk(), "doc", {"v": 2}, etag=created.etag)
    assert await document_store.read(p, "doc") == created


async def test_patch_applies_its_operations_in_one_write_and_changes_the_etag(
    document_store: DocumentStore,
) -> None:
    p = pk()
    body = {"n": 1, "map": {"a": {"x": 1}, "b": 2}, "list": [1], "gone": True, "other": {}}
    created = await document_store.create(p, "doc", body)
    operations = [
        {"op": "set", "path": "/n", "value": 2},
        {"op": "set", "path": "/map/a", "value": {"x": 2, "단계": "평가"}},
        {"op": "set", "path": pointer("map", "c/d~e"), "value": 3},
        {"op": "remove", "path": "/map/b"},
        {"op": "add", "path": "/list/-", "value": {"seq": 2}},
        {"op": "remove", "path": "/gone"},
        {"op": "set", "path": "/nextNudgeAt", "value": "2026-11-02T09:00:00Z"},
    ]
    etag = await document_store.patch(p, "doc", operations, etag=created.etag)
    expected = {
        "n": 2,
        "map": {"a": {"x": 2, "단계": "평가"}, "c/d~e": 3},
        "list": [1, {"seq": 2}],
        "other": {},
        "nextNudgeAt": "2026-11-02T09:00:00Z",
    }
    assert etag and etag != created.etag
    assert await document_store.read(p, "doc") == Document(p, "doc", expected, etag)
    assert [d.body for d in await document_store.list_partition(p, "doc")] == [expected]
    assert p in {d.pk for d in await document_store.list_due("2026-11-02T09:00:00Z", 1000)}
    # Entries keep the order they were added in ("oldest first" maps rely on it), and the
    # etag a patch returns works for the next conditional write, whole or patched.
    for name in ("z", "y", "x"):
        etag = await document_store.patch(
            p, "doc", [{"op": "set", "path": pointer("map", name), "value": 0}], etag=etag
        )
    stored = await document_store.read(p, "doc")
    assert stored is not None and list(stored.body["map"]) == ["a", "c/d~e", "z", "y", "x"]
    replaced = await document_store.replace(p, "doc", {"map": {"only": 1}}, etag=etag)
    assert await document_store.read(p, "doc") == replaced, "a whole write drops what was"


async def test_patch_with_a_stale_etag_raises_etag_mismatch_and_changes_nothing(
    document_store: DocumentStore,
) -> None:
    p = pk()
    created = await document_store.create(p, "doc", {"map": {"a": 1}, "n": 1})
    etag = await document_store.patch(
        p, "doc", [{"op": "set", "path": "/map/b", "value": 2}], etag=created.etag
    )
    current = await document_store.read(p, "doc")
    stale = [{"op": "set", "path": "/map/c", "value": 3}, {"op": "set", "path": "/n", "value": 9}]
    for old in (created.etag, "not-an-etag"):
        with pytest.raises(EtagMismatch):
            await document_store.patch(p, "doc", stale, etag=old)
    assert await document_store.read(p, "doc") == current
    assert current is not None and current.etag == etag


async def test_patch_of_a_missing_document_raises_not_found(document_store: DocumentStore) -> None:
    p = pk()
    operations = [{"op": "set", "path": "/n", "value": 1}]
    with pytest.raises(NotFound):
        await document_store.patch(p, "doc", operations, etag="some-etag")
    created = await document_store.create(p, "doc", {"n": 0})
    with pytest.raises(NotFound):
        await document_store.patch(pk(), "doc", operations, etag=created.etag)
    assert await document_store.read(p, "doc") == created


async def test_a_patch_with_an_operation_that_cannot_apply_changes_nothing(
    document_store: DocumentStore,
) -> None:
    p = pk()
    created = await document_store.create(p, "doc", {"map": {"a": 1}, "n": 1})
    operations = [
        {"op": "set", "path": "/n", "value": 2},
        {"op": "remove", "path": "/map/absent"},
    ]
    with pytest.raises(StoreError):
        await document_store.patch(p, "doc", operations, etag=created.etag)
    assert await document_store.read(p, "doc") == created


async def test_upsert_creates_then_overwrites_and_invalidates_older_etags(
    document_store: DocumentStore,
) -> None:
    p = pk()
    first = await document_store.upsert(p, "doc", {"v": 1})
    assert await document_store.read(p, "doc") == first
    second = await document_store.upsert(p, "doc", {"v": 2})
    assert second.etag != first.etag
    assert await document_store.read(p, "doc") == second
    with pytest.raises(EtagMismatch):
        await document_store.replace(p, "doc", {"v": 3}, etag=first.etag)
    third = await document_store.replace(p, "doc", {"v": 3}, etag=second.etag)
    assert (await document_store.read(p, "doc")) == third


async def test_delete_removes_and_deleting_a_missing_document_is_no_error(
    document_store: DocumentStore,
) -> None:
    p = pk()
    await document_store.create(p, "doc", {"v": 1})
    await document_store.create(p, "other", {"v": 2})
    await document_store.delete(p, "doc")
    assert await document_store.read(p, "doc") is None
    assert await document_store.read(p, "other") is not None
    await document_store.delete(p, "doc")
    await document_store.delete(pk(), "never-existed")
    recreated = await document_store.create(p, "doc", {"v": 3})
    assert await document_store.read(p, "doc") == recreated


async def test_list_partition_filters_by_prefix_orders_by_id_and_stays_in_its_partition(
    document_store: DocumentStore,
) -> None:
    p, other = pk(), pk()
    for doc_id in ["audit-0000000021", "engagement", "audit-0000000001", "auditor", "x-audit-1"]:
        await document_store.create(p, doc_id, {"id_was": doc_id})
    # Same prefix, other partition: must never show up.
    await document_store.create(other, "audit-0000000011", {"id_was": "elsewhere"})

    listed = await document_store.list_partition(p, "audit-")
    assert [d.id for d in listed] == ["audit-0000000001", "audit-0000000021"]
    assert all(d.pk == p for d in listed)
    assert [d.body for d in listed] == [{"id_was": d.id} for d in listed]
    for doc in listed:
        assert await document_store.read(p, doc.id) == doc

    everything = await document_store.list_partition(p, "")
    assert [d.id for d in everything] == sorted(
        ["audit-0000000001", "audit-0000000021", "auditor", "engagement", "x-audit-1"]
    )
    assert [d.id for d in await document_store.list_partition(other, "audit-")] == [
        "audit-0000000011"
    ]
    assert await document_store.list_partition(p, "nothing-") == []
    assert await document_store.list_partition(pk(), "audit-") == []


async def test_korean_bodies_round_trip_unchanged(document_store: DocumentStore) -> None:
    p = pk()
    created = await document_store.create(p, "ko", KOREAN)
    assert created.body == KOREAN
    read = await document_store.read(p, "ko")
    assert read is not None and read.body == KOREAN
    upserted = await document_store.upsert(p, "ko", {**KOREAN, "title": "활성화 🚀"})
    assert (await document_store.read(p, "ko")) == upserted
    listed = await document_store.list_partition(p, "k")
    assert [d.body for d in listed] == [{**KOREAN, "title": "활성화 🚀"}]


async def test_list_due_finds_due_documents_across_partitions_earliest_first(
    document_store: DocumentStore,
) -> None:
    upper = "2026-11-02T09:00:00Z"
    due = [
        (pk(), "2026-11-02T09:00:00Z"),  # exactly at the bound: due
        (pk(), "2026-10-30T23:59:59Z"),
        (pk(), "2026-11-01T08:00:00Z"),
    ]
    for p, at in due:
        await document_store.create(p, "engagement", {"type": "engagement", "nextNudgeAt": at})
    not_due = [
        {"type": "engagement", "nextNudgeAt": "2026-11-02T09:00:01Z"},
        {"type": "engagement", "nextNudgeAt": None},
        {"type": "engagement"},
        {"type": "audit", "entries": []},
    ]
    for body in not_due:
        await document_store.create(pk(), "engagement", body)

    found = await document_store.list_due(upper, 10)
    assert [(d.pk, d.id, d.body["nextNudgeAt"]) for d in found] == [
        (p, "engagement", at) for p, at in sorted(due, key=lambda item: item[1])
    ]
    for doc in found:
        assert await document_store.read(doc.pk, doc.id) == doc

    assert [d.body["nextNudgeAt"] for d in await document_store.list_due(upper, 2)] == [
        "2026-10-30T23:59:59Z",
        "2026-11-01T08:00:00Z",
    ]
    assert await document_store.list_due("2026-01-01T00:00:00Z", 10) == []


async def test_ping_answers_on_an_open_store(document_store: DocumentStore) -> None:
    await document_store.ping()


# --- repository --------------------------------------------------------------------------


def new_engagement() -> Engagement:
    return Engagement(
        key=EngagementKey("tenant-1", f"team:19:{uuid.uuid4().hex}@thread.tacv2"),
        conversation_type="channel",
        created_at=T0,
        installed_by=ALICE,
        locale="ko-KR",
        conversation_reference={"serviceUrl": "https://smba.example/kr/", "channelId": "msteams"},
    )


def set_status(
    task_id: str,
    status: TaskStatus,
    op_id: str,
    *,
    reason: str | None = None,
    actor: Actor = ALICE,
    at: datetime = T0,
) -> Callable[[Engagement], Any]:
    def change(engagement: Engagement) -> Any:
        return engagement.set_task_status(
            CATALOG, task_id=task_id, status=status, actor=actor, at=at, op_id=op_id, reason=reason
        )

    return change


@pytest.fixture
async def repo(document_store: DocumentStore) -> EngagementRepository:
    return EngagementRepository(document_store)


async def created(repo: EngagementRepository) -> Engagement:
    engagement, was_created = await repo.create_if_missing(new_engagement())
    assert was_created
    return engagement


def installed_again(engagement: Engagement) -> Engagement:
    """The same conversation's installation seen again later (a redelivered event)."""
    return Engagement(
        key=engagement.key,
        conversation_type="channel",
        created_at=engagement.created_at + timedelta(minutes=5),
        installed_by=BOB,
    )


async def test_create_if_missing_twice_returns_the_existing_engagement(
    repo: EngagementRepository,
) -> None:
    engagement = new_engagement()
    first, was_created = await repo.create_if_missing(engagement)
    assert was_created and first == engagement

    redelivered = installed_again(engagement)
    second, was_created = await repo.create_if_missing(redelivered)
    assert not was_created
    assert second == engagement, "the first installation stands"
    assert await repo.get(engagement.id) == engagement
    assert await repo.get(EngagementKey("tenant-1", "team:never-installed").id) is None


async def test_update_of_a_missing_engagement_raises_and_creates_nothing(
    repo: EngagementRepository,
) -> None:
    engagement_id = new_engagement().id
    with pytest.raises(EngagementMissing):
        await repo.update(
            engagement_id, set_status("initiate.start-onboarding", TaskStatus.DONE, "op-1")
        )
    assert await repo.get(engagement_id) is None


async def test_every_task_transition_is_persisted_with_its_audit_entry(
    repo: EngagementRepository,
) -> None:
    engagement = await created(repo)
    task = STEPS[0].id
    other = STEPS[1].id

    stored, entry = await repo.update(engagement.id, set_status(task, TaskStatus.DONE, "op-1"))
    assert entry is not None and entry.after == "done"
    after = await repo.get(engagement.id)
    assert after is not None and after.status_of(task) is TaskStatus.DONE
    assert after.tasks[task].changed_by == ALICE and after == stored

    await repo.update(engagement.id, set_status(task, TaskStatus.OPEN, "op-2", actor=BOB))
    after = await repo.get(engagement.id)
    assert after is not None and after.status_of(task) is TaskStatus.OPEN
    assert task not in after.tasks

    reason = "이미 다른 테넌트에서 구성했습니다"
    await repo.update(
        engagement.id, set_status(other, TaskStatus.NOT_APPLICABLE, "op-3", reason=reason)
    )
    after = await repo.get(engagement.id)
    assert after is not None and after.status_of(other) is TaskStatus.NOT_APPLICABLE
    assert after.tasks[other].reason == reason

    trail = await repo.audit_trail(engagement.id)
    assert [(e.seq, e.subject, e.change, e.before, e.after, e.reason) for e in trail] == [
        (1, task, "status", "open", "done", None),
        (2, task, "status", "done", "open", None),
        (3, other, "status", "open", "not_applicable", reason),
    ]
    assert [e.actor for e in trail] == [ALICE, BOB, ALICE]


async def test_a_create_applied_but_reported_taken_counts_as_created(
    document_store: DocumentStore,
) -> None:
    """Installation work runs once: not skipped because the answer to its create was lost."""
    engagement = new_engagement()
    repo = EngagementRepository(LostAnswers(document_store, creates=lambda doc_id: True))
    stored, was_created = await repo.create_if_missing(engagement)
    assert was_created and stored == engagement
    assert await repo.create_if_missing(installed_again(engagement)) == (engagement, False)


async def test_not_applicable_without_a_reason_raises_and_writes_nothing(
    repo: EngagementRepository, document_store: DocumentStore
) -> None:
    engagement = await created(repo)
    before = await document_store.read(engagement.id, ENGAGEMENT_DOC)
    task = STEPS[2].id
    for blank in (None, "", "   "):
        with pytest.raises(ReasonRequired):
            await repo.update(
                engagement.id, set_status(task, TaskStatus.NOT_APPLICABLE, "op-x", reason=blank)
            )
    assert await document_store.read(engagement.id, ENGAGEMENT_DOC) == before
    assert await repo.audit_trail(engagement.id) == []


async def test_a_stale_write_is_retried_on_fresh_state_and_both_changes_stay(
    repo: EngagementRepository, document_store: DocumentStore
) -> None:
    engagement = await created(repo)
    task_a, task_b = STEPS[3].id, STEPS[4].id

    async def writer_b() -> None:
        await repo.update(engagement.id, set_status(task_b, TaskStatus.DONE, "op-b", actor=BOB))

    interleaved = InterleavingStore(document_store, ENGAGEMENT_DOC, writer_b)
    repo_a = EngagementRepository(interleaved)
    calls = 0
    change_a = set_status(task_a, TaskStatus.DONE, "op-a")

    def counting_change(e: Engagement) -> Any:
        nonlocal calls
        calls += 1
        return change_a(e)

    stored, entry = await repo_a.update(engagement.id, counting_change)
    assert calls == 2, "A's change ran on the stale state, lost, and ran again on fresh state"
    assert interleaved.calls["patch"] == 2
    assert entry is not None and entry.seq == 2

    after = await repo.get(engagement.id)
    assert after == stored
    assert after.status_of(task_a) is TaskStatus.DONE
    assert after.status_of(task_b) is TaskStatus.DONE
    trail = await repo.audit_trail(engagement.id)
    assert [(e.seq, e.op_id, e.subject) for e in trail] == [
        (1, "op-b", task_b),
        (2, "op-a", task_a),
    ]


async def counted(
    repo: EngagementRepository, document_store: DocumentStore
) -> tuple[Engagement, CountingStore, EngagementRepository]:
    """A new engagement, and a second repository (another process) on a counting store."""
    counting = CountingStore(document_store)
    return await created(repo), counting, EngagementRepository(counting)


async def test_the_next_change_from_the_same_process_writes_without_reading(
    repo: EngagementRepository, document_store: DocumentStore
) -> None:
    engagement, counting, this = await counted(repo, document_store)
    await this.update(engagement.id, set_status(STEPS[0].id, TaskStatus.DONE, "op-1"))
    assert (counting.calls["read"], counting.calls["patch"]) == (1, 1)
    await this.update(engagement.id, set_status(STEPS[1].id, TaskStatus.DONE, "op-2"))
    assert (counting.calls["read"], counting.calls["patch"]) == (1, 2), "started from what it wrote"
    after = await repo.get(engagement.id)
    assert after is not None and after.audit_seq == 2


@pytest.mark.parametrize("seed", range(2))
async def test_an_engagement_another_instance_changed_reads_as_a_fresh_read_would(
    document_store: DocumentStore, seed: int
) -> None:
    """An instance that remembers an engagement builds on what it knew when another
    instance changed it (only changed entries read and parsed): over random changes
    (statuses, due dates, own tasks added, removed, restored and purged, applied ops that
    expire), it reads what a repository that remembers nothing reads."""
    rng = random.Random(seed)
    reader, writer = EngagementRepository(document_store), EngagementRepository(document_store)
    engagement = await created(writer)
    at = T0

    def change(n: int) -> Callable[[Engagement], Any]:
        kind = rng.randrange(5)
        own = [t for t in engagement.own_tasks if rng.random() < 0.5]
        op = f"op-{n}"

        def apply(e: Engagement) -> Any:
            if kind == 0 or (kind >= 3 and not own):
                items = tuple(
                    ChecklistItem(i, f"Item {n}.{i}", None, date(2027, 1, 1)) for i in range(3)
                )
                return e.add_tasks(
                    CATALOG,
                    track_id="remediate",
                    items=items,
                    actor=ALICE,
                    at=at,
                    op_id=op,
                    batch=op,
                )
            if kind == 1:
                status = rng.choice((TaskStatus.DONE, TaskStatus.OPEN))
                return e.set_task_status(
                    CATALOG,
                    task_id=rng.choice(STEPS).id,
                    status=status,
                    actor=ALICE,
                    at=at,
                    op_id=op,
                )
            if kind == 2:
                due = rng.choice((None, date(2027, 2, rng.randint(1, 28))))
                return e.set_due(
                    CATALOG, task_id=rng.choice(STEPS).id, due=due, actor=ALICE, at=at, op_id=op
                )
            task = own[0]
            if e.own_tasks.get(task) is None:
                return None
            if e.own_tasks[task].removed_at is None:
                return e.remove_task(CATALOG, task_id=task, actor=ALICE, at=at, op_id=op)
            if e.own_tasks[task].restorable(at):
                return e.restore_task(CATALOG, task_id=task, actor=ALICE, at=at, op_id=op)
            return None

        return apply

    await reader.get(engagement.id)
    for n in range(30):
        at += rng.choice((timedelta(seconds=5), timedelta(minutes=11), timedelta(days=8)))
        engagement, _ = await writer.update(engagement.id, change(n))
        if rng.random() < 0.7:
            read = await reader.get(engagement.id)
            fresh = await EngagementRepository(document_store).get(engagement.id)
            assert read == fresh == engagement, f"change {n}"
            assert read.all_tasks(CATALOG) == fresh.all_tasks(CATALOG)


async def test_a_remembered_copy_another_instance_overtook_is_never_trusted(
    repo: EngagementRepository,
) -> None:
    """Instance A remembers the engagement as it left it; instance B changes it since. A's
    next change must be judged on the stored state: not skipped as "already so", not refused
    by a rule that held only in the old copy."""
    engagement = await created(repo)
    this, other = EngagementRepository(repo.store), repo
    task = STEPS[6].id

    await this.update(engagement.id, set_status(task, TaskStatus.DONE, "op-1"))
    await other.update(engagement.id, set_status(task, TaskStatus.OPEN, "op-2", actor=BOB))
    # A's copy says "done", so Done looks like no change there; the store says "open".
    _, entry = await this.update(engagement.id, set_status(task, TaskStatus.DONE, "op-3"))
    assert entry is not None and entry.before == "open"
    after = await repo.get(engagement.id)
    assert after is not None and after.status_of(task) is TaskStatus.DONE

    def assign(owner: Actor | None, actor: Actor, op_id: str) -> Callable[[Engagement], Any]:
        def change(e: Engagement) -> Any:
            person = owner.person if owner else None
            return e.assign_owner(
                CATALOG, task_id=task, owner=person, actor=actor, at=T0, op_id=op_id
            )

        return change

    as_a_left_it, _ = await this.update(engagement.id, assign(BOB, ALICE, "op-4"))
    await other.update(engagement.id, assign(None, BOB, "op-5"))  # Bob hands it back
    # In A's copy Bob still owns it, and Carol may not take it from him; in the store it
    # is free, so she may.
    take = assign(CAROL, CAROL, "op-6")
    with pytest.raises(NotPermitted):
        take(Engagement.from_dict(as_a_left_it.to_dict()))
    await this.update(engagement.id, take)
    after = await repo.get(engagement.id)
    assert after is not None and after.record(task).owner == CAROL.person
    assert [e.op_id for e in await repo.audit_trail(engagement.id)] == [
        f"op-{n}" for n in range(1, 7)
    ]


async def test_an_owner_set_by_a_write_reported_refused_still_finds_it_in_my_tasks(
    repo: EngagementRepository, document_store: DocumentStore
) -> None:
    """The write was applied and its answer lost; tried again, the change finds its op
    applied and writes nothing. The owners' index is brought up to date all the same."""
    engagement = await created(repo)
    task = STEPS[6].id
    lost = LostAnswers(document_store, patch_id=ENGAGEMENT_DOC)

    def assign(e: Engagement) -> Any:
        return e.assign_owner(
            CATALOG, task_id=task, owner=CAROL.person, actor=ALICE, at=T0, op_id="op-1"
        )

    stored, _ = await EngagementRepository(lost).update(engagement.id, assign)
    assert lost.calls["patch"] == 1 and stored.record(task).owner == CAROL.person
    assert await repo.owned_engagements({CAROL.person.id}) == [engagement.id]


@pytest.mark.parametrize("lost_answers", [1, 2])
async def test_an_owner_set_by_a_write_reported_refused_reaches_my_tasks_whatever_follows(
    repo: EngagementRepository, document_store: DocumentStore, lost_answers: int
) -> None:
    """As above, with a change that writes something more on every attempt (as a turn does
    when the conversation's address moved): the next attempt writes again, and with two lost
    answers that write too is reported refused; the owner set by the first still counts."""
    engagement = await created(repo)
    task = STEPS[6].id
    lost = LostAnswers(document_store, patch_id=ENGAGEMENT_DOC, patches=lost_answers)
    locales = iter(("en-US", "ko-KR", "ko-KR"))

    def assign(e: Engagement) -> Any:
        e.locale = next(locales)
        return e.assign_owner(
            CATALOG, task_id=task, owner=CAROL.person, actor=ALICE, at=T0, op_id="op-1"
        )

    stored, _ = await EngagementRepository(lost).update(engagement.id, assign)
    assert lost.calls["patch"] == 2 and stored.record(task).owner == CAROL.person
    assert await repo.owned_engagements({CAROL.person.id}) == [engagement.id]


async def test_a_refusal_on_a_remembered_copy_is_confirmed_by_one_read_then_raised(
    repo: EngagementRepository, document_store: DocumentStore
) -> None:
    engagement, counting, this = await counted(repo, document_store)
    task = STEPS[7].id
    await this.update(engagement.id, set_status(task, TaskStatus.DONE, "op-1"))
    reads = counting.calls["read"]
    with pytest.raises(ReasonRequired):
        await this.update(engagement.id, set_status(task, TaskStatus.NOT_APPLICABLE, "op-2"))
    assert counting.calls["read"] == reads + 1
    _, entry = await this.update(engagement.id, set_status(task, TaskStatus.DONE, "op-3"))
    assert entry is None, "already done: confirmed on a fresh read, nothing written"
    assert counting.calls["patch"] == 1


async def test_changes_from_one_process_to_one_engagement_never_race_on_its_etag(
    repo: EngagementRepository, document_store: DocumentStore
) -> None:
    engagement, counting, this = await counted(repo, document_store)
    tasks = [t.id for t in STEPS[:12]]
    await asyncio.gather(
        *(this.update(engagement.id, set_status(t, TaskStatus.DONE, f"op-{t}")) for t in tasks)
    )
    assert counting.conflicts == 0
    assert (counting.calls["read"], counting.calls["patch"]) == (1, len(tasks))
    after = await repo.get(engagement.id)
    assert after is not None and all(after.status_of(t) is TaskStatus.DONE for t in tasks)


async def test_the_remembered_copies_are_bounded(document_store: DocumentStore) -> None:
    counting = CountingStore(document_store)
    this = EngagementRepository(counting, recent=2)
    task = STEPS[0].id
    engagements = []
    for n in range(3):
        engagements.append(await created(this))
        await this.update(engagements[-1].id, set_status(task, TaskStatus.DONE, f"op-{n}"))
    assert counting.calls["read"] == 0, "each was remembered from its creation"
    await this.update(engagements[2].id, set_status(task, TaskStatus.OPEN, "op-x"))
    assert counting.calls["read"] == 0
    await this.update(engagements[0].id, set_status(task, TaskStatus.OPEN, "op-y"))
    assert counting.calls["read"] == 1, "the oldest was forgotten when the third came"


async def test_keyed_locks_serialise_per_key_and_leave_nothing_behind() -> None:
    locks = KeyedLocks()
    order: list[str] = []

    async def hold(key: str, name: str) -> None:
        async with locks.hold(key):
            order.append(f"{name}+")
            await asyncio.sleep(0.01)
            order.append(f"{name}-")

    await asyncio.gather(hold("a", "1"), hold("a", "2"), hold("b", "3"))
    assert order.index("1-") < order.index("2+"), "same key: one after the other"
    assert order.index("3+") < order.index("1-"), "another key: side by side"
    assert len(locks) == 0

    holder = asyncio.ensure_future(hold("a", "4"))
    await asyncio.sleep(0)
    waiter = asyncio.ensure_future(hold("a", "5"))
    await asyncio.sleep(0)
    waiter.cancel()  # gives up while waiting for the lock
    await holder
    with contextlib.suppress(asyncio.CancelledError):
        await waiter
    assert "5+" not in order
    assert len(locks) == 0


async def test_settling_all_37_tasks_at_once_persists_all_37(
    repo: EngagementRepository,
) -> None:
    engagement = await created(repo)
    assert len(CATALOG.tasks) == 37
    # Phase tasks get done; standing duties (acknowledged only with an owner) set aside.
    settled = {
        t.id: TaskStatus.NOT_APPLICABLE if t.duty else TaskStatus.DONE for t in CATALOG.tasks
    }
    results = await asyncio.gather(
        *(
            repo.update(engagement.id, set_status(t, status, f"op-{t}", reason="Covered"))
            for t, status in settled.items()
        )
    )
    assert all(entry is not None for _, entry in results)

    after = await repo.get(engagement.id)
    assert after is not None
    assert sorted(after.tasks) == sorted(t.id for t in CATALOG.tasks)
    assert {t: after.status_of(t) for t in settled} == settled
    assert after.audit_seq == 37
    trail = await repo.audit_trail(engagement.id)
    assert [e.seq for e in trail] == list(range(1, 38))
    assert sorted(e.subject for e in trail) == sorted(t.id for t in CATALOG.tasks)


async def test_the_same_op_id_twice_changes_once_with_one_audit_entry(
    repo: EngagementRepository, document_store: DocumentStore
) -> None:
    engagement = await created(repo)
    task = STEPS[5].id
    _, first = await repo.update(engagement.id, set_status(task, TaskStatus.DONE, "op-1"))
    doc = await document_store.read(engagement.id, ENGAGEMENT_DOC)

    # Redelivered with the same activity id, even as a different request: nothing changes.
    _, second = await repo.update(engagement.id, set_status(task, TaskStatus.OPEN, "op-1"))
    assert first is not None and second is None
    assert await document_store.read(engagement.id, ENGAGEMENT_DOC) == doc, "not even written"

    after = await repo.get(engagement.id)
    assert after is not None and after.status_of(task) is TaskStatus.DONE
    assert [e.op_id for e in await repo.audit_trail(engagement.id)] == ["op-1"]


async def test_the_audit_trail_stays_ordered_and_complete_past_the_tail_limit(
    repo: EngagementRepository, document_store: DocumentStore
) -> None:
    engagement = await created(repo)
    changes = 2 * AUDIT_TAIL_LIMIT + 7
    task_ids = [t.id for t in STEPS]
    expected = []
    for n in range(changes):
        task = task_ids[n % 5]
        current = (await repo.get(engagement.id)).status_of(task)  # type: ignore[union-attr]
        target = TaskStatus.OPEN if current is TaskStatus.DONE else TaskStatus.DONE
        at = T0 + timedelta(seconds=n)
        await repo.update(engagement.id, set_status(task, target, f"op-{n}", at=at))
        expected.append((n + 1, f"op-{n}", task, current.value, target.value, at))

    trail = await repo.audit_trail(engagement.id)
    assert [(e.seq, e.op_id, e.subject, e.before, e.after, e.at) for e in trail] == (expected)
    # The older entries moved to archive documents in the same partition, in chunks.
    archives = await document_store.list_partition(engagement.id, AUDIT_PREFIX)
    assert [len(d.body["entries"]) for d in archives] == [AUDIT_TAIL_LIMIT, AUDIT_TAIL_LIMIT]
    after = await repo.get(engagement.id)
    assert after is not None and len(after.audit_tail) == changes - 2 * AUDIT_TAIL_LIMIT


async def test_a_change_needing_more_than_ten_operations_lands_in_one_write(
    repo: EngagementRepository, document_store: DocumentStore
) -> None:
    """15 tasks settled by one change: 15 records, 15 audit entries, 15 applied ops, more
    than a patch carries one by one: the patch sets those properties whole instead."""
    engagement, counting, this = await counted(repo, document_store)
    tasks = [t.id for t in STEPS[:15]]

    def settle_all(e: Engagement) -> list[Any]:
        return [set_status(t, TaskStatus.DONE, f"op-{t}")(e) for t in tasks]

    await this.update(engagement.id, settle_all)
    assert (counting.calls["patch"], counting.calls["replace"]) == (1, 0)
    after = await EngagementRepository(document_store).get(engagement.id)
    assert after is not None and all(after.status_of(t) is TaskStatus.DONE for t in tasks)
    assert [e.subject for e in await repo.audit_trail(engagement.id)] == tasks
    assert all(after.has_applied(f"op-{t}") for t in tasks)


async def test_an_engagement_stored_before_later_fields_is_written_whole_once_then_patched(
    document_store: DocumentStore,
) -> None:
    """A document from an early release lacks most of today's fields: its first change adds
    them all (more than a patch carries) and replaces it whole; later changes patch it."""
    engagement = new_engagement()
    early = ("type", "tenantId", "conversationKey", "conversationType", "createdAt")
    stored = {"type": "engagement", **engagement.to_dict()}
    await document_store.create(engagement.id, ENGAGEMENT_DOC, {k: stored[k] for k in early})
    counting = CountingStore(document_store)
    this = EngagementRepository(counting)
    await this.update(engagement.id, set_status(STEPS[0].id, TaskStatus.DONE, "op-1"))
    assert (counting.calls["replace"], counting.calls["patch"]) == (1, 0)
    await this.update(engagement.id, set_status(STEPS[1].id, TaskStatus.DONE, "op-2"))
    assert (counting.calls["replace"], counting.calls["patch"]) == (1, 1)
    after = await EngagementRepository(document_store).get(engagement.id)
    assert after is not None
    assert [after.status_of(t.id) for t in STEPS[:2]] == [TaskStatus.DONE] * 2
    assert [e.op_id for e in await this.audit_trail(engagement.id)] == ["op-1", "op-2"]
