"""When an engagement is nudged, and what the nudge says.

A slot is one scheduled hour on one day in the engagement's time zone (e.g. Monday 09:00
Asia/Seoul). The next slot is derived from the engagement's own state (schedule, snooze, the
last slot nudged), so it is stored with the engagement for indexing and never drifts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from domain.catalog import Catalog, Task, Track
from domain.profile import NudgeSchedule, Person

DUE_SOON_DAYS = 3
STALLED_AFTER = timedelta(days=5)
# How far ahead to look for the next slot: a schedule with at least one weekday always has a
# slot within a week; DST shifts never move one by more than a day.
_HORIZON_DAYS = 8


@lru_cache(maxsize=4096)
def next_slot(schedule: NudgeSchedule, time_zone: str, after: datetime) -> datetime | None:
    """The first scheduled moment strictly after `after`, in UTC. Cached: every write of an
    engagement stores its next slot, and the inputs rarely change between writes.

    A local hour that does not exist on a spring-forward day resolves to the instant that
    hour would have had (zoneinfo's fold=0), i.e. one hour later on the wall clock.
    """
    if not schedule.weekdays:
        return None
    zone = ZoneInfo(time_zone)
    start = after.astimezone(zone).date()
    for offset in range(_HORIZON_DAYS):
        day = start + timedelta(days=offset)
        if day.weekday() not in schedule.weekdays:
            continue
        candidate = datetime.combine(day, time(schedule.hour), tzinfo=zone).astimezone(UTC)
        if candidate > after:
            return candidate
    return None


def latest_due_slot(
    schedule: NudgeSchedule, time_zone: str, after: datetime, now: datetime
) -> datetime | None:
    """The newest slot in (after, now]. After an outage the bot catches up with one nudge,
    not one per missed slot."""
    slot = next_slot(schedule, time_zone, after)
    latest = None
    while slot is not None and slot <= now:
        latest = slot
        slot = next_slot(schedule, time_zone, slot)
    return latest


@dataclass(frozen=True)
class Digest:
    overdue: list[Task]
    due_soon: list[Task]
    unowned: list[Task]
    stalled_phase: Track | None
    # Phases whose every task is settled, each with the people whose signature is missing.
    awaiting_signoff: list[tuple[Track, tuple[Person, ...]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.overdue
            or self.due_soon
            or self.unowned
            or self.stalled_phase
            or self.awaiting_signoff
        )


def is_stalled(last_change: datetime | None, created: datetime, now: datetime) -> bool:
    return now - (last_change or created) >= STALLED_AFTER


def due_soon(due: date | None, today: date) -> bool:
    return due is not None and today <= due <= today + timedelta(days=DUE_SOON_DAYS)


def build_digest(
    catalog: Catalog,
    *,
    open_tasks: list[Task],
    due_dates: dict[str, date],
    owned: set[str],
    current_phase: Track | None,
    today: date,
    stalled: bool,
) -> Digest:
    """What a nudge says: overdue open tasks, open tasks due within three days, required
    open tasks of the current phase with nobody on them, and whether the phase stalled."""
    overdue = [t for t in open_tasks if t.id in due_dates and due_dates[t.id] < today]
    soon = [t for t in open_tasks if due_soon(due_dates.get(t.id), today)]
    unowned = [
        t
        for t in open_tasks
        if current_phase is not None
        and t.track_id == current_phase.id
        and not t.optional
        and t.id not in owned
    ]
    return Digest(overdue, soon, unowned, current_phase if stalled and current_phase else None)
