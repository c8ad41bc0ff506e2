"""Time zones as people read them, from the zone database (tzdata)."""

from __future__ import annotations

from datetime import datetime

UTC_NAME = "UTC"


def abbreviation(local: datetime) -> str:
    """The zone's short name at that moment ("KST", "CET"); "UTC+04" where the database
    has only numbers for it."""
    name = local.tzname() or UTC_NAME
    return f"{UTC_NAME}{name}" if name[:1] in "+-" else name
