"""The status report reads only its period's audit entries (EngagementRepository.audit_since):
on both backends, the report built from that bounded read equals the one built from the whole
audit trail, on an engagement whose trail spans many archive chunks, with the period starting
in the middle of a chunk, before the whole history, and within the tail."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from domain.catalog import default_catalog
from domain.engagement import Actor, Engagement, EngagementKey, TaskStatus
from domain.profile import Profile
from domain.report import build_report, report_since
from storage.base import DocumentStore
from storage.repository import AUDIT_PREFIX, AUDIT_TAIL_LIMIT, EngagementRepository
from testkit import CountingStore

CATALOG = default_catalog()
T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
MANAGER = Actor("29:alice", "Alice Kim")
PEOPLE = [MANAGER, Actor("29:bob", "박민수"), Actor("29:carol", "Carol Lee")]
TASKS = [t.id for t in CATALOG.tasks if not t.duty][:12]
# Every tenth change saves the setup with other services, putting tasks out of scope or back.
SERVICE_SETS = [frozenset({"aad_premium", "intune", "rms"}), frozenset({"intune", "rms"})]
CHANGES = 240  # one an hour: ten days, past a week, in several archive chunks
NOW = T0 + timedelta(hours=CHANGES)


def profile(services: frozenset[str]) -> Profile:
    return Profile(
        name="Contoso",
        services=services,
        kickoff=date(2026, 11, 1),
        phase_targets={},
        project_manager=MANAGER.person,
        time_zone="Asia/Seoul",
        language="en",
    )


async def created(repo: EngagementRepository) -> Engagement:
    engagement, _ = await repo.create_if_missing(
        Engagement(
            key=EngagementKey("tenant-1", f"team:19:{uuid.uuid4().hex}@thread.tacv2"),
            conversation_type="channel",
            created_at=T0,
            installed_by=MANAGER,
            locale="en-US",
        )
    )
    return engagement


async def long_history(repo: EngagementRepository) -> Engagement:
    """An engagement changed once an hour for ten days: tasks done, reopened, not applicable,
    by three people, and scope changes."""
    engagement = await created(repo)
    for n in range(CHANGES):
        at, op = T0 + timedelta(hours=n), f"op-{n}"
        if n % 10 == 0:
            services = SERVICE_SETS[(n // 10) % 2]
            await repo.update(
                engagement.id,
                lambda e, s=services, at=at, op=op: e.apply_profile(
                    CATALOG, profile(s), actor=MANAGER, at=at, op_id=op
                ),
            )
            continue
        task = TASKS[n % len(TASKS)]
        status = [TaskStatus.DONE, TaskStatus.OPEN, TaskStatus.DONE][n % 3]
        if n % 7 == 0:
            status = TaskStatus.NOT_APPLICABLE
        await repo.update(
            engagement.id,
            lambda e, t=task, s=status, at=at, op=op, n=n: e.set_task_status(
                CATALOG,
                task_id=t,
                status=s,
                actor=PEOPLE[n % 3],
                at=at,
                op_id=op,
                reason="not used here" if s is TaskStatus.NOT_APPLICABLE else None,
            ),
        )
    stored = await repo.get(engagement.id)
    assert stored is not None
    return stored


async def test_the_report_from_its_period_equals_the_report_from_the_whole_trail(
    document_store: DocumentStore,
) -> None:
    engagement = await long_history(EngagementRepository(document_store))
    whole = await EngagementRepository(document_store).audit_trail(engagement.id)
    chunks = await document_store.list_partition(engagement.id, AUDIT_PREFIX)
    assert len(chunks) >= 5
    middle_of_a_chunk = whole[len(whole) // 2 + AUDIT_TAIL_LIMIT // 2].at + timedelta(minutes=1)
    in_the_tail = whole[-5].at - timedelta(minutes=1)
    reports = {}
    for last_report in (None, middle_of_a_chunk, T0 - timedelta(days=1), in_the_tail):
        engagement.last_report_at = last_report
        since = report_since(engagement, NOW)
        counting = CountingStore(document_store)
        bounded = await EngagementRepository(counting).audit_since(engagement, since)
        assert bounded == [e for e in whole if e.at >= since]
        reports[last_report] = build_report(engagement, CATALOG, bounded, NOW)
        assert reports[last_report] == build_report(engagement, CATALOG, whole, NOW)
        # Point reads of the period's chunks (and the one it starts in), never a listing.
        needed = {f"{AUDIT_PREFIX}{e.seq - (e.seq - 1) % AUDIT_TAIL_LIMIT:010d}" for e in bounded}
        archived = needed - {f"{AUDIT_PREFIX}{engagement.audit_tail[0]['seq']:010d}"}
        assert counting.calls["list_partition"] == 0
        assert len(archived) <= counting.calls["read"] <= len(archived) + 1
    assert reports[middle_of_a_chunk].settled and reports[middle_of_a_chunk].scope_changes


async def test_a_report_reads_each_archive_chunk_once_per_process(
    document_store: DocumentStore,
) -> None:
    engagement = await long_history(EngagementRepository(document_store))
    counting = CountingStore(document_store)
    repo = EngagementRepository(counting)
    since = report_since(engagement, NOW)
    first = await repo.audit_since(engagement, since)
    assert counting.calls["read"] >= 3
    counting.reset()
    assert await repo.audit_since(engagement, since) == first
    assert counting.calls["read"] == 0


async def test_an_archive_not_in_contiguous_chunks_is_read_whole(
    document_store: DocumentStore,
) -> None:
    """A chunk missing (or laid out otherwise): the entries come from the whole trail."""
    engagement = await long_history(EngagementRepository(document_store))
    tail_start = engagement.audit_tail[0]["seq"]
    await document_store.delete(
        engagement.id, f"{AUDIT_PREFIX}{tail_start - 3 * AUDIT_TAIL_LIMIT:010d}"
    )
    whole = await EngagementRepository(document_store).audit_trail(engagement.id)
    since = report_since(engagement, NOW)
    counting = CountingStore(document_store)
    bounded = await EngagementRepository(counting).audit_since(engagement, since)
    assert bounded == [e for e in whole if e.at >= since]
    assert counting.calls["list_partition"] == 1
    assert build_report(engagement, CATALOG, bounded, NOW) == build_report(
        engagement, CATALOG, whole, NOW
    )


async def test_an_entry_a_little_behind_the_clock_of_a_later_one_is_still_read(
    document_store: DocumentStore,
) -> None:
    """Instances' clocks disagree a little: the last entry of the first chunk was written
    two minutes after the first entry of the second by another clock. The period starting
    between them still holds it."""
    repo = EngagementRepository(document_store)
    engagement = await created(repo)
    second_chunk = T0 + timedelta(hours=AUDIT_TAIL_LIMIT)
    for n in range(2 * AUDIT_TAIL_LIMIT + 1):
        late = n == AUDIT_TAIL_LIMIT - 1
        at = second_chunk + timedelta(minutes=2) if late else T0 + timedelta(hours=n)
        task = TASKS[n % len(TASKS)]
        status = TaskStatus.DONE if (n // len(TASKS)) % 2 == 0 else TaskStatus.OPEN
        await repo.update(
            engagement.id,
            lambda e, t=task, s=status, at=at, op=f"op-{n}": e.set_task_status(
                CATALOG, task_id=t, status=s, actor=MANAGER, at=at, op_id=op
            ),
        )
    stored = await repo.get(engagement.id)
    assert stored is not None and stored.audit_tail[0]["seq"] == 2 * AUDIT_TAIL_LIMIT + 1
    since = second_chunk + timedelta(minutes=1)
    bounded = await EngagementRepository(document_store).audit_since(stored, since)
    assert AUDIT_TAIL_LIMIT in [e.seq for e in bounded]
    whole = await repo.audit_trail(engagement.id)
    assert bounded == [e for e in whole if e.at >= since]
