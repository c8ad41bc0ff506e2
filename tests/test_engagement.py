"""The engagement's rules, without Teams or a store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.catalog import default_catalog
from domain.engagement import Actor, Engagement, EngagementKey, TaskStatus, check_note
from domain.errors import ReasonRequired, TextRequired, TextTooLong, UnknownTask
from domain.text import is_blank

CATALOG = default_catalog()
AT = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
ALICE = Actor("29:alice", "Alice")


def new() -> Engagement:
    return Engagement(EngagementKey("t1", "c1"), "channel", AT)


def settle(engagement: Engagement, track_id: str, *, include_optional: bool) -> None:
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
    copy.claim_nudge(datetime(2026, 11, 30, 9, tzinfo=UTC), "run", AT)
    copy.mark_unreachable(403, AT)
    copy.conversation_reference = {"serviceUrl": "https://elsewhere.example/"}

    assert copy.to_dict() != before
    assert original.to_dict() == before


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
