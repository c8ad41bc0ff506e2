"""When nudges are due, with time injected: boundaries, time zones, DST, weekends, snooze,
stop/resume, claims, and what a digest says."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.catalog import default_catalog
from domain.engagement import NUDGE_LEASE, Actor, Engagement, EngagementKey, utc_iso
from domain.errors import NotPermitted
from domain.nudges import next_slot
from domain.profile import NudgeSchedule, Person, Profile
from domain.roles import Side

CATALOG = default_catalog()
PM = Actor("29:pm", "PM", "aad-pm")
OTHER = Actor("29:other", "Other", "aad-other")
CREATED = datetime(2026, 11, 29, 0, 0, tzinfo=UTC)
WEEKDAYS_9 = NudgeSchedule(frozenset({0, 1, 2, 3, 4}), 9)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def engagement(
    time_zone: str = "Asia/Seoul",
    schedule: NudgeSchedule = WEEKDAYS_9,
    created: datetime = CREATED,
) -> Engagement:
    e = Engagement(EngagementKey("t", "c"), "channel", created, installed_by=PM)
    e.conversation_reference = {"serviceUrl": "http://x/", "conversation": {"id": "c"}}
    e.profile = Profile(
        "P",
        frozenset({"intune"}),
        date(2026, 12, 1),
        {},
        Person("aad-pm", "PM"),
        time_zone,
        "en",
        schedule,
    )
    return e


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # Seoul is UTC+9: 09:00 local is 00:00 UTC. Sunday 29 Nov → Monday 30 Nov 09:00.
        (utc(2026, 11, 29, 0, 0), utc(2026, 11, 30, 0, 0)),
        (utc(2026, 11, 29, 23, 59), utc(2026, 11, 30, 0, 0)),
        # Exactly on a slot: the next one, never the same slot twice.
        (utc(2026, 11, 30, 0, 0), utc(2026, 12, 1, 0, 0)),
        # Friday 09:00 local passed → Monday, not the weekend.
        (utc(2026, 12, 4, 0, 1), utc(2026, 12, 7, 0, 0)),
    ],
)
def test_next_slot_boundaries_and_weekends(after: datetime, expected: datetime) -> None:
    assert next_slot(WEEKDAYS_9, "Asia/Seoul", after) == expected


def test_daylight_saving_change_keeps_local_time() -> None:
    # New York leaves DST on Sunday 1 Nov 2026: 09:00 local is 13:00 UTC before, 14:00 after.
    before = next_slot(WEEKDAYS_9, "America/New_York", utc(2026, 10, 30, 12, 0))
    after = next_slot(WEEKDAYS_9, "America/New_York", utc(2026, 10, 31, 0, 0))
    assert (before, after) == (utc(2026, 10, 30, 13, 0), utc(2026, 11, 2, 14, 0))
    # A slot in the hour skipped by spring-forward (02:00 on 8 Mar 2026) still happens, once.
    night = NudgeSchedule(frozenset({6}), 2)
    slot = next_slot(night, "America/New_York", utc(2026, 3, 7, 0, 0))
    assert slot == utc(2026, 3, 8, 7, 0)
    assert next_slot(night, "America/New_York", slot) == utc(2026, 3, 15, 6, 0)


def test_no_weekdays_means_no_nudges() -> None:
    assert next_slot(NudgeSchedule(frozenset(), 9), "UTC", utc(2026, 1, 1)) is None


def test_due_slot_catches_up_once_after_an_outage() -> None:
    e = engagement()
    assert e.due_slot(utc(2026, 11, 29, 23, 0)) is None
    # Down from Monday to Wednesday evening: one nudge for the latest slot (Wednesday).
    assert e.due_slot(utc(2026, 12, 2, 12, 0)) == utc(2026, 12, 2, 0, 0)


def test_snooze_moves_the_next_nudge_past_a_day() -> None:
    e = engagement()
    now = utc(2026, 11, 30, 0, 30)  # just after Monday's slot
    e.complete_nudge(utc(2026, 11, 30, 0, 0))
    e.complete_report(utc(2026, 11, 30, 0, 0))  # Monday's weekly report posted too
    e.snooze(now + timedelta(days=1), actor=OTHER, at=now, op_id="s1")
    assert e.next_nudge_at() == utc(2026, 12, 2, 0, 0)  # Tuesday skipped
    assert e.to_dict()["nextNudgeAt"] == "2026-12-02T00:00:00Z"


def test_stop_and_resume_are_for_the_manager() -> None:
    e = engagement()
    with pytest.raises(NotPermitted):
        e.set_nudges_paused(True, actor=OTHER, at=utc(2026, 12, 1), op_id="x")
    e.set_nudges_paused(True, actor=PM, at=utc(2026, 12, 1), op_id="p")
    # The scheduler still wakes for the weekly report, which "Stop reminders" does not stop.
    assert e.next_nudge_at() is None
    assert e.to_dict()["nextNudgeAt"] == utc_iso(e.next_report_at() or CREATED)
    e.set_nudges_paused(False, actor=PM, at=utc(2026, 12, 1), op_id="r")
    assert e.next_nudge_at() is not None


@pytest.mark.parametrize("state", ["uninstalled", "unreachable", "no reference"])
def test_no_nudges_where_the_bot_cannot_post(state: str) -> None:
    e = engagement()
    if state == "uninstalled":
        e.installed = False
    elif state == "unreachable":
        e.mark_unreachable(403, utc(2026, 12, 1))
    else:
        e.conversation_reference = None
    assert e.next_nudge_at() is None


def test_claims_let_one_run_have_a_slot() -> None:
    e = engagement()
    slot, now = utc(2026, 11, 30, 0, 0), utc(2026, 11, 30, 0, 1)
    assert e.claim_nudge(slot, "run-a", now, NUDGE_LEASE)
    assert not e.claim_nudge(slot, "run-b", now, NUDGE_LEASE)
    # A crashed run's claim expires; another run takes over.
    assert e.claim_nudge(slot, "run-b", now + NUDGE_LEASE + timedelta(seconds=1), NUDGE_LEASE)
    e.complete_nudge(slot)
    assert not e.claim_nudge(slot, "run-c", now + timedelta(hours=1), NUDGE_LEASE)
    assert e.due_slot(now + timedelta(hours=1)) is None


def test_digest_nothing_to_say_then_overdue_soon_unowned_stalled() -> None:
    e = engagement(created=utc(2026, 11, 29))
    now = utc(2026, 11, 30, 1, 0)
    for task in CATALOG.tasks_of("initiate"):
        e.assign_owner(
            CATALOG, task_id=task.id, owner=PM.person, actor=PM, at=now, op_id=f"o-{task.id}"
        )
    assert e.digest(CATALOG, now).empty
    e.set_due(
        CATALOG,
        task_id="initiate.start-onboarding",
        due=date(2026, 11, 29),
        actor=PM,
        at=now,
        op_id="d1",
    )
    e.set_due(
        CATALOG,
        task_id="general.test-environment",
        due=date(2026, 12, 2),
        actor=PM,
        at=now,
        op_id="d2",
    )
    later = now + timedelta(days=6)
    digest = e.digest(CATALOG, later)
    assert {t.id for t in digest.overdue} == {
        "initiate.start-onboarding",
        "general.test-environment",
    }
    assert digest.stalled_phase is not None and digest.stalled_phase.id == "initiate"
    soon = e.digest(CATALOG, now)
    assert [t.id for t in soon.due_soon] == ["general.test-environment"]
    for task in CATALOG.tasks_of("initiate"):
        e.set_task_status(
            CATALOG,
            task_id=task.id,
            status=e.status_of(task.id).DONE,
            actor=PM,
            at=now,
            op_id=f"done-{task.id}",
        )
    # Settled, Initiate awaits the project manager's sign-off: the digest says so.
    awaiting = e.digest(CATALOG, now)
    assert [(p.id, people) for p, people in awaiting.awaiting_signoff] == [
        ("initiate", (Person("aad-pm", "PM"),))
    ]
    assert not awaiting.empty and awaiting.unowned == []
    e.sign_off(
        CATALOG, phase_id="initiate", side=Side.CUSTOMER, comment=None, actor=PM, at=now, op_id="s"
    )
    assessing = e.digest(CATALOG, now)
    assert assessing.awaiting_signoff == []
    assert {t.track_id for t in assessing.unowned} == {"assess"}
    assert not any(t.optional for t in assessing.unowned)


def test_next_nudge_is_stored_as_a_sortable_utc_string() -> None:
    assert utc_iso(utc(2026, 11, 30, 0, 0)) == "2026-11-30T00:00:00Z"


SLOT = utc(2026, 11, 30, 0, 0)
SCHEDULER_CHANGES: dict[str, Callable[[Engagement], object]] = {
    "claim a nudge": lambda e: e.claim_nudge(SLOT, "run", SLOT, NUDGE_LEASE),
    "record a nudge": lambda e: e.complete_nudge(SLOT),
    "claim a report": lambda e: e.claim_report(SLOT, "run", SLOT, NUDGE_LEASE),
    "record a report": lambda e: e.complete_report(SLOT),
    "unreachable": lambda e: e.mark_unreachable(403, SLOT),
}


@pytest.mark.parametrize("name", SCHEDULER_CHANGES)
def test_scheduler_changes_touch_only_the_stored_schedule_state(name: str) -> None:
    """The repository writes these changes from `schedule_state` alone (update_schedule):
    the rest of the stored form must stay as it was."""
    e = engagement()
    e.assign_owner(
        CATALOG,
        task_id="initiate.start-onboarding",
        owner=PM.person,
        actor=PM,
        at=CREATED,
        op_id="o",
    )
    e.claim_nudge(SLOT, "earlier", CREATED, NUDGE_LEASE)
    before = e.to_dict()
    SCHEDULER_CHANGES[name](e)
    after = e.to_dict()
    assert after != before
    assert {**before, **e.schedule_state()} == after
