"""The engagement's rules, without Teams or a store."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.applied import AppliedOps
from domain.catalog import SERVICES, default_catalog
from domain.engagement import (
    Actor,
    Engagement,
    EngagementKey,
    PhaseSkip,
    Signature,
    TaskRecord,
    TaskStatus,
    check_note,
)
from domain.errors import (
    OutOfScope,
    OwnerKept,
    OwnerRequired,
    ReasonRequired,
    TextRequired,
    TextTooLong,
    UnknownTask,
    WrongKindOfTask,
)
from domain.own_tasks import ChecklistItem
from domain.profile import Profile
from domain.roles import signers_of
from domain.text import is_blank
from storage.patches import body_patch

CATALOG = default_catalog()
AT = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
ALICE = Actor("29:alice", "Alice", aad_id="aad-alice")


def new() -> Engagement:
    return Engagement(EngagementKey("t1", "c1"), "channel", AT)


def settle(
    engagement: Engagement, track_id: str, *, include_optional: bool, signed: bool = True
) -> None:
    """Settles a track's tasks and, `signed`, gives a phase the signatures it needs (who may
    sign is tested in tests/test_signoff.py)."""
    if signed and track_id != "general":
        engagement.signoffs[track_id] = {
            side: Signature(ALICE, AT) for side in signers_of(track_id)
        }
    for task in CATALOG.tasks_of(track_id):
        if include_optional or not task.optional:
            engagement.set_task_status(
                CATALOG,
                task_id=task.id,
                status=TaskStatus.DONE,
                actor=ALICE,
                at=AT,
                op_id=f"op-{task.id}",
            )


def test_current_phase_is_the_first_with_required_work_open() -> None:
    engagement = new()
    assert engagement.current_phase(CATALOG).id == "initiate"
    settle(engagement, "initiate", include_optional=True)
    assert engagement.current_phase(CATALOG).id == "assess"
    settle(engagement, "assess", include_optional=False)  # the optional screen share stays open
    assert engagement.current_phase(CATALOG).id == "remediate"
    settle(engagement, "remediate", include_optional=True)
    settle(engagement, "enable", include_optional=False)
    assert engagement.current_phase(CATALOG) is None


def test_general_track_does_not_gate_the_phases() -> None:
    engagement = new()
    settle(engagement, "initiate", include_optional=True)
    assert engagement.progress(CATALOG, CATALOG.general).open_required == 19
    assert engagement.current_phase(CATALOG).id == "assess"


def test_not_applicable_settles_a_required_task() -> None:
    engagement = new()
    engagement.signoffs["initiate"] = {
        side: Signature(ALICE, AT) for side in signers_of("initiate")
    }
    for task in CATALOG.tasks_of("initiate"):
        engagement.set_task_status(
            CATALOG,
            task_id=task.id,
            status=TaskStatus.NOT_APPLICABLE,
            actor=ALICE,
            at=AT,
            op_id=task.id,
            reason="Done by partner",
        )
    assert engagement.current_phase(CATALOG).id == "assess"


def test_a_change_records_who_when_and_the_audit_entry() -> None:
    engagement = new()
    entry = engagement.set_task_status(
        CATALOG,
        task_id="assess.identify-stakeholders",
        status=TaskStatus.NOT_APPLICABLE,
        actor=ALICE,
        at=AT,
        op_id="op-1",
        reason="  Already staffed  ",
    )
    record = engagement.tasks["assess.identify-stakeholders"]
    assert (record.status, record.changed_by, record.changed_at, record.reason) == (
        TaskStatus.NOT_APPLICABLE,
        ALICE,
        AT,
        "Already staffed",
    )
    assert entry is not None
    assert (entry.seq, entry.change, entry.before, entry.after) == (
        1,
        "status",
        "open",
        "not_applicable",
    )


def test_same_state_or_replayed_op_changes_nothing() -> None:
    engagement = new()
    kwargs = dict(task_id="initiate.start-onboarding", actor=ALICE, at=AT)
    assert engagement.set_task_status(CATALOG, status=TaskStatus.DONE, op_id="a", **kwargs)
    assert engagement.set_task_status(CATALOG, status=TaskStatus.DONE, op_id="b", **kwargs) is None
    assert engagement.set_task_status(CATALOG, status=TaskStatus.OPEN, op_id="a", **kwargs) is None
    assert engagement.status_of("initiate.start-onboarding") is TaskStatus.DONE
    assert engagement.audit_seq == 1


@pytest.mark.parametrize(
    ("task_id", "status", "reason", "error"),
    [
        ("nope.task", TaskStatus.DONE, None, UnknownTask),
        ("initiate.start-onboarding", TaskStatus.NOT_APPLICABLE, None, ReasonRequired),
        ("initiate.start-onboarding", TaskStatus.NOT_APPLICABLE, "   ", ReasonRequired),
        ("initiate.start-onboarding", TaskStatus.NOT_APPLICABLE, "\u200b\u3164 ", ReasonRequired),
        ("initiate.start-onboarding", TaskStatus.NOT_APPLICABLE, "x" * 501, TextTooLong),
    ],
)
def test_refused_changes_leave_the_engagement_as_it_was(task_id, status, reason, error) -> None:
    engagement = new()
    before = engagement.to_dict()
    with pytest.raises(error):
        engagement.set_task_status(
            CATALOG, task_id=task_id, status=status, actor=ALICE, at=AT, op_id="op", reason=reason
        )
    assert engagement.to_dict() == before


# Text that shows nothing: zero-width space, joiner and non-joiner, word joiner, BOM, soft
# hyphen, bidi controls, an ideographic space, the Hangul fillers, a blank Braille pattern,
# a combining mark with nothing to combine with.
INVISIBLE = [
    "\u200b",
    "\u200d\u200c\u2060",
    "\ufeff\u00ad",
    "\u202e\u2066\u200f",
    "\u3000",
    "\u3164",
    "\u115f\u1160\uffa0",
    "\u2800",
    "\u0301",
]


@pytest.mark.parametrize("text", INVISIBLE)
def test_a_note_or_reason_that_shows_nothing_is_refused_and_changes_nothing(text: str) -> None:
    engagement = new()
    engagement.installed_by = ALICE
    before = engagement.to_dict()
    task = {"task_id": "initiate.start-onboarding", "actor": ALICE, "at": AT, "op_id": "op"}
    with pytest.raises(TextRequired):
        check_note(f" {text} ")
    with pytest.raises(TextRequired):
        engagement.note_added(CATALOG, text=text, **task)
    with pytest.raises(ReasonRequired):
        engagement.set_task_status(
            CATALOG, status=TaskStatus.NOT_APPLICABLE, reason=text + "\n", **task
        )
    with pytest.raises(ReasonRequired):
        engagement.skip_phase(
            CATALOG, phase_id="assess", reason=text, actor=ALICE, at=AT, op_id="op"
        )
    assert engagement.to_dict() == before


@pytest.mark.parametrize("text", ["ㅤ가", "\u200bok", "e\u0301", "\u202e.", "ㄱ"])
def test_text_with_anything_visible_is_not_blank(text: str) -> None:
    assert not is_blank(text)
    assert check_note(text) == text


def test_round_trip_through_a_document() -> None:
    engagement = new()
    settle(engagement, "initiate", include_optional=True)
    engagement.conversation_reference = {"serviceUrl": "https://smba.example/"}
    assert Engagement.from_dict(engagement.to_dict()) == engagement


def test_engagement_id_is_safe_for_cosmos_and_stable() -> None:
    key = EngagementKey("t1", "19:abc/def?#@thread.tacv2")
    assert key.id == EngagementKey("t1", "19:abc/def?#@thread.tacv2").id
    assert not set(key.id) & set("/\\?#")
    assert key.id != EngagementKey("t2", "19:abc/def?#@thread.tacv2").id


def test_a_copy_changes_independently_of_its_original() -> None:
    """The repository changes copies of the engagements it remembers: nothing done to a
    copy may show in the original."""
    original = new()
    settle(original, "initiate", include_optional=False)
    original.conversation_reference = {"serviceUrl": "https://smba.example/"}
    before = original.to_dict()

    copy = original.copy()
    assert copy == original
    task = CATALOG.tasks_of("initiate")[0].id
    pm = Actor("29:pm", "PM")
    copy.installed_by = pm
    copy.set_task_status(CATALOG, task_id=task, status=TaskStatus.OPEN, actor=pm, at=AT, op_id="a")
    copy.assign_owner(CATALOG, task_id=task, owner=ALICE.person, actor=pm, at=AT, op_id="b")
    copy.note_added(CATALOG, task_id=task, text="note", actor=pm, at=AT, op_id="c")
    copy.skip_phase(CATALOG, phase_id="assess", reason="why", actor=pm, at=AT, op_id="d")
    copy.take_completed_phases(CATALOG, AT)
    copy.snooze(datetime(2026, 12, 1, tzinfo=UTC), actor=pm, at=AT, op_id="e")
    copy.claim_nudge(datetime(2026, 11, 30, 9, tzinfo=UTC), "run", AT, timedelta(minutes=2))
    copy.mark_unreachable(403, AT)
    copy.conversation_reference = {"serviceUrl": "https://elsewhere.example/"}

    assert copy.to_dict() != before
    assert original.to_dict() == before


def test_a_copy_has_its_own_containers_for_every_field_that_holds_one() -> None:
    """A field added later with a container in it must be copied too (or be one that is
    only ever replaced, named here)."""
    original = new()
    copy = original.copy()
    shared_on_purpose = {"_own_views"}
    for f in dataclasses.fields(Engagement):
        value = getattr(original, f.name)
        if isinstance(value, dict | list | set | AppliedOps) and f.name not in shared_on_purpose:
            assert getattr(copy, f.name) is not value, f.name
        else:
            assert getattr(copy, f.name) is value, f.name


def test_a_change_completes_only_the_phase_it_was_made_in() -> None:
    engagement = new()
    settle(engagement, "initiate", include_optional=True)
    settle(engagement, "assess", include_optional=True)
    assert [p.id for p in engagement.take_completed_phases(CATALOG, AT, track_id="assess")] == [
        "assess"
    ]
    assert engagement.take_completed_phases(CATALOG, AT, track_id="general") == []
    assert [p.id for p in engagement.take_completed_phases(CATALOG, AT)] == ["initiate"]
    assert engagement.take_completed_phases(CATALOG, AT) == [], "each is announced once"


def test_a_records_stored_form_is_built_once_and_stays_right() -> None:
    engagement = new()
    settle(engagement, "initiate", include_optional=True)
    task = CATALOG.tasks_of("initiate")[0].id
    record = engagement.record(task)
    assert record.to_dict() is record.to_dict()
    engagement.set_due(CATALOG, task_id=task, due=AT.date(), actor=ALICE, at=AT, op_id="due")
    assert engagement.to_dict()["tasks"][task]["due"] == "2026-11-29"
    assert "due" not in record.to_dict(), "a changed task is a new record"


# --- standing duties -------------------------------------------------------------------

DUTY = "general.test-environment"
PM = Actor("29:pm", "Pat Manager", aad_id="aad-pm")


def _acknowledge(engagement: Engagement, op_id: str, task_id: str = DUTY):
    return engagement.set_task_status(
        CATALOG, task_id=task_id, status=TaskStatus.ACKNOWLEDGED, actor=ALICE, at=AT, op_id=op_id
    )


def test_a_duty_is_acknowledged_once_it_has_an_owner_and_can_be_reopened() -> None:
    engagement = new()
    before = engagement.to_dict()
    with pytest.raises(OwnerRequired):
        _acknowledge(engagement, "ack-1")
    assert engagement.to_dict() == before, "a refused acknowledgement changes nothing"

    engagement.assign_owner(
        CATALOG, task_id=DUTY, owner=ALICE.person, actor=ALICE, at=AT, op_id="own"
    )
    entry = _acknowledge(engagement, "ack-2")
    assert entry is not None and (entry.change, entry.before, entry.after) == (
        "status",
        "open",
        "acknowledged",
    )
    record = engagement.record(DUTY)
    assert (record.status, record.changed_by, record.owner) == (
        TaskStatus.ACKNOWLEDGED,
        ALICE,
        ALICE.person,
    )
    assert Engagement.from_dict(engagement.to_dict()) == engagement, "stored and read back"

    engagement.set_task_status(
        CATALOG, task_id=DUTY, status=TaskStatus.OPEN, actor=ALICE, at=AT, op_id="reopen"
    )
    assert engagement.status_of(DUTY) is TaskStatus.OPEN
    assert [e["to"] for e in engagement.audit_tail] == ["aad-alice", "acknowledged", "open"]


@pytest.mark.parametrize(
    ("task_id", "status"),
    [
        (DUTY, TaskStatus.DONE),
        ("initiate.start-onboarding", TaskStatus.ACKNOWLEDGED),
    ],
)
def test_duties_are_not_done_and_phase_tasks_are_not_acknowledged(task_id, status) -> None:
    engagement = new()
    engagement.assign_owner(
        CATALOG, task_id=task_id, owner=ALICE.person, actor=ALICE, at=AT, op_id="own"
    )
    before = engagement.to_dict()
    with pytest.raises(WrongKindOfTask):
        engagement.set_task_status(
            CATALOG, task_id=task_id, status=status, actor=ALICE, at=AT, op_id="x"
        )
    assert engagement.to_dict() == before


def test_a_duty_may_be_not_applicable_with_a_reason() -> None:
    engagement = new()
    engagement.set_task_status(
        CATALOG,
        task_id="general.on-premises-mfa",
        status=TaskStatus.NOT_APPLICABLE,
        actor=ALICE,
        at=AT,
        op_id="na",
        reason="No on-premises MFA: cloud MFA only",
    )
    progress = engagement.progress(CATALOG, CATALOG.general)
    assert (progress.not_applicable, progress.open, progress.unowned) == (1, 18, 18)


def test_an_acknowledged_duty_keeps_an_owner() -> None:
    engagement = new()
    engagement.assign_owner(
        CATALOG, task_id=DUTY, owner=ALICE.person, actor=ALICE, at=AT, op_id="own"
    )
    _acknowledge(engagement, "ack")
    before = engagement.to_dict()
    with pytest.raises(OwnerKept):
        engagement.assign_owner(CATALOG, task_id=DUTY, owner=None, actor=ALICE, at=AT, op_id="c")
    assert engagement.to_dict() == before
    engagement.assign_owner(CATALOG, task_id=DUTY, owner=PM.person, actor=ALICE, at=AT, op_id="r")
    assert engagement.record(DUTY).owner == PM.person, "handing it to someone else is fine"


def test_duties_are_never_next_and_are_counted_apart_from_the_phases() -> None:
    engagement = new()
    assert [t.track_id for t in engagement.next_up(CATALOG, AT.date(), limit=10)] == [
        "initiate",
        "initiate",
    ]
    settle(engagement, "initiate", include_optional=True)
    assert {t.track_id for t in engagement.next_up(CATALOG, AT.date(), limit=10)} == {"assess"}
    for track in ("assess", "remediate", "enable"):
        settle(engagement, track, include_optional=True)
    assert engagement.next_up(CATALOG, AT.date()) == [], "the duties never come next"

    engagement.assign_owner(
        CATALOG, task_id=DUTY, owner=ALICE.person, actor=ALICE, at=AT, op_id="own"
    )
    _acknowledge(engagement, "ack")
    general = engagement.progress(CATALOG, CATALOG.general)
    assert (general.acknowledged, general.done, general.open_required, general.unowned) == (
        1,
        0,
        18,
        18,
    )
    assert engagement.progress(CATALOG, CATALOG.track("enable")).settled == 8


def test_documents_from_before_duties_read_a_done_duty_as_acknowledged() -> None:
    """Before duties were acknowledged, a general responsibility was marked done; the
    document must load, with the same ids, and read that as acknowledged."""
    stored = new().to_dict()
    by = ALICE.to_dict()
    stored["tasks"] = {
        DUTY: {"status": "done", "by": by, "at": AT.isoformat()},
        "general.program-management": {
            "status": "not_applicable",
            "by": by,
            "at": AT.isoformat(),
            "reason": "Partner runs it",
        },
        "initiate.start-onboarding": {"status": "done", "by": by, "at": AT.isoformat()},
        "enable.share-screen-for-changes": {"status": "open", "owner": by},
    }
    engagement = Engagement.from_dict(stored)
    assert engagement.status_of(DUTY) is TaskStatus.ACKNOWLEDGED
    assert engagement.record(DUTY).changed_by == ALICE
    assert engagement.status_of("general.program-management") is TaskStatus.NOT_APPLICABLE
    assert engagement.status_of("initiate.start-onboarding") is TaskStatus.DONE
    assert engagement.to_dict()["tasks"][DUTY]["status"] == "acknowledged"
    general = engagement.progress(CATALOG, CATALOG.general)
    assert (general.acknowledged, general.not_applicable) == (1, 1)
    # The old "done" duty has no owner: it counts among the duties nobody owns.
    assert general.unowned == 18
    # The Enable screen share is no longer optional: left open, it now holds Enable open.
    for track in ("initiate", "assess", "remediate"):
        settle(engagement, track, include_optional=True)
    for task in CATALOG.tasks_of("enable")[1:]:
        engagement.set_task_status(
            CATALOG, task_id=task.id, status=TaskStatus.DONE, actor=ALICE, at=AT, op_id=task.id
        )
    assert engagement.current_phase(CATALOG) == CATALOG.track("enable")


# --- services in scope -----------------------------------------------------------------


def _profile(*services: str) -> Profile:
    return Profile(
        name="Contoso",
        services=frozenset(services),
        kickoff=date(2026, 12, 1),
        phase_targets={},
        project_manager=PM.person,
        time_zone="Asia/Seoul",
        language="en",
    )


def test_tasks_for_services_out_of_scope_are_settled_not_counted_and_come_back() -> None:
    engagement = new()
    engagement.installed_by = PM
    terms = "general.terms-of-use"
    engagement.assign_owner(CATALOG, task_id=terms, owner=ALICE.person, actor=PM, at=AT, op_id="o")
    engagement.apply_profile(CATALOG, _profile("intune", "rms"), actor=PM, at=AT, op_id="p1")
    assert engagement.progress(CATALOG, CATALOG.general).out_of_scope == 2  # Azure AD Premium

    engagement.apply_profile(CATALOG, _profile("aad_premium", "rms"), actor=PM, at=AT, op_id="p2")
    assert not engagement.in_scope(CATALOG.task(terms))
    general = engagement.progress(CATALOG, CATALOG.general)
    assert (general.out_of_scope, general.total, general.open_required) == (1, 18, 18)
    assert terms not in [t.id for t in engagement.open_tasks(CATALOG, CATALOG.general)]
    # Each task the change moved has its own audit entry, with the services as the reason.
    scope = [e for e in engagement.audit_tail if e["change"] == "scope"]
    assert [(e["op"], e["subject"], e["from"], e["to"], e["reason"]) for e in scope] == [
        ("p1", "general.user-account-enrollment", "in", "out", "intune,rms"),
        ("p1", "general.on-premises-mfa", "in", "out", "intune,rms"),
        ("p2", "general.user-account-enrollment", "out", "in", "aad_premium,rms"),
        ("p2", "general.on-premises-mfa", "out", "in", "aad_premium,rms"),
        ("p2", terms, "in", "out", "aad_premium,rms"),
    ]
    assert engagement.applied_ops.ops()[-2:] == ["p1", "p2"], "one change, one remembered op"

    before = engagement.to_dict()
    with pytest.raises(OutOfScope):
        engagement.set_task_status(
            CATALOG, task_id=terms, status=TaskStatus.ACKNOWLEDGED, actor=ALICE, at=AT, op_id="a"
        )
    assert engagement.to_dict() == before

    engagement.apply_profile(CATALOG, _profile(*SERVICES), actor=PM, at=AT, op_id="p3")
    assert engagement.in_scope(CATALOG.task(terms))
    assert engagement.record(terms).owner == ALICE.person, "its state came back with it"
    assert engagement.progress(CATALOG, CATALOG.general).total == 19


def test_tasks_out_of_scope_are_not_in_the_digest() -> None:
    engagement = new()
    engagement.installed_by = PM
    terms = "general.terms-of-use"
    engagement.set_due(CATALOG, task_id=terms, due=date(2026, 11, 1), actor=PM, at=AT, op_id="d")
    assert [t.id for t in engagement.digest(CATALOG, AT).overdue] == [terms]
    engagement.apply_profile(CATALOG, _profile("aad_premium"), actor=PM, at=AT, op_id="p")
    assert engagement.digest(CATALOG, AT).overdue == []


def test_before_setup_every_task_is_in_scope() -> None:
    engagement = new()
    assert all(engagement.in_scope(task) for task in CATALOG.tasks)


def test_reading_a_changed_engagement_reuses_what_did_not_change() -> None:
    """Another instance's click changed one record: parsing the document again with the
    earlier state gives the same engagement, sharing every record and own task it kept."""
    before = new()
    items = tuple(ChecklistItem(n, f"Item {n}", None, date(2027, 1, 1)) for n in range(5))
    at = datetime(2026, 11, 2, tzinfo=UTC)
    before.add_tasks(
        CATALOG, track_id="remediate", items=items, actor=ALICE, at=at, op_id="o1", batch="b"
    )
    before.tasks_of(CATALOG, "remediate")  # derived once, to be shared
    after = Engagement.from_dict(before.to_dict())
    clicked = CATALOG.tasks_of("enable")[0].id
    after.set_task_status(
        CATALOG, task_id=clicked, status=TaskStatus.DONE, actor=ALICE, at=at, op_id="o2"
    )
    stored = after.to_dict()
    read = Engagement.from_dict(stored, known=before)
    assert read == Engagement.from_dict(stored)
    assert read.tasks[clicked] is not before.tasks.get(clicked)
    assert all(read.tasks[t] is before.tasks[t] for t in before.tasks)
    assert all(read.own_tasks[t] is before.own_tasks[t] for t in before.own_tasks)
    assert read.tasks_of(CATALOG, "remediate") is before.tasks_of(CATALOG, "remediate")
    # Given the stored form it knew, maps and entries that are the very objects it holds (a
    # store that reads only what changed hands them back) are taken without a comparison.
    known_data = before.to_dict()
    shared = {**stored, "ownTasks": known_data["ownTasks"]}
    shared["tasks"] = {**known_data["tasks"], clicked: stored["tasks"][clicked]}
    from_shared = Engagement.from_dict(shared, before, known_data)
    assert from_shared == Engagement.from_dict(stored)
    assert all(from_shared.own_tasks[t] is before.own_tasks[t] for t in before.own_tasks)
    assert from_shared.tasks[clicked] == after.tasks[clicked]


@pytest.mark.parametrize("seed", range(40))
def test_completion_and_sign_off_without_counting_agree_with_the_counts(seed: int) -> None:
    """`is_complete`, `settled_all`, `awaiting_signoff` and `current_phase` stop at the
    first open required task instead of counting every task: over random states (statuses,
    scope, own tasks, skips, signatures) they say what the counts of `progress` say."""
    rng = random.Random(seed)
    engagement = new()
    items = tuple(ChecklistItem(n, f"Item {n}", None, None) for n in range(rng.randint(0, 4)))
    if items:
        engagement.add_tasks(
            CATALOG, track_id="remediate", items=items, actor=PM, at=AT, op_id="o", batch="b"
        )
    if rng.random() < 0.7:
        engagement.profile = _profile(*rng.sample(sorted(SERVICES), rng.randint(0, 3)))
    statuses = (TaskStatus.OPEN, TaskStatus.DONE, TaskStatus.NOT_APPLICABLE)
    for task in engagement.all_tasks(CATALOG):
        # Mostly settled, so that phases often are too; the optional one often left open.
        status = rng.choices(statuses, weights=(5, 1, 1) if task.optional else (1, 10, 3))[0]
        if rng.random() < 0.98:
            engagement.tasks[task.id] = TaskRecord(
                status=TaskStatus.ACKNOWLEDGED
                if task.duty and status is TaskStatus.DONE
                else status
            )
    for phase in CATALOG.phases:
        if rng.random() < 0.15:
            engagement.skipped_phases[phase.id] = PhaseSkip(PM, AT, "skipped")
        sides = [side for side in signers_of(phase.id) if rng.random() < 0.6]
        engagement.signoffs[phase.id] = {side: Signature(PM, AT) for side in sides}
    for track in CATALOG.tracks:
        counted = engagement.progress(CATALOG, track)
        assert engagement.settled_all(CATALOG, track) == counted.settled_all
        assert engagement.is_complete(CATALOG, track) == counted.complete
    awaiting = [p for p in CATALOG.phases if engagement.progress(CATALOG, p).awaiting_signoff]
    assert engagement.awaiting_signoff(CATALOG) == awaiting
    incomplete = [p for p in CATALOG.phases if not engagement.progress(CATALOG, p).complete]
    assert engagement.current_phase(CATALOG) == (incomplete[0] if incomplete else None)


def test_own_tasks_are_taken_by_their_digest_only_while_a_write_keeps_it_in_step() -> None:
    """A reader takes its own tasks as they are when the stored digest is the one it knew;
    a writer that does not know the digest (an earlier version) changes the map and drops
    the digest in the same write (the repository removes what its body lacks), and the
    reader then compares and reads the change."""
    before = new()
    items = tuple(ChecklistItem(n, f"Item {n}", None, None) for n in range(3))
    before.add_tasks(
        CATALOG, track_id="remediate", items=items, actor=PM, at=AT, op_id="o", batch="b"
    )
    known_data = before.to_dict()
    same = Engagement.from_dict(before.to_dict(), before, known_data)
    assert same == before and all(same.own_tasks[t] is before.own_tasks[t] for t in same.own_tasks)
    edited = next(iter(known_data["ownTasks"]))
    unaware = {k: v for k, v in known_data.items() if k != "ownTasksDigest"}
    unaware["ownTasks"] = {
        **known_data["ownTasks"],
        edited: {**known_data["ownTasks"][edited], "title": "Edited"},
    }
    assert {"op": "remove", "path": "/ownTasksDigest"} in (body_patch(known_data, unaware) or [])
    read = Engagement.from_dict(unaware, before, known_data)
    assert read.own_tasks[edited].title == "Edited"
    assert read == Engagement.from_dict(unaware)
