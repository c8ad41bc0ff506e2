"""The operations (activity ids) an engagement has applied, so a redelivered activity is
recognised and changes nothing the second time.

Kept by time, not by count: Teams redelivers an activity it got no answer for after 15 and
about 30 seconds (msteams-docs#6084, botbuilder-dotnet#5005), however many other changes the
engagement saw meanwhile. A cap keeps the engagement document (read and written on every
click) bounded under a flood of clicks: only past it is an op forgotten early.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from operator import itemgetter
from typing import Any

# How long an applied activity id is recognised: many times Teams' redelivery delay.
REDELIVERY_WINDOW = timedelta(minutes=10)
# Never more than this many remembered (about 30 bytes each in the document): one change
# every 1.2 s for the whole window, far beyond people clicking.
MAX_REMEMBERED = 500


class AppliedOps:
    """Op id → when it was applied (whole seconds since the epoch), oldest first."""

    __slots__ = ("_at",)

    def __init__(self, applied: dict[str, int] | None = None) -> None:
        self._at: dict[str, int] = dict(applied or {})

    def __contains__(self, op_id: object) -> bool:
        return op_id in self._at

    def __len__(self) -> int:
        return len(self._at)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AppliedOps) and self._at == other._at

    def ops(self) -> list[str]:
        return list(self._at)

    def copy(self) -> AppliedOps:
        return AppliedOps(self._at)

    def add(self, op_id: str, at: datetime) -> None:
        """Remembers `op_id` as applied at `at`; forgets the oldest ones past the window or
        over the cap (they are kept oldest first)."""
        self._at.setdefault(op_id, int(at.timestamp()))
        horizon = int((at - REDELIVERY_WINDOW).timestamp())
        while self._at:
            oldest, when = next(iter(self._at.items()))
            if when >= horizon and len(self._at) <= MAX_REMEMBERED:
                return
            del self._at[oldest]

    def to_dict(self) -> dict[str, int]:
        return dict(self._at)

    @classmethod
    def stored(cls, data: Any, written_at: datetime) -> AppliedOps:
        """As stored: {op: epoch seconds}, put in order of time (a store that patches the map
        entry by entry need not keep its order). Documents written before ops were kept by
        time hold a list of the last 64 ops, without times: they count as applied at
        `written_at` (the engagement's last change)."""
        if isinstance(data, dict):
            applied = sorted(((str(op), int(at)) for op, at in data.items()), key=itemgetter(1))
            return cls(dict(applied))
        return cls(dict.fromkeys((str(op) for op in data or ()), int(written_at.timestamp())))
