"""Personal reminders: one owner's switch and the record of what was sent to them.

Kept per person (not per engagement): someone who owns tasks in several engagements gets at
most one personal message a day, and their "stop" holds wherever they own tasks. The day is
claimed the way the digest claims its slot (`take_claim`), so with several bot instances only
one run sends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.engagement import take_claim, utc_iso


def day_slot(time_zone: str, now: datetime) -> datetime:
    """The start of `now`'s day in `time_zone`, in UTC: a person's reminder slot."""
    zone = ZoneInfo(time_zone)
    return datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone).astimezone(UTC)


@dataclass
class PersonalReminders:
    # The person turned them off themselves.
    off: bool = False
    # The day slot last reminded (its start, UTC).
    last_slot: datetime | None = None
    claim: dict[str, str] | None = None
    # Teams refused the personal chat for good (blocked, left): {"at", "status"}.
    unreachable: dict[str, str] | None = None

    def claim_day(self, slot: datetime, run_id: str, now: datetime, lease: timedelta) -> bool:
        """Takes the day for one run; False when off, unreachable, sent, or held by a live
        run."""
        if self.off or self.unreachable:
            return False
        claim = take_claim(self.last_slot, self.claim, slot, run_id, now, lease)
        if claim is None:
            return False
        self.claim = claim
        return True

    def complete_day(self, slot: datetime) -> None:
        self.last_slot = max(slot, self.last_slot or slot)
        self.claim = None

    def mark_unreachable(self, status: int, at: datetime) -> None:
        self.unreachable = {"at": at.isoformat(), "status": str(status)}
        self.claim = None

    def switch(self, on: bool) -> None:
        """The person's own switch. Turning reminders on from the personal chat also shows
        the chat works again."""
        self.off = not on
        if on:
            self.unreachable = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "off": self.off,
            "lastSlot": utc_iso(self.last_slot) if self.last_slot else None,
            "claim": self.claim,
            "unreachable": self.unreachable,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PersonalReminders:
        last = data.get("lastSlot")
        return cls(
            off=bool(data.get("off", False)),
            last_slot=datetime.fromisoformat(last) if last else None,
            claim=data.get("claim"),
            unreachable=data.get("unreachable"),
        )
