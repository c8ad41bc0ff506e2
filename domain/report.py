"""The status report's numbers, from the engagement and its audit trail: what was settled
since the last report, what is overdue, each phase's schedule against its target end, the
required tasks nobody owns, the scope changes, and the burn-up series the chart draws.

The schedule rule, stated once (the card's legend says the same):
- done: the phase is complete (or skipped);
- no target: setup gave the phase no target end;
- late: today is past the target end and required tasks are open;
- at risk: fewer days left than DAYS_PER_OPEN_TASK per open required task;
- on track: otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.catalog import Catalog, Task, Track
from domain.engagement import (
    Actor,
    AuditEntry,
    Change,
    Engagement,
    Signature,
    TaskStatus,
    TrackProgress,
)
from domain.meetings import MeetingSummary, last_and_next
from domain.profile import Person
from domain.roles import Side

# A customer task takes about two working days (a checkpoint call, then the work).
DAYS_PER_OPEN_TASK = 2
# What "since the last report" means before any weekly report was posted.
DEFAULT_REPORT_PERIOD = timedelta(days=7)
SETTLED = frozenset(s.value for s in TaskStatus if s is not TaskStatus.OPEN)


class ScheduleStatus(StrEnum):
    DONE = "done"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    LATE = "late"
    NO_TARGET = "no_target"


def schedule_status(progress: TrackProgress, target: date | None, today: date) -> ScheduleStatus:
    """The rule in the module's docstring."""
    if progress.complete:
        return ScheduleStatus.DONE
    if target is None:
        return ScheduleStatus.NO_TARGET
    if today > target:
        return ScheduleStatus.LATE
    if (target - today).days < DAYS_PER_OPEN_TASK * progress.open_required:
        return ScheduleStatus.AT_RISK
    return ScheduleStatus.ON_TRACK


@dataclass(frozen=True)
class PhaseSchedule:
    phase: Track
    progress: TrackProgress
    target: date | None
    status: ScheduleStatus


@dataclass(frozen=True)
class Settled:
    task: Task
    status: TaskStatus
    by: Actor
    at: datetime


@dataclass(frozen=True)
class ScopeChange:
    task: Task
    now_in_scope: bool
    by: Actor
    at: datetime


@dataclass(frozen=True)
class StatusReport:
    since: datetime
    today: date
    settled: list[Settled]
    overdue: list[tuple[Task, Person | None, date]]
    phases: list[PhaseSchedule]
    unowned: list[Task]
    scope_changes: list[ScopeChange]
    last_meeting: MeetingSummary | None = None
    next_meeting: MeetingSummary | None = None
    # Every signature standing, phase by phase (withdrawn ones are in the history).
    signoffs: list[tuple[Track, Side, Signature]] = field(default_factory=list)


def report_since(engagement: Engagement, now: datetime) -> datetime:
    """The start of the report's period: the last weekly report, or a week ago."""
    return engagement.last_report_at or now - DEFAULT_REPORT_PERIOD


def build_report(
    engagement: Engagement, catalog: Catalog, trail: list[AuditEntry], now: datetime
) -> StatusReport:
    since = report_since(engagement, now)
    today = engagement.today(now)
    recent = [e for e in trail if e.at >= since]
    latest_status: dict[str, AuditEntry] = {}
    for entry in recent:
        if entry.change is Change.STATUS:
            latest_status[entry.subject] = entry
    # Whether a task still exists is asked once per task, not once per entry: a busy week
    # has thousands of entries for a few dozen tasks.
    settled = [
        Settled(engagement.task(catalog, t), TaskStatus(e.after), e.actor, e.at)
        for t, e in latest_status.items()
        if e.after in SETTLED
        and engagement.has_task(catalog, t)
        and engagement.status_of(t).value == e.after
    ]
    overdue = [
        (task, engagement.record(task.id).owner, due)
        for task in engagement.all_tasks(catalog)
        if engagement.in_scope(task)
        and engagement.is_overdue(task.id, today)
        and (due := engagement.record(task.id).due) is not None
    ]
    targets = engagement.profile.phase_targets if engagement.profile else {}
    phases = []
    for phase in catalog.phases:
        progress = engagement.progress(catalog, phase, today)
        target = targets.get(phase.id)
        phases.append(
            PhaseSchedule(phase, progress, target, schedule_status(progress, target, today))
        )
    unowned = [
        task
        for phase in catalog.phases
        for task in engagement.open_tasks(catalog, phase)
        if not task.optional and engagement.record(task.id).owner is None
    ]
    scope_changes = [
        ScopeChange(engagement.task(catalog, e.subject), e.after == "in", e.actor, e.at)
        for e in recent
        if e.change is Change.SCOPE and engagement.has_task(catalog, e.subject)
    ]
    return StatusReport(
        since,
        today,
        sorted(settled, key=lambda s: s.at, reverse=True),
        sorted(overdue, key=lambda o: o[2]),
        phases,
        unowned,
        scope_changes,
        *last_and_next(engagement.meetings, now),
        [
            (phase, side, signature)
            for phase in catalog.phases
            for side, signature in engagement.signoffs.get(phase.id, {}).items()
        ],
    )


@dataclass(frozen=True)
class BurnUpLine:
    """One phase's settled tasks at the end of each day, against its total and target."""

    phase: Track
    days: list[date]
    settled: list[int]
    total: int
    target: date | None


def burn_up(
    engagement: Engagement, catalog: Catalog, trail: list[AuditEntry], now: datetime
) -> list[BurnUpLine]:
    """Per phase, from the kickoff (or the first change) to today in the engagement's zone:
    how many of its tasks in scope were settled at the end of each day, replaying the
    status changes of the audit trail."""
    zone = ZoneInfo(engagement.time_zone)
    today = engagement.today(now)
    changes = [
        e for e in trail if e.change is Change.STATUS and engagement.has_task(catalog, e.subject)
    ]
    first = min((e.at.astimezone(zone).date() for e in changes), default=today)
    start = min(engagement.profile.kickoff, first) if engagement.profile else first
    days = [start + timedelta(days=n) for n in range((today - start).days + 1)]
    targets = engagement.profile.phase_targets if engagement.profile else {}
    lines = []
    for phase in catalog.phases:
        tasks = {t.id for t in engagement.tasks_of(catalog, phase.id) if engagement.in_scope(t)}
        status: dict[str, str] = {}
        counts: list[int] = []
        entries = iter(sorted((e for e in changes if e.subject in tasks), key=lambda e: e.seq))
        pending = next(entries, None)
        for day in days:
            while pending is not None and pending.at.astimezone(zone).date() <= day:
                status[pending.subject] = pending.after or TaskStatus.OPEN.value
                pending = next(entries, None)
            counts.append(sum(1 for s in status.values() if s in SETTLED))
        lines.append(BurnUpLine(phase, days, counts, len(tasks), targets.get(phase.id)))
    return lines
